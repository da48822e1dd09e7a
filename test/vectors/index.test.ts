import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CatalogEditor } from '../../src/catalog/edits.ts';
import { CatalogService } from '../../src/catalog/index.ts';
import { type Db, openPrimary } from '../../src/db/connection.ts';
import { DomainEvents } from '../../src/events/index.ts';
import { invoiceLineCount } from '../../src/store/index.ts';
import { buildVectors, ensureVectors } from '../../src/vectors/build.ts';
import { VectorRefreshQueue } from '../../src/vectors/refresh.ts';
import { SimilarityService } from '../../src/vectors/service.ts';
import { SPACES } from '../../src/vectors/spaces.ts';
import { ensureIndexes, helperServed, indexExists, indexTable, membersTable, SHARDS, stopIndexHelper } from '../../src/vectors/vector-index.ts';
import { importedDb, testConfig } from '../helpers.ts';

let db: Db;
let service: SimilarityService;
before(() => {
  db = importedDb().db;
  // Chinook is far below the production threshold; 0 gives it the index so it can be checked.
  buildVectors(db, { indexMinTracks: 0 });
  service = new SimilarityService(db);
});
after(() => {
  stopIndexHelper(db);
  db.close();
});

const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
const queryIds = Array.from({ length: 20 }, (_, i) => 1 + i * 173);

describe('large-catalog index', () => {
  test('a build above the threshold indexes every space; below it, none', () => {
    for (const s of SPACES) assert.ok(indexExists(db, s), s);
    const count = (db.prepare(`SELECT count(*) AS n FROM ${membersTable('audio')}`).get() as { n: number }).n;
    assert.equal(count, 3503);
    // One index row per distinct vector: basket-less tracks share their album's listens-alike vector.
    const distinct = db.prepare('SELECT count(DISTINCT audio_features) FROM track_vectors').pluck().get() as number;
    assert.equal(
      db
        .prepare(`SELECT count(*) FROM ${indexTable('audio')}`)
        .pluck()
        .get(),
      distinct,
    );
    assert.ok(distinct < 3503);
    const shards = db.prepare(`SELECT shard, count(*) AS n FROM ${indexTable('audio')} GROUP BY shard`).all() as { shard: number }[];
    assert.equal(shards.length, SHARDS);
    const small = importedDb().db;
    try {
      buildVectors(small, { spaces: ['metadata'] });
      for (const s of SPACES) assert.ok(!indexExists(small, s), s);
      ensureVectors(small, undefined, 0);
      for (const s of SPACES) assert.ok(indexExists(small, s), `ensureVectors indexes ${s} once the threshold is met`);
    } finally {
      small.close();
    }
  });

  test('exact KNN through the index equals the vec0 scan, in this thread and with the helper thread', async () => {
    const store = service.store;
    for (let round = 0; round < 3; round++) {
      for (const space of SPACES) {
        for (const id of queryIds) {
          const q = store.get(id, space) as Float32Array;
          const want = store.scan(space, q, 10);
          const got = store.knnExact(space, q, 10);
          assert.equal(got.length, 10);
          // Ties may come back in another order: compare the distances rank by rank.
          got.forEach((n, i) => {
            assert.ok(Math.abs(n.distance - (want[i]?.distance as number)) < 1e-4, `${space} ${id} #${i}`);
          });
          const kth = want[9]?.distance as number;
          for (const n of got) assert.ok(n.distance <= kth + 1e-4);
        }
      }
      await sleep(200); // the helper thread starts on first use and joins once its connection is open
    }
    assert.ok(helperServed(db) > 0, 'the helper thread answered some of the queries');
  });

  test('knnThreads = 1 keeps every KNN on the calling thread, with the same answers', async () => {
    const other = openPrimary({ ...testConfig(), dbPath: db.name });
    try {
      const single = new SimilarityService(other, { knnThreads: 1 });
      // Rounds apart in time, as above: a helper thread, had one been started, would have joined.
      for (let round = 0; round < 3; round++) {
        for (const id of queryIds.slice(0, 5)) {
          const q = single.store.get(id, 'audio') as Float32Array;
          const want = single.store.scan('audio', q, 10).map((n) => Math.round(n.distance * 1e4));
          assert.deepEqual(
            single.store.knnExact('audio', q, 10).map((n) => Math.round(n.distance * 1e4)),
            want,
          );
          single.store.knn('audio', q, 10);
        }
        await sleep(200);
      }
      assert.equal(helperServed(other), 0, 'no helper thread was asked');
    } finally {
      stopIndexHelper(other);
      other.close();
    }
  });

  test('the quantized path finds nearly all exact neighbours and reports true cosine distances', () => {
    const store = service.store;
    let found = 0;
    for (const id of queryIds) {
      const q = store.get(id, 'audio') as Float32Array;
      const exact = store.scan('audio', q, 10);
      const kth = exact[9]?.distance as number;
      const approx = store.knn('audio', q, 10);
      for (const n of approx) {
        const v = store.get(n.id, 'audio') as Float32Array;
        const cos = q.reduce((s, x, j) => s + x * (v[j] as number), 0) / (norm(q) * norm(v));
        assert.ok(Math.abs(1 - cos - n.distance) < 1e-4, 'distance is the exact cosine distance');
        if (n.distance <= kth + 1e-5) found++;
      }
    }
    assert.ok(found / (10 * queryIds.length) >= 0.9, `recall@10 ${found / (10 * queryIds.length)}`);
  });
});

describe('index bits (sign-bits.ts) in step with the vectors', () => {
  const groupOf = (id: number) =>
    db
      .prepare(`SELECT group_id FROM ${membersTable('audio')} WHERE track_id = ?`)
      .pluck()
      .get(id) as number | undefined;
  const bitsRow = (id: number) =>
    db
      .prepare(`SELECT bits FROM ${indexTable('audio')} WHERE group_id = ?`)
      .pluck()
      .get(BigInt(groupOf(id) as number)) as Buffer;
  const groupRows = () =>
    db
      .prepare(`SELECT count(*) FROM ${indexTable('audio')}`)
      .pluck()
      .get() as number;
  const unit = (v: Float32Array) => v.map((x) => x / norm(v));

  test('the build and a write compute the same bits, and a write replaces a track’s bits', () => {
    const store = service.store;
    const index = store.index('audio');
    assert.ok(index);
    for (const id of queryIds) {
      const v = store.get(id, 'audio') as Float32Array;
      assert.deepEqual(bitsRow(id), index.bitsOf(unit(v)), `built bits of ${id}`);
      assert.equal(bitsRow(id).length * 8, 256);
    }
    const id = queryIds[3] as number;
    const before = store.get(id, 'audio') as Float32Array;
    const rowsBefore = groupRows();
    // A vector no other track has (many tracks share their album's listens-alike vector).
    const a = store.get(queryIds[7] as number, 'audio') as Float32Array;
    const b = store.get(queryIds[11] as number, 'audio') as Float32Array;
    const other = a.map((x, j) => 0.7 * x + 0.3 * (b[j] as number));
    try {
      store.write({ ids: [id], vectors: { audio: [other] } });
      assert.deepEqual(bitsRow(id), index.bitsOf(unit(other)));
      assert.notDeepEqual(bitsRow(id), index.bitsOf(unit(before)));
      assert.equal(store.knn('audio', other, 1)[0]?.id, id, 'the quantized path finds it by its new vector');
      // A vector of its own: a new group (its old group keeps its other members, if any).
      const alone = !db
        .prepare(`SELECT 1 FROM ${membersTable('audio')} WHERE group_id = (SELECT group_id FROM ${membersTable('audio')} WHERE track_id = ?) AND track_id != ?`)
        .get(id, id);
      assert.ok(alone);
      // A second track taking the same vector joins that group instead of adding a row.
      const rows = groupRows();
      const second = queryIds[5] as number;
      const secondBefore = store.get(second, 'audio') as Float32Array;
      store.write({ ids: [second], vectors: { audio: [other] } });
      assert.equal(groupOf(second), groupOf(id));
      assert.ok(groupRows() <= rows, 'no new index row for a vector already indexed');
      assert.deepEqual(
        store
          .knn('audio', other, 2)
          .map((n) => n.id)
          .sort((x, y) => x - y),
        [id, second].sort((x, y) => x - y),
      );
      store.write({ ids: [second], vectors: { audio: [secondBefore] } });
    } finally {
      store.write({ ids: [id], vectors: { audio: [before] } });
    }
    assert.deepEqual(bitsRow(id), index.bitsOf(unit(before)));
    assert.equal(groupRows(), rowsBefore, 'groups emptied by the writes are gone');
  });

  test('an index of the older layout (bits BIT[128]) is not used and is rebuilt by ensureIndexes', () => {
    const store = service.store;
    const t = indexTable('audio');
    db.exec(`DROP TABLE ${t}`);
    db.exec(
      `CREATE VIRTUAL TABLE ${t} USING vec0(track_id INTEGER PRIMARY KEY, shard INTEGER PARTITION KEY, unit FLOAT[128] distance_metric=l2, bits BIT[128])`,
    );
    db.exec(
      `INSERT INTO ${t} (track_id, shard, unit, bits) SELECT track_id, track_id % ${SHARDS}, vec_normalize(audio_features), vec_quantize_binary(vec_normalize(audio_features)) FROM track_vectors`,
    );
    assert.ok(!indexExists(db, 'audio'));
    assert.equal(store.index('audio'), null, 'the old table is not queried with new-layout bits');
    const q = store.get(queryIds[2] as number, 'audio') as Float32Array;
    assert.deepEqual(
      store.knn('audio', q, 10).map((n) => Math.round(n.distance * 1e4)),
      store.scan('audio', q, 10).map((n) => Math.round(n.distance * 1e4)),
      'served exactly by the plain scan meanwhile',
    );
    assert.deepEqual(ensureIndexes(db, 0), ['audio']);
    assert.ok(indexExists(db, 'audio'));
    assert.ok(store.index('audio'));
    assert.equal(bitsRow(queryIds[2] as number).length * 8, 256);
  });
});

describe('refresh keeps vectors and indexes in step with created and deleted tracks', () => {
  test('a created track gets all three spaces (audio: its album mean) in the index; a deleted one loses them', async () => {
    const events = new DomainEvents();
    const queue = new VectorRefreshQueue(db, service, events, 60_000);
    const editor = new CatalogEditor(db, new CatalogService(db), { events, invoiceLinesOf: invoiceLineCount });
    try {
      const album = 1;
      const albumTracks = db.prepare('SELECT id FROM chinook_tracks WHERE album_id = ?').pluck().all(album) as number[];
      const track = await editor.createTrack({
        name: 'Thunder Over The Bay',
        albumId: album,
        mediaTypeId: 1,
        genreId: 1,
        milliseconds: 240_000,
        unitPrice: 0.99,
      });
      assert.equal(service.store.get(track.id, 'audio'), null, 'nothing until the queue runs');
      assert.equal(queue.flush(), 1);
      assert.equal(queue.created, 1);
      const mean = new Float64Array(128);
      for (const id of albumTracks) {
        const v = service.store.get(id, 'audio') as Float32Array;
        for (let j = 0; j < 128; j++) mean[j] = (mean[j] as number) + (v[j] as number);
      }
      const m = Math.sqrt(mean.reduce((s, x) => s + x * x, 0));
      const audio = service.store.get(track.id, 'audio') as Float32Array;
      for (let j = 0; j < 128; j++) assert.ok(Math.abs((audio[j] as number) - (mean[j] as number) / m) < 1e-6);
      for (const s of SPACES) {
        const v = service.store.get(track.id, s) as Float32Array;
        assert.ok(Math.abs(norm(v) - 1) < 1e-4, `${s} is a unit vector`);
        // In the index too: its own vector finds it first.
        assert.equal(service.store.knnExact(s, v, 1)[0]?.distance, 0);
        assert.ok(
          service.store.knn(s, v, 5).some((n) => n.id === track.id),
          `${s} index has the new track`,
        );
      }
      const similar = service.similar(track.id, 'audio', 5).items;
      assert.ok(
        similar.every((i) => i.album === 'For Those About To Rock We Salute You'),
        'cold-start neighbours are its album',
      );
      service.similar(2, 'audio', 50);
      const cachedWithNew = () =>
        db.prepare('SELECT count(*) FROM vector_similarity_cache WHERE source_track_id = ? OR similar_track_id = ?').pluck().get(track.id, track.id) as number;
      assert.ok(cachedWithNew() > 0);

      await editor.deleteTrack(track.id);
      queue.flush();
      assert.equal(queue.removed, 1);
      for (const s of SPACES) {
        assert.equal(service.store.get(track.id, s), null);
        assert.equal(
          db
            .prepare(`SELECT count(*) FROM ${membersTable(s)} WHERE track_id = ?`)
            .pluck()
            .get(track.id),
          0,
          `${s} index row gone`,
        );
      }
      assert.equal(cachedWithNew(), 0);
    } finally {
      queue.stop();
    }
  });
});
