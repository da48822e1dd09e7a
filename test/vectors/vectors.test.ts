import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Db } from '../../src/db/connection.ts';
import { sanityReport } from '../../src/recommend/eval.ts';
import { buildVectors, computeEmbeddings, ensureVectors } from '../../src/vectors/build.ts';
import { importEmbeddings } from '../../src/vectors/import.ts';
import { SimilarityService } from '../../src/vectors/service.ts';
import { SIMILARITY_TTL_MS, SimilarityCache } from '../../src/vectors/similarity-cache.ts';
import { COLUMN, DIMS, SPACES, type Space } from '../../src/vectors/spaces.ts';
import { importedDb, tempDir } from '../helpers.ts';

let db: Db;
before(() => {
  db = importedDb().db;
  const r = buildVectors(db);
  assert.equal(r.trackCount, 3503);
});
after(() => db.close());

const snapshot = (space: Space) => {
  const rows = db.prepare(`SELECT track_id AS id, ${COLUMN[space]} AS v FROM track_vectors ORDER BY track_id`).all() as { id: number; v: Buffer }[];
  const spaces = db.prepare('SELECT * FROM vector_spaces ORDER BY space').all();
  return { rows: rows.map((r) => `${r.id}:${r.v.toString('base64')}`), spaces };
};

describe('vector build', () => {
  test('every track has a unit vector of the right size in every space', () => {
    const n = (db.prepare('SELECT count(*) AS n FROM chinook_tracks').get() as { n: number }).n;
    for (const space of SPACES) {
      const rows = db.prepare(`SELECT ${COLUMN[space]} AS v FROM track_vectors`).all() as { v: Buffer }[];
      assert.equal(rows.length, n);
      for (const { v } of rows) {
        assert.equal(v.byteLength, DIMS[space] * 4, `${space} size`);
        const f = new Float32Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
        const norm = Math.sqrt(f.reduce((s, x) => s + x * x, 0));
        assert.ok(Math.abs(norm - 1) < 1e-4, `${space} norm ${norm}`);
        assert.ok(f.every(Number.isFinite));
      }
    }
  });

  test('embeddings are reproducible bit for bit', () => {
    const stored = Object.fromEntries(SPACES.map((s) => [s, snapshot(s).rows]));
    const again: Record<string, string[]> = { audio: [], lyric: [], metadata: [] };
    const byId: Record<string, Map<number, string>> = { audio: new Map(), lyric: new Map(), metadata: new Map() };
    computeEmbeddings(db, {}, (b) => {
      for (const s of SPACES) {
        b.vectors[s]?.forEach((v, i) => {
          if (v) byId[s]?.set(b.ids[i] as number, Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64'));
        });
      }
    });
    for (const s of SPACES) {
      for (const [id, v] of [...(byId[s] as Map<number, string>).entries()].sort((a, b) => a[0] - b[0])) again[s]?.push(`${id}:${v}`);
      assert.deepEqual(again[s], stored[s], `${s} differs between two builds`);
    }
  });

  test('ensureVectors does nothing when the vectors are current', () => {
    assert.equal(ensureVectors(db), null);
  });

  test('every space puts same-genre tracks together far more often than random pairs', () => {
    const report = sanityReport(db, 80, 7);
    const random = report.rows.find((r) => r.space === 'random pairs');
    assert.ok(random);
    for (const row of report.rows.filter((r) => r.space !== 'random pairs')) {
      assert.ok(row.sameGenre > 2 * random.sameGenre, `${row.space}: ${row.sameGenre} vs random ${random.sameGenre}`);
      assert.ok(row.sameGenre > 0.5, `${row.space}: ${row.sameGenre}`);
    }
  });
});

describe('importing external embeddings', () => {
  const dir = tempDir('chinook-vec-import-');
  const write = (name: string, lines: string[]) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, lines.join('\n'));
    return file;
  };
  const vec = (dims: number, x = 0.5) => Array.from({ length: dims }, (_, i) => (i % 2 ? x : -x));
  const good = (id: number, dims = 128) => JSON.stringify({ trackId: id, vector: vec(dims) });

  const cases: [string, string[], RegExp][] = [
    ['wrong dimension', [good(1), good(2, 127)], /line 2: vector has 127 dimensions, audio needs 128/],
    ['non-finite value', [good(1), `{"trackId":2,"vector":[1e999${',0'.repeat(127)}]}`], /line 2: .*not a finite number|line 2: .*float32/],
    ['NaN as a string', [good(1), good(2), JSON.stringify({ trackId: 3, vector: ['NaN', ...vec(127)] })], /line 3: vector\[0\] is not a finite number/],
    ['unknown track id', [good(1), good(999999)], /line 2: unknown trackId 999999/],
    ['truncated file', [good(1), good(2).slice(0, 200)], /line 2: not valid JSON/],
    ['duplicate id', [good(5), good(5)], /line 2: trackId 5 appears twice/],
    ['all-zero vector', [JSON.stringify({ trackId: 1, vector: vec(128, 0) })], /line 1: vector is all zeros/],
  ];
  for (const [name, lines, message] of cases) {
    test(`${name}: clear error naming the line, table unchanged`, () => {
      const before = snapshot('audio');
      assert.throws(() => importEmbeddings(db, 'audio', write(`${name}.jsonl`, lines)), message);
      assert.deepEqual(snapshot('audio'), before);
    });
  }

  test('a valid file replaces that space only and drops its cached neighbours', () => {
    const service = new SimilarityService(db);
    service.similar(1, 'audio', 5);
    service.similar(1, 'metadata', 5);
    const lyricBefore = snapshot('lyric');
    const r = importEmbeddings(db, 'audio', write('ok.jsonl', [good(1), '', JSON.stringify({ trackId: 2, vector: vec(128, 0.25) })]));
    assert.equal(r.imported, 2);
    const v = service.store.get(2, 'audio') as Float32Array;
    assert.equal(v[0], -0.25);
    assert.deepEqual(snapshot('lyric').rows, lyricBefore.rows);
    const types = (db.prepare('SELECT DISTINCT similarity_type AS t FROM vector_similarity_cache').all() as { t: string }[]).map((x) => x.t);
    assert.deepEqual(types, ['metadata']);
    const spaces = db.prepare("SELECT provider FROM vector_spaces WHERE space = 'audio'").get() as { provider: string };
    assert.equal(spaces.provider, 'imported:ok.jsonl');
    // Put the built vectors back for the other tests.
    buildVectors(db, { spaces: ['audio'] });
  });
});

describe('similarity cache', () => {
  test('rows are served for 24 hours, then recomputed', () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const service = new SimilarityService(db, { now: () => now });
    const cache = new SimilarityCache(db, () => now);
    assert.equal(cache.get(10, 'lyric', 5), null);
    const first = service.similar(10, 'lyric', 5);
    const cached = cache.get(10, 'lyric', 5);
    assert.deepEqual(
      cached?.map((c) => c.id),
      first.items.map((i) => i.id),
    );
    // Poison the cached scores: a fresh cache must be what answers.
    db.prepare("UPDATE vector_similarity_cache SET similarity_score = similarity_score - 0.5 WHERE source_track_id = 10 AND similarity_type = 'lyric'").run();
    now += SIMILARITY_TTL_MS - 1000;
    const fromCache = service.similar(10, 'lyric', 5);
    assert.ok(Math.abs((fromCache.items[0]?.similarity ?? 0) - ((first.items[0]?.similarity ?? 0) - 0.5)) < 1e-9);
    now += 2000;
    assert.equal(cache.get(10, 'lyric', 5), null);
    const recomputed = service.similar(10, 'lyric', 5);
    assert.deepEqual(recomputed, first);
    const ages = db.prepare("SELECT DISTINCT created_at AS at FROM vector_similarity_cache WHERE source_track_id = 10 AND similarity_type = 'lyric'").all();
    assert.deepEqual(ages, [{ at: new Date(now).toISOString() }]);
  });

  test('a larger limit than cached is not answered from the cache', () => {
    const cache = new SimilarityCache(db);
    cache.put(20, 'metadata', [{ id: 21, similarity: 0.9 }]);
    assert.equal(cache.get(20, 'metadata', 2), null);
    assert.equal(cache.get(20, 'metadata', 1)?.length, 1);
  });

  test('neighbours exclude the source and are sorted by similarity in [-1, 1]', () => {
    const service = new SimilarityService(db);
    for (const space of [...SPACES, 'blend'] as const) {
      const n = service.neighbours(1, space, 10);
      assert.equal(n.length, 10);
      assert.ok(n.every((x) => x.id !== 1 && x.similarity <= 1 + 1e-6 && x.similarity >= -1 - 1e-6));
      for (let i = 1; i < n.length; i++) assert.ok((n[i - 1]?.similarity ?? 0) >= (n[i]?.similarity ?? 0) - 1e-9);
    }
  });
});

describe('refresh after catalog edits', () => {
  test('an edited track is re-embedded and its cached neighbours dropped', async () => {
    const { CatalogEvents } = await import('../../src/catalog/events.ts');
    const { VectorRefreshQueue } = await import('../../src/vectors/refresh.ts');
    const events = new CatalogEvents();
    const service = new SimilarityService(db);
    const queue = new VectorRefreshQueue(db, service, events, 60_000);
    try {
      service.similar(7, 'metadata', 5);
      service.similar(8, 'lyric', 5);
      const before = { metadata: service.store.get(7, 'metadata'), lyric: service.store.get(7, 'lyric'), audio: service.store.get(7, 'audio') };
      // Track 7 becomes a Jazz track with a new name (the write itself is the catalog's business).
      db.prepare("UPDATE chinook_tracks SET genre_id = 2, name = 'Blue in Green Variations' WHERE id = 7").run();
      await events.emit({ type: 'track.updated', trackId: 7, albumIds: [1], artistIds: [1], genreIds: [1, 2], fields: ['genreId', 'name'] });
      const cachedFor7 = db.prepare('SELECT count(*) AS n FROM vector_similarity_cache WHERE source_track_id = 7 OR similar_track_id = 7').get() as {
        n: number;
      };
      assert.equal(cachedFor7.n, 0);
      assert.equal(queue.flush(), 1);
      assert.notDeepEqual(service.store.get(7, 'metadata'), before.metadata);
      assert.notDeepEqual(service.store.get(7, 'lyric'), before.lyric);
      assert.deepEqual(service.store.get(7, 'audio'), before.audio);
      const jazz = service.neighbours(7, 'metadata', 10);
      const genres = db
        .prepare('SELECT genre_id AS g FROM chinook_tracks WHERE id IN (SELECT value FROM json_each(?))')
        .all(JSON.stringify(jazz.map((n) => n.id))) as { g: number }[];
      assert.ok(genres.filter((g) => g.g === 2).length >= 8, 'metadata neighbours follow the new genre');
    } finally {
      queue.stop();
    }
  });
});
