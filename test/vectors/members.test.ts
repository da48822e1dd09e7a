// The ANN path's membership map (src/vectors/ann/members.ts) against SQLite's members table:
// after any sequence of vector writes and removals, replayed or reloaded, every track's group and
// every group's tracks (lowest id first) are what SQLite holds.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { type Db, openPrimary } from '../../src/db/connection.ts';
import { importSynthetic } from '../../src/importer/synthetic.ts';
import { membersTable } from '../../src/vectors/ann/groups.ts';
import { MemberMap } from '../../src/vectors/ann/members.ts';
import { buildVectors } from '../../src/vectors/build.ts';
import { DIMS } from '../../src/vectors/spaces.ts';
import { VectorStore } from '../../src/vectors/store.ts';
import { testConfig } from '../helpers.ts';

const TRACKS = 300;
let db: Db;
let store: VectorStore;

before(() => {
  db = openPrimary(testConfig());
  importSynthetic(db, { tracks: TRACKS });
  buildVectors(db, { indexMinTracks: 0 });
  store = new VectorStore(db);
});
after(() => db.close());

/** What SQLite holds: track → group, and group → tracks in id order. */
function truth(): { groupOf: Map<number, number>; tracksOf: Map<number, number[]> } {
  const rows = db
    .prepare(`SELECT group_id, track_id FROM ${membersTable('audio')} ORDER BY group_id, track_id`)
    .raw(true)
    .all() as [number, number][];
  const groupOf = new Map<number, number>();
  const tracksOf = new Map<number, number[]>();
  for (const [g, t] of rows) {
    groupOf.set(t, g);
    tracksOf.set(g, [...(tracksOf.get(g) ?? []), t]);
  }
  return { groupOf, tracksOf };
}

function assertSame(map: MemberMap, touchedGroups: Iterable<number>): void {
  const { groupOf, tracksOf } = truth();
  for (let t = 1; t <= TRACKS + 20; t++) assert.equal(map.groupOf(t), groupOf.get(t) ?? null, `track ${t}'s group`);
  for (const g of new Set([...tracksOf.keys(), ...touchedGroups])) {
    const expected = (tracksOf.get(g) ?? []).map((t) => [g, t]);
    assert.deepEqual(map.firstMembers([g], 1_000), expected, `group ${g}'s tracks`);
    assert.deepEqual(map.firstMembers([g], 1), expected.slice(0, 1), `group ${g}'s first track`);
  }
  // Several groups in the given order, cut at the limit.
  const order = [...tracksOf.keys()].reverse();
  const all = order.flatMap((g) => (tracksOf.get(g) ?? []).map((t) => [g, t]));
  assert.deepEqual(map.firstMembers(order, 25), all.slice(0, 25));
}

const vectorOf = (track: number) => store.get(track, 'audio') as Float32Array;

type Op = { kind: 'join'; track: number; like: number } | { kind: 'fresh'; track: number; seed: number } | { kind: 'remove'; track: number };
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('join' as const), track: fc.integer({ min: 1, max: TRACKS + 10 }), like: fc.integer({ min: 1, max: TRACKS }) }),
  fc.record({ kind: fc.constant('fresh' as const), track: fc.integer({ min: 1, max: TRACKS + 10 }), seed: fc.integer({ min: 1, max: 1_000_000 }) }),
  fc.record({ kind: fc.constant('remove' as const), track: fc.integer({ min: 1, max: TRACKS + 10 }) }),
);

describe('the membership map follows writes', () => {
  test('after writes, removals and new tracks, replayed from vector_changes: the same as SQLite', () => {
    fc.assert(
      fc.property(fc.array(fc.array(op, { maxLength: 6 }), { minLength: 1, maxLength: 5 }), (batches) => {
        const map = new MemberMap(db, 'audio');
        map.follow(store.revision(), (since, limit) => store.changesSince(since, limit));
        const touched = new Set<number>();
        const before = truth();
        const save = db.transaction(() => {
          for (const batch of batches) {
            db.transaction(() => {
              for (const o of batch) {
                touched.add(before.groupOf.get(o.track) ?? 0);
                if (o.kind === 'remove') store.remove([o.track]);
                else {
                  const v = o.kind === 'join' ? vectorOf(o.like) : Float32Array.from({ length: DIMS.audio }, (_, j) => Math.sin(o.seed * (j + 1)));
                  if (v) store.write({ ids: [o.track], vectors: { audio: [v] } });
                }
              }
            })();
            map.follow(store.revision(), (since, limit) => store.changesSince(since, limit));
            for (const g of truth().groupOf.values()) touched.add(g);
            assertSame(map, touched);
          }
          // Undo: the next run starts from the built catalog again.
          throw new Rollback();
        });
        try {
          save();
        } catch (err) {
          if (!(err instanceof Rollback)) throw err;
        }
      }),
      { numRuns: 40, seed: 16 },
    );
  });

  test('a bulk change (a build, an import) cannot be replayed: the whole table is read again', () => {
    const map = new MemberMap(db, 'audio');
    const changes = (since: number, limit: number) => store.changesSince(since, limit);
    map.follow(store.revision(), changes);
    const gone = [1, 2, 3];
    assert.ok(gone.every((t) => map.groupOf(t) !== null));
    try {
      db.transaction(() => {
        store.bulk(() => store.remove(gone));
        const answers: (number[] | null)[] = [];
        map.follow(store.revision(), (since, limit) => {
          const answer = changes(since, limit);
          answers.push(answer);
          return answer;
        });
        assert.deepEqual(answers, [null], 'the change log said "everything"');
        assertSame(map, []);
        assert.ok(gone.every((t) => map.groupOf(t) === null));
        throw new Rollback();
      })();
    } catch (err) {
      if (!(err instanceof Rollback)) throw err;
    }
  });
});

describe('a long-running reader', () => {
  test('reloads once more groups than its bound changed since the load, so the overlay stays small', () => {
    const changes = (since: number, limit: number) => store.changesSince(since, limit);
    const map = new MemberMap(db, 'audio', 3);
    map.follow(store.revision(), changes);
    const moves = [10, 11, 12, 13].map((track, i) => ({ track, like: 100 + i }));
    try {
      db.transaction(() => {
        const seen: number[] = [];
        for (const { track, like } of moves) {
          store.write({ ids: [track], vectors: { audio: [vectorOf(like)] } });
          map.follow(store.revision(), changes);
          seen.push(map.groupsChangedSinceLoad());
          assertSame(map, []);
        }
        // Each move touches two groups (the one left, the one joined): 2, then 4 > 3 reloads.
        assert.deepEqual(seen, [2, 0, 2, 0]);
        throw new Rollback();
      })();
    } catch (err) {
      if (!(err instanceof Rollback)) throw err;
    }
  });
});

class Rollback extends Error {}
