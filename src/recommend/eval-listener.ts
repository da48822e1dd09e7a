// "The recommender, seeded with those tracks as a new user's plays": in an evaluation copy, a
// listener is registered and plays the seeds through the store's own services (the write
// queue, the plays log), then asks for recommendations like any logged-in user.
import { UserService } from '../accounts/index.ts';
import type { Db, WriteQueue } from '../db/index.ts';
import { DomainEvents } from '../events/index.ts';
import { createStore } from '../store/index.ts';
import type { Recommender } from './recommender.ts';

let listeners = 0;

export async function newListener(db: Db, writes: WriteQueue, recommender: Recommender, seeds: readonly number[], limit: number): Promise<number[]> {
  const n = ++listeners;
  const user = await new UserService(db, writes).register({ email: `listener-${n}@eval.invalid`, password: 'evaluation-only', displayName: `Listener ${n}` });
  // The store's front door, without its maintenance timers (the plays log is read with its unfolded tail).
  const { plays } = createStore(db, writes, null, new DomainEvents(), { deferredIndexMs: 60_000 });
  await Promise.all(seeds.map((id) => plays.record(user.id, id)));
  return recommender.recommend({ userId: user.id }, { limit }).items.map((i) => i.id);
}
