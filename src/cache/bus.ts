// Invalidation across processes. Each node:cluster worker has its own cache database; when
// one of them writes, every other worker must drop the same tags before the writer replies,
// or the client's next request could land on a worker still holding the old answer.
//
// Worker → primary: {op, tags, id}. The primary relays it to every other live worker, counts
// their acknowledgements and tells the sender when all have applied it. A single process (no
// cluster) uses the local transport: nothing to tell anyone.
import type cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import { CATALOG_EVENT_TYPES, type CatalogEvent, type DomainEvents, type OrderPlaced } from '../events/index.ts';
import type { CacheDb, CacheLogger } from './cache-db.ts';

export interface CacheMessage {
  chinook: 'cache';
  op: 'invalidate' | 'flush';
  tags?: string[];
  id: string;
}
interface CacheApplied {
  chinook: 'cache-applied';
  id: string;
}
interface CacheDone {
  chinook: 'cache-done';
  id: string;
  workers: number;
}

const isMessage = (m: unknown): m is { chinook: string; id: string } =>
  typeof m === 'object' && m !== null && typeof (m as { chinook?: unknown }).chinook === 'string' && typeof (m as { id?: unknown }).id === 'string';

export interface Transport {
  /** Tells every other process; resolves with how many applied it (after all did, or on timeout). */
  publish(msg: Omit<CacheMessage, 'chinook' | 'id'>): Promise<number>;
  /** Messages from other processes. */
  onMessage(handler: (msg: CacheMessage) => void): void;
  close(): void;
}

export const localTransport = (): Transport => ({
  publish: async () => 0,
  onMessage: () => {},
  close: () => {},
});

/** The transport of a cluster worker (talks to the primary over the IPC channel). */
export function workerTransport(options: { timeoutMs?: number; logger?: CacheLogger } = {}): Transport {
  const send = process.send?.bind(process);
  if (!send) throw new Error('workerTransport needs an IPC channel (start the process with node:cluster)');
  const timeoutMs = options.timeoutMs ?? 2000;
  const pending = new Map<string, { resolve: (n: number) => void; timer: NodeJS.Timeout }>();
  let seq = 0;
  let handler: ((msg: CacheMessage) => void) | undefined;
  const onIpc = (m: unknown) => {
    if (!isMessage(m)) return;
    if (m.chinook === 'cache' && handler) {
      handler(m as CacheMessage);
      send({ chinook: 'cache-applied', id: m.id } satisfies CacheApplied);
    } else if (m.chinook === 'cache-done') {
      const p = pending.get(m.id);
      if (!p) return;
      clearTimeout(p.timer);
      pending.delete(m.id);
      p.resolve((m as CacheDone).workers);
    }
  };
  process.on('message', onIpc);
  return {
    publish(msg) {
      const id = `${process.pid}-${++seq}`;
      return new Promise<number>((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          options.logger?.warn({ id, op: msg.op, timeoutMs }, 'other workers did not confirm a cache invalidation in time');
          resolve(0);
        }, timeoutMs);
        timer.unref();
        pending.set(id, { resolve, timer });
        send({ chinook: 'cache', id, ...msg } satisfies CacheMessage);
      });
    },
    onMessage(h) {
      handler = h;
    },
    close() {
      process.off('message', onIpc);
      for (const p of pending.values()) {
        clearTimeout(p.timer);
        p.resolve(0);
      }
      pending.clear();
    },
  };
}

/** In the cluster primary: relays cache messages between workers and confirms them to the sender. */
export function relayCacheMessages(c: typeof cluster): void {
  const pending = new Map<string, { origin: Worker; waiting: Set<number>; workers: number }>();
  const finish = (id: string) => {
    const p = pending.get(id);
    if (!p || p.waiting.size > 0) return;
    pending.delete(id);
    if (p.origin.isConnected()) p.origin.send({ chinook: 'cache-done', id, workers: p.workers } satisfies CacheDone);
  };
  c.on('message', (worker: Worker, m: unknown) => {
    if (!isMessage(m)) return;
    if (m.chinook === 'cache') {
      const others = Object.values(c.workers ?? {}).filter((w): w is Worker => !!w && w !== worker && w.isConnected());
      pending.set(m.id, { origin: worker, waiting: new Set(others.map((w) => w.id)), workers: others.length });
      for (const w of others) w.send(m);
      finish(m.id);
    } else if (m.chinook === 'cache-applied') {
      pending.get(m.id)?.waiting.delete(worker.id);
      finish(m.id);
    }
  });
  // A worker that dies mid-relay must not hold the writer's reply hostage.
  c.on('exit', (worker: Worker) => {
    for (const [id, p] of pending) {
      p.waiting.delete(worker.id);
      finish(id);
    }
  });
}

/** Every TrackPatch field: a created or deleted row changes everything that lists or counts it. */
const ALL_TRACK_FIELDS = ['name', 'composer', 'unitPrice', 'milliseconds', 'albumId', 'genreId', 'mediaTypeId'];
const ids = (...xs: (number | null)[]) => [...new Set(xs.filter((x): x is number => x !== null))];

/**
 * Which cached answers a change can make stale. Entries are tagged with every id whose *own*
 * data they show (a track page carries track, album, artist and genre tags because it shows
 * their names); a track edit therefore names only what that edit can change, or a price
 * change would drop every cached page of the same album, artist and genre.
 */
export function tagsForEvent(e: CatalogEvent | OrderPlaced): string[] {
  switch (e.type) {
    case 'track.created':
    case 'track.deleted':
      return trackTags(e.trackId, ids(e.albumId), ids(e.artistId), ids(e.genreId), ALL_TRACK_FIELDS);
    case 'track.updated':
      return trackTags(e.trackId, e.albumIds, e.artistIds, e.genreIds, e.fields);
    case 'album.updated':
      return [
        `album:${e.albumId}`,
        ...e.artistIds.map((id) => `artist:${id}`),
        ...e.trackIds.map((id) => `track:${id}`),
        'tracks:list',
        'albums:list',
        'artists:list',
        'reports',
        'popular',
        'search',
        'recommendations',
      ];
    case 'artist.updated':
      return [`artist:${e.artistId}`, 'tracks:list', 'albums:list', 'artists:list', 'reports', 'popular', 'search', 'recommendations'];
    case 'order.placed':
      // Sales changed: reports, popularity and this buyer's recommendations (recommend/cached.ts)
      // are stale everywhere. The sales aggregates go through SalesAggregates (below).
      return [...SALES_AGGREGATE_TAGS, `recommendations:customer:${e.customerId}`, `recommendations:user:${e.userId}`];
  }
}

function trackTags(trackId: number, albumIds: number[], artistIds: number[], genreIds: number[], fields: string[]): string[] {
  const f = new Set(fields);
  const tags = [`track:${trackId}`, 'tracks:list', 'search', 'recommendations'];
  if (f.has('albumId')) {
    // Album pages list their tracks and counts; artist pages count their albums' tracks.
    tags.push(...albumIds.map((id) => `album:${id}`), ...artistIds.map((id) => `artist:${id}`), 'albums:list');
  }
  if (f.has('genreId')) tags.push(...genreIds.map((id) => `genre:${id}`), 'genres');
  if (f.has('mediaTypeId')) tags.push('media-types');
  // Sales reports show track names, albums and per-artist track counts, not prices.
  if (f.has('name') || f.has('albumId')) tags.push('reports', 'popular');
  return tags;
}

/** Entries that sum every sale (reports, best sellers): an order makes them stale, but only a little. */
export const SALES_AGGREGATE_TAGS = ['reports', 'popular'] as const;
/** How stale an order may leave them: the popularity ranking is re-ranked at this pace too (store/popularity.ts). */
export const SALES_AGGREGATE_INTERVAL_MS = 1000;

/**
 * Drops the sales aggregates after orders at most once per interval: the first order of a quiet
 * spell at once, later ones together at the end of the interval. Dropping them on every order
 * recomputed the top-tracks report (~4 ms, every invoice line) after each of ~50 orders a
 * second in bench:load's full mix: 19.5 % of the server's CPU in a profile, 1.1 % after.
 * Every process hears every order (its own at once, the others' through the event log within
 * 250 ms) and throttles its own cache, so nothing needs telling across workers.
 */
class SalesAggregates {
  private last = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly drop: (tags: string[]) => void,
    private readonly intervalMs: number,
  ) {}

  ordered(): void {
    if (this.timer) return;
    const wait = this.last + this.intervalMs - Date.now();
    if (wait <= 0) this.fire();
    else {
      this.timer = setTimeout(() => this.fire(), wait);
      this.timer.unref();
    }
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private fire(): void {
    this.timer = undefined;
    this.last = Date.now();
    this.drop([...SALES_AGGREGATE_TAGS]);
  }
}

/**
 * Connects a process's cache to the domain events and to the other workers. Local changes
 * invalidate here first, then everywhere else; the returned promise (awaited by the writer
 * through DomainEvents.emit) resolves when every worker has applied it. An event carried from
 * another process is only applied here: its own process tells the other workers.
 */
export class CacheBus {
  private readonly unsubscribe: () => void;
  private readonly sales: SalesAggregates;

  constructor(
    private readonly cache: CacheDb | null,
    private readonly transport: Transport,
    events: DomainEvents,
    private readonly logger: () => CacheLogger,
    options: { salesIntervalMs?: number } = {},
  ) {
    this.sales = new SalesAggregates((tags) => this.applyTags(tags), options.salesIntervalMs ?? SALES_AGGREGATE_INTERVAL_MS);
    this.unsubscribe = events.on([...CATALOG_EVENT_TYPES, 'order.placed', 'session.revoked'], async (e, { remote }) => {
      let tags = e.type === 'session.revoked' ? e.sessionIds.map((id) => `session:${id}`) : tagsForEvent(e);
      if (e.type === 'order.placed') {
        this.sales.ordered();
        tags = tags.filter((t) => !(SALES_AGGREGATE_TAGS as readonly string[]).includes(t));
      }
      if (remote) this.applyTags(tags);
      else await this.invalidate(tags);
    });
    transport.onMessage((msg) => {
      if (msg.op === 'flush' && !msg.tags) this.applyFlush();
      else this.applyTags(msg.tags ?? []);
    });
  }

  /** Drops entries with any of the tags in every worker; resolves with local removals. */
  async invalidate(tags: string[]): Promise<number> {
    const removed = this.applyTags(tags);
    await this.transport.publish({ op: 'invalidate', tags });
    return removed;
  }

  /** Empties the cache (or the given tags) in every worker. */
  async flush(tags?: string[]): Promise<{ removed: number; workers: number }> {
    const removed = tags ? this.applyTags(tags) : this.applyFlush();
    const workers = await this.transport.publish(tags ? { op: 'flush', tags } : { op: 'flush' });
    return { removed, workers: workers + 1 };
  }

  close(): void {
    this.unsubscribe();
    this.sales.close();
    this.transport.close();
  }

  private applyTags(tags: string[]): number {
    if (!this.cache) return 0;
    try {
      // `session:<id>` names a revoked session: its hot copy lives in cache_sessions, untagged.
      let sessions = 0;
      for (const tag of tags) if (tag.startsWith('session:') && this.cache.sessions.delete(tag.slice(8))) sessions++;
      return sessions + this.cache.invalidateTags(tags);
    } catch (err) {
      return this.failSafe(err);
    }
  }

  private applyFlush(): number {
    if (!this.cache) return 0;
    try {
      return this.cache.flush();
    } catch (err) {
      return this.failSafe(err);
    }
  }

  // A cache that cannot invalidate could serve stale answers: empty it, or failing that close
  // it, so every later read falls through to the primary.
  private failSafe(err: unknown): number {
    this.logger().error({ err }, 'cache invalidation failed; emptying the cache');
    try {
      return this.cache?.flush() ?? 0;
    } catch {
      this.cache?.close();
      return 0;
    }
  }
}
