// The large-catalog index (src/vectors/ann/) on a 20 000-track synthetic catalog: built beside
// the database, exact distances, recall against the exact scan, survives a restart, follows
// writes of another process, rebuilt when missing or stale, and kept by the refresh queue.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { Index } from 'usearch';
import { CatalogEditor } from '../../src/catalog/edits.ts';
import { CatalogService } from '../../src/catalog/index.ts';
import { projectRoot } from '../../src/config.ts';
import { type Db, openPrimary } from '../../src/db/connection.ts';
import { DomainEvents } from '../../src/events/index.ts';
import { importSynthetic } from '../../src/importer/synthetic.ts';
import { invoiceLineCount } from '../../src/store/index.ts';
import { ANN_SETTINGS, annPath, buildAnnFile, readMeta } from '../../src/vectors/ann/ann-file.ts';
import { usearchLib } from '../../src/vectors/ann/ann-index.ts';
import { ensureGroups } from '../../src/vectors/ann/ensure.ts';
import { groupsTable, membersTable } from '../../src/vectors/ann/groups.ts';
import { unitPath, writeUnitFile } from '../../src/vectors/ann/unit-file.ts';
import { buildVectors, ensureVectors } from '../../src/vectors/build.ts';
import { VectorRefreshQueue } from '../../src/vectors/refresh.ts';
import { BLEND_WEIGHTS, SimilarityService } from '../../src/vectors/service.ts';
import { SPACES, type Space } from '../../src/vectors/spaces.ts';
import { VectorStore } from '../../src/vectors/store.ts';
import { testConfig } from '../helpers.ts';

const exec = promisify(execFile);
const TRACKS = 20_000;
let db: Db;
let dbPath: string;
let store: VectorStore;

const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
const cosineDistance = (a: Float32Array, b: Float32Array) => 1 - a.reduce((s, x, j) => s + x * (b[j] as number), 0) / (norm(a) * norm(b));
const queryIds = Array.from({ length: 40 }, (_, i) => 1 + ((i * 7919) % TRACKS));

/** The CLI in a child process: another process writing to the same file. */
async function chinook(args: string[]): Promise<string> {
  const { stdout } = await exec(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'src', 'cli', 'main.ts'), '--db', dbPath, ...args], {
    cwd: projectRoot,
    timeout: 120_000,
  });
  return stdout;
}

/** Tie-aware recall@10 of the index against vec0's exact scan (many tracks share a vector). */
function recall(s: VectorStore, space: Space, ids: readonly number[]): number {
  let found = 0;
  for (const id of ids) {
    const q = s.get(id, space) as Float32Array;
    const kth = s.scan(space, q, 10)[9]?.distance as number;
    for (const n of s.knn(space, q, 10)) if (n.distance <= kth + 1e-5) found++;
  }
  return found / (10 * ids.length);
}

before(() => {
  const config = testConfig();
  dbPath = config.dbPath;
  db = openPrimary(config);
  importSynthetic(db, { tracks: TRACKS });
  // 20k is below the production threshold (ANN_MIN_TRACKS); 0 gives it the index.
  buildVectors(db, { indexMinTracks: 0 });
  store = new VectorStore(db);
});
after(() => db.close());

describe('ANN index files', () => {
  test('a build writes one file per space beside the database, over the distinct vectors', () => {
    for (const s of SPACES) {
      const file = annPath(dbPath, s);
      assert.equal(path.dirname(file), path.dirname(dbPath));
      assert.ok(fs.existsSync(file), file);
      const meta = readMeta(file);
      assert.ok(meta);
      const groups = db
        .prepare(`SELECT count(*) FROM ${groupsTable(s)}`)
        .pluck()
        .get() as number;
      assert.equal(meta.count, groups, `${s}: one graph node per distinct vector`);
      assert.equal(
        db
          .prepare(`SELECT count(*) FROM ${membersTable(s)}`)
          .pluck()
          .get(),
        TRACKS,
      );
      assert.equal(store.index(s)?.ann.status().unusable, null, `${s} file serves`);
    }
  });

  test('KNN recalls ≥ 0.95 of the exact top 10 and reports exact cosine distances', () => {
    for (const s of SPACES) {
      const r = recall(store, s, queryIds);
      assert.ok(r >= 0.95, `${s} recall@10 ${r}`);
      for (const id of queryIds.slice(0, 5)) {
        const q = store.get(id, s) as Float32Array;
        for (const n of store.knn(s, q, 10)) assert.ok(Math.abs(n.distance - cosineDistance(q, store.get(n.id, s) as Float32Array)) < 1e-5);
      }
    }
  });

  test('/similar through the index: per space and blended, exact similarities, the in-memory scan’s neighbours', () => {
    const viaIndex = new SimilarityService(db, { vectorMemoryBytes: 0 });
    const inMemory = new SimilarityService(db, { vectorMemoryBytes: 1024 * 2 ** 20 });
    assert.ok(inMemory.warmVectors(), 'the in-memory scan holds the catalog');
    // The in-memory copy's int16 rounding moves a similarity of two stored unit vectors by at most
    // 2·√384/32767 (Int16DotMatrix.directionError, twice, at its largest).
    const INT16_SLACK = 1.2e-3;
    const cos = (a: number, b: number, s: Space) => 1 - cosineDistance(store.get(a, s) as Float32Array, store.get(b, s) as Float32Array);
    const exactSimilarity = (a: number, b: number, space: Space | 'blend') =>
      space === 'blend' ? SPACES.reduce((sum, s) => sum + BLEND_WEIGHTS[s] * cos(a, b, s), 0) : cos(a, b, space);
    let shared = 0;
    let total = 0;
    for (const id of queryIds.slice(0, 20)) {
      for (const space of [...SPACES, 'blend'] as const) {
        const want = inMemory.neighbours(id, space, 10);
        const got = viaIndex.neighbours(id, space, 10);
        assert.equal(got.length, 10);
        assert.ok(!got.some((n) => n.id === id), 'never the track itself');
        // Exact scores, whatever the candidates (the index re-ranks from the f32 unit vectors)...
        for (const n of got) {
          const e = exactSimilarity(id, n.id, space);
          assert.ok(Math.abs(e - n.similarity) < 1e-5, `${space} ${id}→${n.id}: ${n.similarity} vs ${e}`);
        }
        // ...and none is better than the in-memory scan's best (ties at the 10th place aside).
        for (const n of got) assert.ok(n.similarity <= (want[0]?.similarity as number) + INT16_SLACK);
        const kth = want[9]?.similarity as number;
        shared += got.filter((n) => n.similarity >= kth - INT16_SLACK).length;
        total += 10;
      }
    }
    assert.ok(shared / total >= 0.95, `recall@10 over the four kinds ${shared / total}`);
  });

  test('survives a restart: another connection serves the same file without rebuilding it', () => {
    const builtAt = SPACES.map((s) => readMeta(annPath(dbPath, s))?.builtAt);
    const other = openPrimary({ ...testConfig(), dbPath });
    try {
      assert.equal(ensureVectors(other, undefined, 0), null, 'nothing to build');
      assert.deepEqual(
        SPACES.map((s) => readMeta(annPath(dbPath, s))?.builtAt),
        builtAt,
      );
      const fresh = new VectorStore(other);
      for (const s of SPACES) assert.equal(fresh.index(s)?.ann.status().unusable, null);
      const q = fresh.get(queryIds[0] as number, 'lyric') as Float32Array;
      assert.deepEqual(
        fresh.knn('lyric', q, 10).map((n) => n.id),
        store.knn('lyric', q, 10).map((n) => n.id),
      );
    } finally {
      other.close();
    }
  });

  test('follows a write by another process (`chinook vectors import`) at its next query', async () => {
    const id = queryIds[3] as number;
    const old = store.get(id, 'audio') as Float32Array;
    // A direction no track has: a new group, absent from the file.
    const moved = Float32Array.from(old, (x, j) => x + (j % 3 === 0 ? 0.3 : -0.1));
    assert.notEqual(store.knn('audio', moved, 1)[0]?.distance, 0);
    const file = path.join(path.dirname(dbPath), 'moved.jsonl');
    fs.writeFileSync(file, `${JSON.stringify({ trackId: id, vector: Array.from(moved) })}\n`);
    await chinook(['vectors', 'import', '--space', 'audio', file]);
    const seenAt = performance.now();
    const hit = store.knn('audio', moved, 1)[0];
    assert.equal(hit?.id, id, 'found by its new vector');
    assert.ok((hit?.distance as number) < 1e-6);
    assert.ok(performance.now() - seenAt < 1000);
    assert.ok((store.index('audio')?.ann.status().delta as number) >= 1, 'searched from memory until the file is rebuilt');
    assert.ok(!store.knn('audio', old, 50).some((n) => n.id === id && n.distance < 1e-6), 'no longer found at its old vector');
    fs.writeFileSync(file, `${JSON.stringify({ trackId: id, vector: Array.from(old) })}\n`);
    await chinook(['vectors', 'import', '--space', 'audio', file]);
    assert.ok(
      store.knn('audio', old, 50).some((n) => n.id === id && n.distance < 1e-6),
      'back at its old vector',
    );
  });

  // Metadata: the cheapest file to rebuild (68 s against audio's 235 s at 100k).
  test('a missing file: a running process keeps its mapping, a new one scans exactly; `chinook vectors build --index-only` rebuilds it', async () => {
    const file = annPath(dbPath, 'metadata');
    const builtAt = readMeta(file)?.builtAt;
    fs.rmSync(file);
    const q = store.get(queryIds[1] as number, 'metadata') as Float32Array;
    // This process mapped the file: its pages stay readable after the unlink, answers unchanged.
    assert.ok(recall(store, 'metadata', queryIds.slice(0, 10)) >= 0.95);
    const other = openPrimary({ ...testConfig(), dbPath });
    try {
      const fresh = new VectorStore(other);
      assert.match(fresh.index('metadata')?.ann.status().unusable ?? '', /missing/);
      assert.deepEqual(
        fresh.knn('metadata', q, 10).map((n) => Math.round(n.distance * 1e5)),
        fresh.scan('metadata', q, 10).map((n) => Math.round(n.distance * 1e5)),
        'exact meanwhile',
      );
      const out = await chinook(['vectors', 'build', '--index-only', '--space', 'metadata', '-q']);
      assert.match(out, /Rebuilt the index of metadata/);
      assert.ok(fs.existsSync(file));
      await sleep(1100); // a process looks at the file at most once a second
      for (const s of [fresh, store]) {
        const status = s.index('metadata')?.ann.status();
        assert.equal(status?.unusable, null, 'the new file is mapped');
        assert.notEqual(status?.meta?.builtAt, builtAt);
        assert.ok(recall(s, 'metadata', queryIds.slice(0, 10)) >= 0.95);
      }
    } finally {
      other.close();
    }
  });

  test('a file of an older build of the vectors is stale and rebuilt at start (ensureVectors)', () => {
    const file = annPath(dbPath, 'lyric');
    const before = readMeta(file);
    assert.ok(before);
    // What a full rebuild of the groups does to the files of the build before.
    db.transaction(() => {
      db.exec(`DROP TABLE ${groupsTable('lyric')}`);
      ensureGroups(db, 0);
    })();
    assert.match(store.index('lyric')?.ann.status().unusable ?? '', /older build/);
    const labels = new Set<string>();
    ensureVectors(db, (_d, _t, label) => labels.add(label), 0);
    assert.ok(
      [...labels].some((l) => l.startsWith('index lyric')),
      'progress reported',
    );
    const after = readMeta(file);
    assert.notEqual(after?.groupsBuild, before.groupsBuild);
    assert.equal(store.index('lyric')?.ann.status().unusable, null);
    assert.ok(recall(store, 'lyric', queryIds.slice(0, 10)) >= 0.95);
  });

  test('`chinook vectors build` in another process rebuilds a space and its file; this process serves the new one at its next query', async () => {
    const file = annPath(dbPath, 'metadata');
    const before = readMeta(file);
    const out = await chinook(['vectors', 'build', '--space', 'metadata', '--index-min-tracks', '0', '-q']);
    assert.match(out, /Built metadata for 20000 tracks/);
    const after = readMeta(file);
    assert.ok(after && before);
    assert.notEqual(after.groupsBuild, before.groupsBuild, 'new groups, new file');
    assert.notEqual(after.builtAt, before.builtAt);
    const status = store.index('metadata')?.ann.status();
    assert.equal(status?.unusable, null);
    assert.equal(status?.meta?.groupsBuild, after.groupsBuild);
    assert.ok(recall(store, 'metadata', queryIds.slice(0, 10)) >= 0.95);
  });

  test('a file that holds groups its database never gave out (a restored backup) is not used', () => {
    const table = groupsTable('metadata');
    const seq = db.prepare('SELECT seq FROM sqlite_sequence WHERE name = ?').pluck().get(table) as number;
    assert.equal(seq, readMeta(annPath(dbPath, 'metadata'))?.maxGroup);
    db.prepare('UPDATE sqlite_sequence SET seq = ? WHERE name = ?').run(seq - 1, table);
    try {
      assert.match(new VectorStore(db).index('metadata')?.ann.status().unusable ?? '', /later state/);
    } finally {
      db.prepare('UPDATE sqlite_sequence SET seq = ? WHERE name = ?').run(seq, table);
    }
    assert.equal(new VectorStore(db).index('metadata')?.ann.status().unusable, null);
  });

  test('the layout before the ANN files (sharded vec0 tables) is dropped', () => {
    db.exec('CREATE VIRTUAL TABLE track_vectors_index_audio USING vec0(group_id INTEGER PRIMARY KEY, unit FLOAT[128])');
    db.exec('CREATE TABLE track_vectors_index_audio_members (track_id INTEGER PRIMARY KEY, group_id INTEGER NOT NULL)');
    db.transaction(() => ensureGroups(db, 0))();
    assert.equal(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'track_vectors_index%'").pluck().get(), 0);
  });
});

describe('the unit file: the exact re-rank’s vectors beside the database', () => {
  const unitMeta = (s: Space) => JSON.parse(fs.readFileSync(`${unitPath(dbPath, s)}.json`, 'utf8')) as { maxGroup: number; bytes: number };
  /** Every returned distance is the exact cosine distance of the two f32 vectors. */
  const assertExact = (s: VectorStore, space: Space, ids: readonly number[]) => {
    for (const id of ids) {
      const q = s.get(id, space) as Float32Array;
      const found = s.knn(space, q, 20, { track: id });
      assert.equal(found.length, 20);
      for (const n of found) {
        const d = cosineDistance(q, s.get(n.id, space) as Float32Array);
        assert.ok(Math.abs(n.distance - d) < 1e-5, `${space} ${id}→${n.id}: ${n.distance} vs ${d}`);
      }
    }
  };

  test('one per space, holding each group’s unit vector at its id, byte for byte the groups table’s', () => {
    for (const s of SPACES) {
      const meta = unitMeta(s);
      assert.equal(meta.maxGroup, readMeta(annPath(dbPath, s))?.maxGroup, `${s}: the groups the graph holds`);
      assert.equal(meta.bytes, meta.maxGroup * { audio: 128, lyric: 384, metadata: 64 }[s] * 4);
      assert.equal(store.index(s)?.ann.status().unitsUpTo, meta.maxGroup, `${s}: served from the file`);
      const bytes = fs.readFileSync(unitPath(dbPath, s));
      const rows = db
        .prepare(`SELECT group_id, unit FROM ${groupsTable(s)} WHERE group_id % 97 = 1`)
        .raw(true)
        .all() as [number, Buffer][];
      assert.ok(rows.length > 50);
      for (const [g, unit] of rows) assert.ok(bytes.subarray((g - 1) * unit.length, g * unit.length).equals(unit), `${s} group ${g}`);
    }
  });

  test('read through once at start (`chinook serve`): every space’s graph and unit file, whole, and the membership maps loaded', async () => {
    const service = new SimilarityService(db, { vectorMemoryBytes: 0 });
    assert.ok(SPACES.every((s) => service.store.index(s)?.ann.status().membersLoaded === false));
    const warmed = await service.warmIndexFiles();
    assert.ok(
      SPACES.every((s) => service.store.index(s)?.ann.status().membersLoaded === true),
      'the membership maps are loaded before the first query',
    );
    const files = SPACES.flatMap((s) => [annPath(dbPath, s), unitPath(dbPath, s)]);
    assert.equal(warmed?.skipped, undefined);
    assert.equal(warmed?.files, 6);
    assert.equal(
      warmed?.bytes,
      files.reduce((n, f) => n + fs.statSync(f).size, 0),
    );
  });

  test('groups newer than the file are re-ranked from SQLite: distances exact across the two', () => {
    // A file that stops halfway: what a process sees when groups were created after the file was written.
    const space: Space = 'audio';
    const file = unitPath(dbPath, space);
    const full = unitMeta(space);
    const half = Math.floor(full.maxGroup / 2);
    const saved = fs.readFileSync(file);
    const savedMeta = fs.readFileSync(`${file}.json`);
    try {
      fs.writeFileSync(file, saved.subarray(0, (full.bytes / full.maxGroup) * half));
      fs.writeFileSync(`${file}.json`, JSON.stringify({ ...full, maxGroup: half, bytes: (full.bytes / full.maxGroup) * half }));
      const other = openPrimary({ ...testConfig(), dbPath });
      try {
        const fresh = new VectorStore(other);
        assert.equal(fresh.index(space)?.ann.status().unitsUpTo, half);
        assertExact(fresh, space, queryIds.slice(0, 10));
      } finally {
        other.close();
      }
    } finally {
      fs.writeFileSync(file, saved);
      fs.writeFileSync(`${file}.json`, savedMeta);
    }
  });

  test('a missing or stale one: exact from SQLite meanwhile, and the next start writes it without rebuilding the graph', () => {
    const space: Space = 'lyric';
    const builtAt = readMeta(annPath(dbPath, space))?.builtAt;
    fs.rmSync(unitPath(dbPath, space));
    const other = openPrimary({ ...testConfig(), dbPath });
    try {
      const fresh = new VectorStore(other);
      assert.equal(fresh.index(space)?.ann.status().unitsUpTo, null, 'a file without its size is not used');
      assertExact(fresh, space, queryIds.slice(0, 10));
      const labels = new Set<string>();
      ensureVectors(other, (_d, _t, label) => labels.add(label), 0);
      assert.deepEqual([...labels], [`unit vectors ${space}`]);
      assert.equal(readMeta(annPath(dbPath, space))?.builtAt, builtAt, 'the graph was not rebuilt');
      assert.equal(fresh.index(space)?.ann.status().unitsUpTo, unitMeta(space).maxGroup);
      assertExact(fresh, space, queryIds.slice(0, 10));
    } finally {
      other.close();
    }
    // Written by another build of the groups: not used.
    const meta = unitMeta(space);
    fs.writeFileSync(`${unitPath(dbPath, space)}.json`, JSON.stringify({ ...meta, groupsBuild: 'another' }));
    try {
      assert.equal(new VectorStore(db).index(space)?.ann.status().unitsUpTo, null);
    } finally {
      writeUnitFile(db, space);
    }
    assert.equal(new VectorStore(db).index(space)?.ann.status().unitsUpTo, meta.maxGroup);
  });
});

/** Records the k asked of every usearch graph search until `restore()`. */
function recordSearches(): { calls: number[]; restore: () => void } {
  const calls: number[] = [];
  const { Index } = usearchLib();
  const original = Index.prototype.search;
  Index.prototype.search = function (this: Index, ...a: Parameters<typeof original>) {
    calls.push(a[1]);
    return original.apply(this, a);
  } as typeof original;
  return { calls, restore: () => (Index.prototype.search = original) };
}

describe('a query by track that misses its own group searches again, wider', () => {
  test('one graph search when the graph returns the track’s group; a second at 4× the width when it does not', () => {
    // The k of every graph search (the in-memory graph of groups created since the file is searched too, with k 20).
    const { calls, restore } = recordSearches();
    const wide = 4 * ANN_SETTINGS.audio.expansionSearch;
    const retries = () => calls.filter((k) => k === wide).length;
    try {
      const id = queryIds[9] as number;
      const own = store.get(id, 'audio') as Float32Array;
      const ann = store.index('audio')?.ann;
      assert.ok(ann);
      ann.search(own, 10, { track: id });
      assert.ok(calls.length > 0 && retries() === 0, 'its own vector: found at once, no second search');
      // A vector far from the track's own: the graph cannot return the track's group, as when a search runs aground.
      const far = Float32Array.from(own, (x) => -x);
      calls.length = 0;
      const found = ann.search(far, 10, { track: id }) ?? [];
      assert.equal(retries(), 1, `searched again at k ${wide}: ${calls}`);
      assert.equal(found.length, 10);
      calls.length = 0;
      ann.search(far, 10, { track: id, retry: false });
      assert.equal(retries(), 0, 'retry: false (the benchmark’s comparison) searches once');
    } finally {
      restore();
    }
  });
});

describe('the graph is asked for no more candidates than its search width, unless k is more', () => {
  test('audio (ef 30) asks 30 for k 30 and 20 for k 10; lyric (ef 64) asks k + 10', () => {
    // usearch searches max(ef, asked) wide: candidates past ef would widen the search itself (candidatesFor, ann-index.ts).
    const { calls: asked, restore } = recordSearches();
    const askedFor = (space: Space, k: number) => {
      asked.length = 0;
      const id = queryIds[3] as number;
      const found = store.index(space)?.ann.search(store.get(id, space) as Float32Array, k, { track: id });
      assert.equal(found?.length, k);
      return Math.max(...asked);
    };
    try {
      assert.equal(ANN_SETTINGS.audio.expansionSearch, 30);
      assert.equal(askedFor('audio', 30), 30);
      assert.equal(askedFor('audio', 10), 20);
      assert.equal(askedFor('audio', 50), 50);
      assert.equal(askedFor('lyric', 30), 40);
    } finally {
      restore();
    }
  });
});

describe('refresh keeps the index in step with created and deleted tracks', () => {
  test('a created track is found through the index at once; a deleted one is gone', async () => {
    const service = new SimilarityService(db, { vectorMemoryBytes: 0 });
    const events = new DomainEvents();
    const queue = new VectorRefreshQueue(db, service, events, 60_000);
    const editor = new CatalogEditor(db, new CatalogService(db), { events, invoiceLinesOf: invoiceLineCount });
    try {
      const album = db.prepare('SELECT album_id FROM chinook_tracks WHERE id = ?').pluck().get(queryIds[5]) as number;
      const track = await editor.createTrack({
        name: 'Thunder Over The Bay',
        albumId: album,
        mediaTypeId: 1,
        genreId: 1,
        milliseconds: 240_000,
        unitPrice: 0.99,
      });
      assert.equal(queue.flush(), 1);
      for (const s of SPACES) {
        const v = service.store.get(track.id, s) as Float32Array;
        assert.ok(
          service.store.knn(s, v, 20).some((n) => n.id === track.id && n.distance < 1e-6),
          `${s}: the new track is found by its vector`,
        );
      }
      assert.ok(service.similar(track.id, 'lyric', 5).items.length === 5);
      await editor.deleteTrack(track.id);
      queue.flush();
      for (const s of SPACES) {
        assert.equal(
          db
            .prepare(`SELECT count(*) FROM ${membersTable(s)} WHERE track_id = ?`)
            .pluck()
            .get(track.id),
          0,
        );
        const q = service.store.get(queryIds[5] as number, s) as Float32Array;
        assert.ok(!service.store.knn(s, q, 50).some((n) => n.id === track.id), `${s}: gone`);
      }
    } finally {
      queue.stop();
    }
  });
});

describe('the ranked groups expand to tracks', () => {
  test('a group of several tracks gives its lowest ids first, no more than asked; a group deleted since the file is skipped', () => {
    let checked = 0;
    for (const s of SPACES) {
      const shared = db
        .prepare(`SELECT group_id FROM ${membersTable(s)} GROUP BY group_id HAVING count(*) >= 2 ORDER BY count(*) DESC, group_id LIMIT 1`)
        .pluck()
        .get() as number | undefined;
      if (shared === undefined) continue;
      const members = db
        .prepare(`SELECT track_id FROM ${membersTable(s)} WHERE group_id = ? ORDER BY track_id`)
        .pluck()
        .all(shared) as number[];
      const q = store.get(members[0] as number, s) as Float32Array;
      assert.deepEqual(
        store.knn(s, q, 1).map((n) => n.id),
        [members[0]],
        `${s}: k = 1 takes the group's lowest id`,
      );
      const all = store.knn(s, q, members.length);
      assert.deepEqual(
        all.map((n) => n.id),
        members,
        `${s}: the whole group, in id order`,
      );
      assert.ok(all.every((n) => Math.abs(n.distance) < 1e-5));
      checked++;
    }
    assert.ok(checked > 0, 'the synthetic catalog has tracks that share a vector');
    // A track of the file's graph loses its vectors: its group is gone from SQLite but not from the file.
    const gone = queryIds[7] as number;
    const saved = store.getAll(gone) as Record<Space, Float32Array>;
    const groupOf = (s: Space) =>
      db
        .prepare(`SELECT group_id FROM ${membersTable(s)} WHERE track_id = ?`)
        .pluck()
        .get(gone) as number;
    const groups = SPACES.map(groupOf);
    db.transaction(() => store.remove([gone]))();
    try {
      const left = SPACES.map((s, i) =>
        db
          .prepare(`SELECT count(*) FROM ${groupsTable(s)} WHERE group_id = ?`)
          .pluck()
          .get(groups[i]),
      );
      assert.deepEqual(left, [0, 0, 0], 'its groups were its alone, and are deleted');
      for (const s of SPACES) {
        const found = store.knn(s, saved[s], 10, { track: gone });
        assert.equal(found.length, 10, `${s}: still ten`);
        assert.ok(!found.some((n) => n.id === gone), `${s}: not the removed track`);
        assert.equal(store.knnOfTrack(s, gone, 10), null, `${s}: no vectors, no neighbours`);
      }
    } finally {
      db.transaction(() => store.write({ ids: [gone], vectors: Object.fromEntries(SPACES.map((s) => [s, [saved[s]]])) }))();
    }
  });
});

describe('building an index file beside a serving database', () => {
  test('holds no read transaction across the build: a writer’s WAL is checkpointed while it runs', () => {
    // One SELECT iterated for the whole build held a snapshot no checkpoint could pass: at 1M
    // the WAL of a server writing meanwhile grew to 14 GB.
    const writer = openPrimary({ ...testConfig(), dbPath });
    writer.pragma('busy_timeout = 300');
    writer.exec('CREATE TABLE IF NOT EXISTS build_probe (x)');
    const checkpoints: { busy: number; log: number; checkpointed: number }[] = [];
    try {
      // Batches of 2 000: progress is reported between batches, while the old build was still reading.
      buildAnnFile(
        db,
        'metadata',
        () => {
          writer.prepare('INSERT INTO build_probe VALUES (1)').run();
          checkpoints.push((writer.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number; checkpointed: number }[])[0] as never);
        },
        { batch: 2000 },
      );
    } finally {
      writer.exec('DROP TABLE build_probe');
      writer.close();
    }
    assert.ok(checkpoints.length >= 3, `progress was reported during the build (${checkpoints.length})`);
    assert.deepEqual(
      checkpoints.map((c) => c.busy),
      checkpoints.map(() => 0),
      'every checkpoint taken during the build completed',
    );
  });
});
