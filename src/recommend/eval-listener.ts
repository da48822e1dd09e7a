// "The recommender, seeded with those tracks as a new user's plays": in an evaluation copy, a
// listener is registered and plays the seeds through the store's own services (the write
// queue, the plays log), then asks for recommendations like any logged-in user.
import { UserService } from '../accounts/users.ts';
import type { Db } from '../db/connection.ts';
import { WriteQueue } from '../db/write-queue.ts';
import { PlayService } from '../store/plays.ts';
import type { Recommender } from './recommender.ts';

let listeners = 0;

export async function newListener(db: Db, recommender: Recommender, seeds: readonly number[], limit: number): Promise<number[]> {
  const writes = new WriteQueue(db);
  try {
    const n = ++listeners;
    const user = await new UserService(db, writes).register({ email: `listener-${n}@eval.invalid`, password: 'evaluation-only', displayName: `Listener ${n}` });
    const plays = new PlayService(db, writes);
    await Promise.all(seeds.map((id) => plays.record(user.id, id)));
    return recommender.recommend({ userId: user.id }, { limit }).items.map((i) => i.id);
  } finally {
    await writes.close();
  }
}
