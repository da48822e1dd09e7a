// The context's domain-event bus: typed listeners, awaited delivery, failures kept apart,
// events that survive a JSON round trip to another process's bus, and no sharing between
// two contexts in one process.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createCacheLayer } from '../../src/cache/index.ts';
import { CachedCatalog } from '../../src/catalog/cached.ts';
import { CatalogService } from '../../src/catalog/index.ts';
import { createContext } from '../../src/context.ts';
import { type DomainEvent, DomainEvents, type TrackUpdated } from '../../src/events/index.ts';
import { importedDb, testConfig } from '../helpers.ts';

const edit: TrackUpdated = { type: 'track.updated', trackId: 7, albumIds: [1], artistIds: [1], genreIds: [1], fields: ['name'] };

describe('domain events', () => {
  it('calls the listeners of the event type only, and emit waits for the slow ones', async () => {
    const bus = new DomainEvents();
    const heard: string[] = [];
    bus.on('play.recorded', () => {
      heard.push('play');
    });
    bus.on(['track.updated', 'album.updated'], async (e) => {
      await sleep(20);
      heard.push(`edit ${e.type}`);
    });
    await bus.emit(edit);
    assert.deepEqual(heard, ['edit track.updated'], 'emit resolved only after the async listener finished');
    await bus.emit({ type: 'play.recorded', playId: 1, userId: null, trackId: 7 });
    assert.deepEqual(heard, ['edit track.updated', 'play']);
  });

  it('a failing listener is reported and neither stops the others nor rejects the emit', async () => {
    const failures: [unknown, DomainEvent][] = [];
    const bus = new DomainEvents((err, e) => failures.push([err, e]));
    let reached = 0;
    bus.on('track.updated', () => {
      throw new Error('sync failure');
    });
    bus.on('track.updated', async () => {
      throw new Error('async failure');
    });
    bus.on('track.updated', () => {
      reached++;
    });
    await bus.emit(edit);
    assert.equal(reached, 1);
    assert.deepEqual(
      failures.map(([err, e]) => [(err as Error).message, e.type]),
      [
        ['sync failure', 'track.updated'],
        ['async failure', 'track.updated'],
      ],
    );
  });

  it('unsubscribing stops delivery', async () => {
    const bus = new DomainEvents();
    let n = 0;
    const off = bus.on('order.placed', () => {
      n++;
    });
    const offAny = bus.onAny(() => {
      n++;
    });
    await bus.emit({ type: 'order.placed', orderId: 1, customerId: 1, userId: 1, trackIds: [1] });
    assert.equal(n, 2);
    off();
    offAny();
    assert.equal(bus.listenerCount(), 0);
    await bus.emit({ type: 'order.placed', orderId: 2, customerId: 1, userId: 1, trackIds: [2] });
    assert.equal(n, 2);
  });

  it('events are plain JSON: a carrier can take them to another bus, where listeners see them as remote', async () => {
    const here = new DomainEvents();
    const there = new DomainEvents();
    // The carrier: what a Redis channel or a change-log table would do, minus the network.
    here.onAny((e, { remote }) => {
      if (!remote) void there.receive(JSON.parse(JSON.stringify(e)) as DomainEvent);
    });
    const seen: { event: DomainEvent; remote: boolean }[] = [];
    there.onAny((event, { remote }) => {
      seen.push({ event, remote });
    });
    const events: DomainEvent[] = [
      edit,
      { type: 'track.created', trackId: 9, albumId: 2, artistId: 3, genreId: null },
      { type: 'order.placed', orderId: 5, customerId: 6, userId: 7, trackIds: [1, 2] },
    ];
    for (const e of events) await here.emit(e);
    assert.deepEqual(
      seen,
      events.map((event) => ({ event, remote: true })),
    );
  });

  it('a remote catalog event empties this process’s cache entries without telling the other workers again', async () => {
    const { config, db } = importedDb();
    const events = new DomainEvents();
    const published: unknown[] = [];
    const layer = createCacheLayer(config, events, {
      transport: {
        publish: async (msg) => {
          published.push(msg);
          return 0;
        },
        onMessage: () => {},
        close: () => {},
      },
    });
    const catalog = new CachedCatalog(layer.cache, new CatalogService(db));
    try {
      await catalog.track(7);
      assert.ok(layer.cache?.getEntry('track:7'));
      await events.receive(edit);
      assert.equal(layer.cache?.getEntry('track:7'), undefined, 'dropped here');
      assert.deepEqual(published, [], 'its own process told the others');
      await catalog.track(7);
      await events.emit(edit);
      assert.equal(layer.cache?.getEntry('track:7'), undefined);
      assert.equal(published.length, 1, 'a local edit is published once');
    } finally {
      layer.close();
      db.close();
    }
  });

  it('each context owns its bus: an edit in one is not heard by another in the same process', async () => {
    const a = createContext(testConfig());
    const b = createContext(testConfig());
    try {
      const heard: string[] = [];
      a.events.onAny(() => {
        heard.push('a');
      });
      b.events.onAny(() => {
        heard.push('b');
      });
      await a.events.emit(edit);
      assert.deepEqual(heard, ['a']);
      assert.notEqual(a.events, b.events);
    } finally {
      a.close();
      b.close();
    }
  });
});
