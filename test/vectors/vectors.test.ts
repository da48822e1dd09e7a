import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Db } from '../../src/db/connection.ts';
import { openPrimary } from '../../src/db/connection.ts';
import { WriteQueue } from '../../src/db/write-queue.ts';
import { sanityReport } from '../../src/recommend/eval.ts';
import { buildVectors, computeEmbeddings, ensureVectors } from '../../src/vectors/build.ts';
import { Int16DotMatrix } from '../../src/vectors/dot-kernel.ts';
import { importEmbeddings } from '../../src/vectors/import.ts';
import { cosine } from '../../src/vectors/linalg.ts';
import { BLEND_WEIGHTS, SimilarityService } from '../../src/vectors/service.ts';
import { SIMILARITY_TTL_MS, SimilarityCache } from '../../src/vectors/similarity-cache.ts';
import { SNAPSHOT_ROW_BYTES } from '../../src/vectors/snapshot.ts';
import { COLUMN, DIMS, SPACES, type Space } from '../../src/vectors/spaces.ts';
import { importedDb, tempDir, testConfig } from '../helpers.ts';

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

describe('importing a .npy matrix with a file of ids', () => {
  const dir = tempDir('chinook-vec-npy-');
  /** A .npy v1.0 file as numpy.save writes it: magic, version, padded dict header, C-order data. */
  const npy = (name: string, rows: number[][], opts: { dtype?: '<f4' | '<f8' | '<i4'; shape?: string; cutBytes?: number; fortran?: boolean } = {}) => {
    const dtype = opts.dtype ?? '<f4';
    const cols = rows[0]?.length ?? 0;
    let header = `{'descr': '${dtype}', 'fortran_order': ${opts.fortran ? 'True' : 'False'}, 'shape': ${opts.shape ?? `(${rows.length}, ${cols})`}, }`;
    header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
    const size = dtype === '<f8' ? 8 : 4;
    const data = Buffer.alloc(rows.length * cols * size);
    rows.flat().forEach((x, i) => {
      if (dtype === '<f8') data.writeDoubleLE(x, i * 8);
      else if (dtype === '<f4') data.writeFloatLE(x, i * 4);
      else data.writeInt32LE(x, i * 4);
    });
    const head = Buffer.alloc(10);
    head.write('\x93NUMPY', 0, 'latin1');
    head[6] = 1;
    head[7] = 0;
    head.writeUInt16LE(header.length, 8);
    const all = Buffer.concat([head, Buffer.from(header, 'latin1'), data]);
    const file = path.join(dir, name);
    fs.writeFileSync(file, opts.cutBytes ? all.subarray(0, all.length - opts.cutBytes) : all);
    return file;
  };
  const ids = (name: string, list: unknown[], json = true) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, json ? JSON.stringify(list) : `${list.join('\n')}\n`);
    return file;
  };
  const row = (dims: number, x = 0.5) => Array.from({ length: dims }, (_, i) => (i % 2 ? x : -x));

  const cases: [string, () => [string, string], RegExp][] = [
    ['wrong dimension', () => [npy('dims.npy', [row(127), row(127)]), ids('dims.json', [1, 2])], /shape|127 dimensions, audio needs 128/],
    ['NaN', () => [npy('nan.npy', [row(128), [Number.NaN, ...row(127)]]), ids('nan.json', [1, 2])], /row 2: vector\[0\] is not a finite number/],
    ['infinity in float64', () => [npy('inf.npy', [row(128), [1e300, ...row(127)]], { dtype: '<f8' }), ids('inf.json', [1, 2])], /row 2: .*float32 range/],
    ['unknown id', () => [npy('unknown.npy', [row(128), row(128)]), ids('unknown.txt', [1, 999999], false)], /row 2: unknown trackId 999999/],
    ['duplicate id', () => [npy('dup.npy', [row(128), row(128)]), ids('dup.json', [4, 4])], /row 2: trackId 4 appears twice/],
    ['truncated array', () => [npy('cut.npy', [row(128), row(128)], { cutBytes: 4 }), ids('cut.json', [1, 2])], /truncated: shape \(2, 128\) needs \d+ bytes/],
    ['fewer ids than rows', () => [npy('count.npy', [row(128), row(128)]), ids('count.json', [1])], /2 rows but count.json lists 1 ids/],
    ['integer dtype', () => [npy('int.npy', [[1, 2]], { dtype: '<i4' }), ids('int.json', [1])], /dtype <i4 is not supported/],
    ['3-D array', () => [npy('3d.npy', [row(128)], { shape: '(1, 1, 128)' }), ids('3d.json', [1])], /must be 2-D/],
    ['Fortran order', () => [npy('f.npy', [row(128)], { fortran: true }), ids('f.json', [1])], /Fortran order/],
    ['id file with a bad line', () => [npy('badid.npy', [row(128), row(128)]), ids('badid.txt', ['1', 'x2'], false)], /ids line 2: not a track id/],
    [
      'not a .npy file',
      () => {
        fs.writeFileSync(path.join(dir, 'text.npy'), 'hello');
        return [path.join(dir, 'text.npy'), ids('text.json', [1])];
      },
      /bad magic/,
    ],
  ];
  for (const [name, files, message] of cases) {
    test(`${name}: clear error, table unchanged`, () => {
      const before = snapshot('audio');
      const [file, idFile] = files();
      assert.throws(() => importEmbeddings(db, 'audio', file, { ids: idFile }), message);
      assert.deepEqual(snapshot('audio'), before);
    });
  }

  test('a .npy file without --ids is refused', () => {
    assert.throws(() => importEmbeddings(db, 'audio', npy('noids.npy', [row(128)])), /needs --ids/);
  });

  test('float32 and float64 rows replace the listed tracks of that space only', () => {
    const lyricBefore = snapshot('lyric');
    const untouched = new SimilarityService(db).store.get(3, 'metadata');
    const r32 = importEmbeddings(db, 'metadata', npy('ok32.npy', [row(64, 0.25), row(64, 2)]), { ids: ids('ok32.txt', [1, 2], false) });
    assert.equal(r32.imported, 2);
    const r64 = importEmbeddings(db, 'metadata', npy('ok64.npy', [row(64, 0.125)], { dtype: '<f8' }), { ids: ids('ok64.json', [5]) });
    assert.equal(r64.imported, 1);
    const store = new SimilarityService(db).store;
    assert.deepEqual([...(store.get(1, 'metadata') as Float32Array).slice(0, 2)], [-0.25, 0.25]);
    assert.deepEqual([...(store.get(2, 'metadata') as Float32Array).slice(0, 2)], [-2, 2]);
    assert.deepEqual([...(store.get(5, 'metadata') as Float32Array).slice(0, 2)], [-0.125, 0.125]);
    assert.deepEqual(store.get(3, 'metadata'), untouched);
    assert.deepEqual(snapshot('lyric').rows, lyricBefore.rows);
    const spaces = db.prepare("SELECT provider FROM vector_spaces WHERE space = 'metadata'").get() as { provider: string };
    assert.equal(spaces.provider, 'imported:ok64.npy');
    buildVectors(db, { spaces: ['metadata'] });
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

  test('with a write queue, computed lists are stored by its next commit, unless vectors changed meanwhile', async () => {
    const writer = openPrimary({ ...testConfig(), dbPath: db.name });
    const writes = new WriteQueue(writer);
    const service = new SimilarityService(db);
    service.storeNeighboursWith(writes);
    const rowsFor = (id: number) =>
      db.prepare("SELECT count(*) FROM vector_similarity_cache WHERE source_track_id = ? AND similarity_type = 'audio'").pluck().get(id);
    try {
      service.similar(30, 'audio', 5);
      assert.equal(rowsFor(30), 0, 'not written on the request path');
      await writes.drain();
      // A list of 5 computes 2 × 5 + 10 neighbours (SimilarityService.similar).
      assert.equal(rowsFor(30), 20);
      service.similar(30, 'audio', 20);
      await writes.drain();
      assert.equal(rowsFor(30), 50, 'a list of 20 needs more than the 20 cached: 50 computed and stored');
      // An edit lands between computing and storing: the list may be stale, so it is dropped.
      service.similar(31, 'audio', 5);
      const v = service.store.getAll(31) as Record<Space, Float32Array>;
      service.store.write({ ids: [31], vectors: { audio: [v.audio] } });
      await writes.drain();
      assert.equal(rowsFor(31), 0);
      service.similar(31, 'audio', 5);
      await writes.drain();
      assert.equal(rowsFor(31), 20);
    } finally {
      await writes.close();
      writer.close();
    }
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

describe('similar tracks from the in-memory copy', () => {
  /** Σ w·cosine over the three spaces against every other track: the definition, scanned in float64. */
  const bruteForce = (service: SimilarityService, source: number, weights: Partial<Record<Space, number>>, k: number) => {
    const q = service.store.getAll(source);
    assert.ok(q);
    const ids = db.prepare('SELECT track_id FROM track_vectors').pluck().all() as number[];
    return ids
      .filter((id) => id !== source)
      .map((id) => {
        const v = service.store.getAll(id);
        assert.ok(v);
        return { id, similarity: SPACES.reduce((sum, s) => sum + (weights[s] ?? 0) * cosine(q[s], v[s]), 0) };
      })
      .sort((a, b) => b.similarity - a.similarity || a.id - b.id)
      .slice(0, k);
  };
  /**
   * How far the int16 copy may move a similarity of `source` to any track, by space: its
   * rounding turns each stored vector by at most Int16DotMatrix.directionError, so a dot
   * product of two stored unit vectors moves by at most the sum of theirs (plus f32 sums).
   */
  const worstTurn = (() => {
    const service = new SimilarityService(db);
    const ids = db.prepare('SELECT track_id FROM track_vectors').pluck().all() as number[];
    const max = Object.fromEntries(SPACES.map((s) => [s, 0])) as Record<Space, number>;
    for (const id of ids) {
      const v = service.store.getAll(id);
      assert.ok(v);
      for (const s of SPACES) max[s] = Math.max(max[s], Int16DotMatrix.directionError(v[s]));
    }
    return max;
  })();
  const tolerance = (service: SimilarityService, source: number, weights: Partial<Record<Space, number>>) => {
    const q = service.store.getAll(source);
    assert.ok(q);
    return SPACES.reduce((sum, s) => sum + Math.abs(weights[s] ?? 0) * (Int16DotMatrix.directionError(q[s]) + worstTurn[s] + 1e-6), 0);
  };
  const sameRanking = (got: { id: number; similarity: number }[], want: { id: number; similarity: number }[], what: string, tol: number) => {
    assert.equal(got.length, want.length, what);
    // The bound is not vacuous: on Chinook it is 1e-4–6e-4, the scores spread over ~0.5.
    assert.ok(tol < 1e-3, `${what}: tolerance ${tol}`);
    got.forEach((g, i) => {
      // Rounding can swap near-equal neighbours; the scores rank by rank must agree within the bound.
      assert.ok(Math.abs(g.similarity - (want[i]?.similarity ?? Number.NaN)) <= tol, `${what} rank ${i}: ${g.similarity} vs ${want[i]?.similarity}`);
    });
    assert.ok(got.filter((g) => want.some((w) => w.id === g.id)).length >= want.length - 1, `${what}: same neighbours`);
  };

  test('blend is the weighted sum of the three cosines, and each space matches vec0, within the int16 rounding', () => {
    const service = new SimilarityService(db);
    for (const source of [1, 77, 402, 1200, 2333, 3500]) {
      sameRanking(
        service.neighbours(source, 'blend', 20),
        bruteForce(service, source, BLEND_WEIGHTS, 20),
        `blend of ${source}`,
        tolerance(service, source, BLEND_WEIGHTS),
      );
      for (const space of SPACES) {
        const q = service.store.get(source, space);
        assert.ok(q);
        const vec0 = service.store
          .scan(space, q, 21)
          .filter((n) => n.id !== source)
          .slice(0, 20)
          .map((n) => ({ id: n.id, similarity: 1 - n.distance }));
        sameRanking(service.neighbours(source, space, 20), vec0, `${space} of ${source}`, tolerance(service, source, { [space]: 1 }));
      }
    }
  });

  test('writes, new tracks and removals from another connection are seen by the next query', () => {
    const service = new SimilarityService(db);
    const [a, b] = [5, 3000];
    const before = service.neighbours(a, 'blend', 5);
    assert.ok(!before.some((n) => n.id === b));
    const other = openPrimary({ ...testConfig(), dbPath: db.name });
    const otherStore = new SimilarityService(other).store;
    const original = otherStore.getAll(b);
    const copy = otherStore.getAll(a);
    assert.ok(original && copy);
    const asBatch = (id: number, v: Record<Space, Float32Array>) => ({ ids: [id], vectors: { audio: [v.audio], lyric: [v.lyric], metadata: [v.metadata] } });
    try {
      otherStore.write(asBatch(b, copy));
      const after = service.neighbours(a, 'blend', 5);
      assert.equal(after[0]?.id, b);
      assert.ok(Math.abs((after[0]?.similarity ?? 0) - 1) < 1e-5);
      otherStore.remove([b]);
      assert.ok(!service.neighbours(a, 'blend', 50).some((n) => n.id === b), 'a removed track is never a neighbour');
      // Back as a track the copy has no row for: it takes a spare row.
      otherStore.write(asBatch(b, copy));
      assert.equal(service.neighbours(a, 'blend', 1)[0]?.id, b);
    } finally {
      otherStore.write(asBatch(b, original));
      other.close();
    }
    assert.deepEqual(service.neighbours(a, 'blend', 5), before);
    assert.equal(service.vectorMemory()?.tracks, 3503);
  });

  test('a copy too far behind (its changes pruned) reloads instead of missing them', () => {
    const service = new SimilarityService(db);
    const [a, b] = [9, 2900];
    const before = service.neighbours(a, 'metadata', 3);
    const original = service.store.getAll(b);
    const copy = service.store.getAll(a);
    assert.ok(original && copy);
    const other = openPrimary({ ...testConfig(), dbPath: db.name });
    const otherStore = new SimilarityService(other).store;
    try {
      otherStore.write({ ids: [b], vectors: { metadata: [copy.metadata] } });
      // As if thousands of changes had come and gone: the row telling of b is pruned.
      other.prepare('DELETE FROM vector_changes').run();
      otherStore.write({ ids: [1], vectors: { metadata: [otherStore.get(1, 'metadata') as Float32Array] } });
      assert.equal(service.store.changesSince(service.vectorMemory()?.revision ?? 0, 500), null);
      assert.equal(service.neighbours(a, 'metadata', 1)[0]?.id, b);
    } finally {
      otherStore.write({ ids: [b], vectors: { metadata: [original.metadata] } });
      other.close();
    }
    assert.deepEqual(service.neighbours(a, 'metadata', 3), before);
  });

  test('a bulk write (build, import) from another connection makes the copy reload', () => {
    const service = new SimilarityService(db);
    const [a, b] = [12, 2800];
    const before = service.neighbours(a, 'blend', 3);
    const other = openPrimary({ ...testConfig(), dbPath: db.name });
    const otherStore = new SimilarityService(other).store;
    const original = otherStore.getAll(b);
    const copy = otherStore.getAll(a);
    assert.ok(original && copy);
    const all = (v: Record<Space, Float32Array>) => ({ ids: [b], vectors: { audio: [v.audio], lyric: [v.lyric], metadata: [v.metadata] } });
    try {
      // No row per track inside bulk(): only the "everything changed" row tells the copy.
      other.transaction(() => otherStore.bulk(() => otherStore.write(all(copy))))();
      assert.equal(other.prepare('SELECT count(*) FROM vector_changes WHERE track_id = ?').pluck().get(b), 0);
      assert.equal(service.neighbours(a, 'blend', 1)[0]?.id, b);
    } finally {
      otherStore.write(all(original));
      other.close();
    }
    assert.deepEqual(service.neighbours(a, 'blend', 3), before);
  });

  test('a catalog without vectors is looked at again once they are built', () => {
    const fresh = importedDb().db;
    try {
      const service = new SimilarityService(fresh);
      assert.deepEqual(service.neighbours(1, 'blend', 5), []);
      assert.equal(service.vectorMemory(), null);
      buildVectors(fresh);
      assert.equal(service.neighbours(1, 'blend', 5).length, 5);
      assert.equal(service.vectorMemory()?.tracks, 3503);
    } finally {
      fresh.close();
    }
  });

  test('loading the copy leaves none of the vector pages it read mapped in the process (RSS)', (t) => {
    if (!fs.existsSync('/proc/self/smaps')) return t.skip('needs Linux /proc');
    // A file of its own, so the only mapping of it is this connection's.
    const config = testConfig();
    db.prepare('VACUUM INTO ?').run(config.dbPath);
    const own = openPrimary(config);
    try {
      /** Resident KiB of every mapping of the file, from /proc/self/smaps. */
      const residentKiB = () => {
        let inFile = false;
        let kib = 0;
        for (const line of fs.readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
          if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) inFile = line.endsWith(` ${config.dbPath}`);
          else if (inFile && line.startsWith('Rss:')) kib += Number(line.split(/\s+/)[1]);
        }
        return kib;
      };
      const service = new SimilarityService(own);
      assert.equal(service.warmVectors()?.tracks, 3503);
      // The scan read ~8 MiB of vec0 chunks through the map (f32, 3,503 × 576 floats); the copy answers from now on.
      assert.ok(residentKiB() < 1024, `${residentKiB()} KiB of the file still mapped`);
      assert.equal(service.neighbours(42, 'audio', 5).length, 5);
      assert.ok((own.pragma('mmap_size', { simple: true }) as number) > 0, 'the map is back on for later reads');
    } finally {
      own.close();
    }
  });

  test('over the memory cap, vec0 answers: blend re-scores each space’s nearest', () => {
    const inMemory = new SimilarityService(db);
    const capped = new SimilarityService(db, { vectorMemoryBytes: 1024 });
    assert.equal(capped.warmVectors(), null);
    const held = inMemory.warmVectors();
    assert.equal(held?.tracks, 3503);
    // int16 rows and a scale per space: 1,164 bytes a track (f32 took 2,304), spare rows included.
    assert.equal(SNAPSHOT_ROW_BYTES, 576 * 2 + 3 * 4);
    assert.ok(held && held.bytes >= 3503 * SNAPSHOT_ROW_BYTES && held.bytes < 4.5 * 2 ** 20);
    const exact = inMemory.neighbours(42, 'blend', 10);
    const rescored = capped.neighbours(42, 'blend', 10);
    assert.equal(rescored.length, 10);
    assert.deepEqual(rescored, capped.blendByRescoring(42, 10));
    // Re-scoring is exact for the candidates it finds; here it finds most of the true top 10.
    assert.ok(rescored.filter((r) => exact.some((e) => e.id === r.id)).length >= 8);
    const q = capped.store.get(42, 'audio') as Float32Array;
    assert.deepEqual(
      capped.neighbours(42, 'audio', 5).map((n) => n.id),
      capped.store
        .scan('audio', q, 6)
        .filter((n) => n.id !== 42)
        .slice(0, 5)
        .map((n) => n.id),
    );
  });
});

describe('refresh after catalog edits', () => {
  test('an edited track is re-embedded and its cached neighbours dropped', async () => {
    const { DomainEvents } = await import('../../src/events/index.ts');
    const { VectorRefreshQueue } = await import('../../src/vectors/refresh.ts');
    const events = new DomainEvents();
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

describe('native addons', () => {
  // Runs last in this file (its own process under node --test): every test above served similar
  // tracks from a 3,503-track catalog, under the in-memory threshold.
  test("a catalog under the in-memory threshold never loads usearch's addon (1.2 MiB of RSS)", () => {
    const service = new SimilarityService(db);
    for (const space of [...SPACES, 'blend'] as const) assert.equal(service.similar(11, space, 10).items.length, 10);
    const maps = fs.readFileSync('/proc/self/maps', 'utf8');
    assert.ok(maps.includes('better_sqlite3.node'), 'the check reads the maps of this process');
    assert.ok(!maps.includes('usearch.node'), 'usearch.node is mapped');
  });
});
