// Where an uncached /similar spends its time on a large catalog (the ANN path): the served
// call for fresh random tracks, each timed whole and by part (the cache read, the track's
// group, the graph search, the unit vectors for the exact re-rank, the members, the names),
// p50 and mean, after a warm-up of other random tracks. Nothing is written: the computed lists
// are not stored (a bench that writes while another process holds a read snapshot grows the
// WAL, and every page read then probes the WAL index: 1.2 ms became 6 ms at 14 GB of WAL).
//
//   nice -n -15 npx tsx bench/vectors-similar-breakdown.ts <db> [--space audio] [--queries 600] [--warm 2000] [--ab | --ab-facts | --ab-units | --ab-settings <json>] [--settings <json>]
//
// `MMAP=<bytes>` in the environment: SQLite's mmap_size for this run (default 512 MiB, as served).
//
// `--settings '{"audio":{"metric":"ip","expansionSearch":96}}'`: serve a file built with other settings (as in
// bench/vectors-ann-existing.ts).
//
// `--ab`: instead, the same-process comparison of computing all 50 neighbours against the
// first 2 × limit + 10 that SimilarityService.similar asks for (limit 10), alternating, each
// on its own fresh random track.
//
// `--ab-facts`: instead, the same-process comparison of reading a list's facts in steps (the
// first limit + 10 candidates, more only when those do not settle the list; as served) against
// one read of 2 × limit + 10 (before), alternating, each on its own fresh random track; it also
// checks that both give the same list for every track.
//
// `--ab-settings '<json>'`: instead, the same-process comparison of the served ANN_SETTINGS
// against these overrides (say `{"audio":{"expansionSearch":40}}`, the width before),
// alternating, each on its own fresh random track; it counts the tracks whose list differs.
//
// `--ab-members`: instead, the same-process comparison of track membership read from the map in
// memory (ann/members.ts, as served) against SQLite's members table (the track's group, and the
// ranked groups' first tracks in one statement: as before the map), alternating, each on its own
// fresh random track; it also checks that both give the same list.
//
// `--ab-units`: instead, the same-process comparison of the exact re-rank reading the
// candidates' unit vectors from the unit file (as served) against reading them from SQLite's
// groups table (as before the unit file), alternating, each on its own fresh random track.

import { openPrimary } from '../src/db/connection.ts';
import { ANN_SETTINGS } from '../src/vectors/ann/ann-file.ts';
import { AnnIndex, usearchLib } from '../src/vectors/ann/ann-index.ts';
import { GroupStore, membersTable } from '../src/vectors/ann/groups.ts';
import { MemberMap } from '../src/vectors/ann/members.ts';
import { UnitFile } from '../src/vectors/ann/unit-file.ts';
import { collapseCopies, identityOf, MAX_PER_ALBUM, spreadAlbums } from '../src/vectors/collapse.ts';
import { seededRandom } from '../src/vectors/linalg.ts';
import { SimilarityService } from '../src/vectors/service.ts';
import { SimilarityCache } from '../src/vectors/similarity-cache.ts';
import { isSpace, type Space } from '../src/vectors/spaces.ts';
import { exitWithUsageOnHelp } from './lib.ts';

exitWithUsageOnHelp(import.meta.url);

const args = process.argv.slice(2);
const dbPath = args[0];
const flag = (name: string, fallback: string) => (args.includes(name) ? (args[args.indexOf(name) + 1] as string) : fallback);
const space = flag('--space', 'audio');
if (!dbPath || !isSpace(space)) throw new Error('usage: vectors-similar-breakdown.ts <db> [--space audio|lyric|metadata] [--queries n] [--warm n] [--ab]');
const queries = Number(flag('--queries', '600'));
for (const [s, over] of Object.entries(JSON.parse(flag('--settings', '{}')) as Record<Space, object>)) Object.assign(ANN_SETTINGS[s as Space], over);
const warm = Number(flag('--warm', '2000'));

const db = openPrimary(
  { dbPath, pageSize: 32768, cacheSizeKiB: 131072, mmapSize: Number(process.env.MMAP ?? 536870912), busyTimeoutMs: 10000, walAutocheckpoint: 2000 },
  { skipMigrations: true },
);
// biome-ignore lint/suspicious/noExplicitAny: reaching the service's private steps is the point of this tool
const service = new SimilarityService(db, { vectorMemoryBytes: 0 }) as any;
service.remember = () => {};
const ids = db.prepare('SELECT track_id FROM track_vectors ORDER BY track_id').pluck().all() as number[];
const random = seededRandom(7);
const pick = () => ids[Math.floor(random() * ids.length)] as number;
const quantile = (v: number[], q: number) => [...v].sort((a, b) => a - b)[Math.floor(v.length * q)] as number;
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const ms = (x: number) => `${x.toFixed(3)} ms`;

interface Timed {
  took: number;
  ids: string;
}
/**
 * The same process, each call on its own fresh random track, alternating which goes first so
 * that neither always runs on the other's warmed caches: `served` against `other`, and how many
 * of the served lists `other` gives differently for the same track.
 */
function alternate(served: (id: number) => Timed, other: (id: number) => Timed): { served: number[]; other: number[]; differ: number } {
  const out = { served: [] as number[], other: [] as number[], differ: 0 };
  for (let i = 0; i < queries + warm; i++) {
    const [x, y] = [pick(), pick()];
    let a: Timed;
    let b: Timed;
    if (i % 2 === 0) {
      a = served(x);
      b = other(y);
    } else {
      b = other(y);
      a = served(x);
    }
    if (i >= warm) {
      out.served.push(a.took);
      out.other.push(b.took);
      if (other(x).ids !== a.ids) out.differ++;
    }
  }
  return out;
}

if (args.includes('--ab-settings')) {
  // As served against other settings (say the search width before), alternating per track in one process.
  const served = structuredClone(ANN_SETTINGS);
  const other = JSON.parse(flag('--ab-settings', '{}')) as Record<Space, object>;
  const use = (which: 'served' | 'other') => {
    for (const s of Object.keys(ANN_SETTINGS) as Space[]) Object.assign(ANN_SETTINGS[s], served[s], which === 'other' ? other[s] : {});
  };
  const run = (id: number, which: 'served' | 'other'): Timed => {
    use(which);
    const t0 = performance.now();
    const items = service.similar(id, space as Space, 10).items as { id: number }[];
    const took = performance.now() - t0;
    return { took, ids: items.map((h) => h.id).join(',') };
  };
  const {
    served: asServed,
    other: asOther,
    differ,
  } = alternate(
    (id) => run(id, 'served'),
    (id) => run(id, 'other'),
  );
  use('served');
  console.log(
    `${space}, uncached similar(limit 10), ${queries} fresh random tracks each: with ${JSON.stringify(other)} p50 ${ms(quantile(asOther, 0.5))} p90 ${ms(quantile(asOther, 0.9))}; ` +
      `as served p50 ${ms(quantile(asServed, 0.5))} p90 ${ms(quantile(asServed, 0.9))} (${(quantile(asOther, 0.5) / quantile(asServed, 0.5)).toFixed(2)}×); lists that differ: ${differ} of ${queries}`,
  );
} else if (args.includes('--ab-members')) {
  const ann = service.store.index(space)?.ann;
  ann.status();
  const map = ann.members;
  // Membership from SQLite at query time, as before the map (the same two reads GroupStore made).
  const fromSqlite = {
    follow() {},
    groupOf: (track: number) =>
      (db
        .prepare(`SELECT group_id FROM ${membersTable(space as Space)} WHERE track_id = ?`)
        .pluck()
        .get(track) as number | undefined) ?? null,
    firstMembers: (groups: readonly number[], limit: number) =>
      db
        .prepare(`SELECT m.group_id, m.track_id FROM json_each(?) j CROSS JOIN ${membersTable(space as Space)} m ON m.group_id = j.value LIMIT ?`)
        .raw(true)
        .all(JSON.stringify(groups), limit),
  };
  const run = (id: number, members: unknown): Timed => {
    ann.members = members;
    const t0 = performance.now();
    const items = service.similar(id, space as Space, 10).items as { id: number }[];
    return { took: performance.now() - t0, ids: items.map((h) => h.id).join(',') };
  };
  const {
    served: withMap,
    other: withSqlite,
    differ,
  } = alternate(
    (id) => run(id, map),
    (id) => run(id, fromSqlite),
  );
  ann.members = map;
  console.log(
    `${space}, uncached similar(limit 10), ${queries} fresh random tracks each: membership from SQLite p50 ${ms(quantile(withSqlite, 0.5))} p90 ${ms(quantile(withSqlite, 0.9))}; ` +
      `from the map p50 ${ms(quantile(withMap, 0.5))} p90 ${ms(quantile(withMap, 0.9))} (${(quantile(withSqlite, 0.5) / quantile(withMap, 0.5)).toFixed(2)}×); lists that differ: ${differ} of ${queries}`,
  );
} else if (args.includes('--ab-units')) {
  const ann = service.store.index(space)?.ann;
  ann.status();
  const file = ann.units;
  if (!file) throw new Error(`no usable unit file for ${space}: run \`chinook vectors build --index-only\``);
  const run = (id: number, units: UnitFile | null) => {
    ann.units = units;
    const t0 = performance.now();
    service.similar(id, space as Space, 10);
    return performance.now() - t0;
  };
  const withFile: number[] = [];
  const withSqlite: number[] = [];
  for (let i = 0; i < queries + warm; i++) {
    const [a, b] = i % 2 === 0 ? [run(pick(), file), run(pick(), null)] : [run(pick(), null), run(pick(), file)].reverse();
    if (i >= warm) {
      withFile.push(a as number);
      withSqlite.push(b as number);
    }
  }
  ann.units = file;
  console.log(
    `${space}, uncached similar(limit 10), ${queries} fresh random tracks each: re-rank from SQLite p50 ${ms(quantile(withSqlite, 0.5))} p90 ${ms(quantile(withSqlite, 0.9))}; ` +
      `from the unit file p50 ${ms(quantile(withFile, 0.5))} p90 ${ms(quantile(withFile, 0.9))} (${(quantile(withSqlite, 0.5) / quantile(withFile, 0.5)).toFixed(2)}×)`,
  );
} else if (args.includes('--ab-facts')) {
  // The list's facts read in steps (limit + 10 first, as served) against one read of 2 × limit + 10 (before).
  const limit = 10;
  const oneRead = (id: number, hits: { id: number; similarity: number }[]) => {
    let head = hits.slice(0, 2 * limit + 10);
    for (;;) {
      const facts = service.facts([id, ...head.map((h: { id: number }) => h.id)]) as Map<
        number,
        { id: number; name: string; albumId: number | null; artistId: number | null }
      >;
      const identities = new Map([...facts].map(([i, f]) => [i, identityOf(f)]));
      const own = identities.get(id)?.song;
      const refined = spreadAlbums(collapseCopies(head, identities, new Set(own === undefined ? [] : [own])), identities, limit, MAX_PER_ALBUM);
      if (refined.length >= limit || head.length === hits.length) return refined.filter((h) => facts.has(h.id)).map((h) => h.id);
      head = hits;
    }
  };
  const staged = (id: number) =>
    service.refine(id, service.neighboursThroughCache(id, space, 2 * limit + 10), limit, MAX_PER_ALBUM).map((h: { id: number }) => h.id);
  const timed = (f: () => unknown) => {
    const t0 = performance.now();
    f();
    return performance.now() - t0;
  };
  const inSteps: number[] = [];
  const inOne: number[] = [];
  let differ = 0;
  for (let i = 0; i < queries + warm; i++) {
    const [x, y] = [pick(), pick()];
    const a = () => timed(() => staged(x));
    const b = () => timed(() => oneRead(y, service.neighboursThroughCache(y, space, 2 * limit + 10)));
    const [ta, tb] = i % 2 === 0 ? [a(), b()] : [b(), a()].reverse();
    if (i >= warm) {
      inSteps.push(ta as number);
      inOne.push(tb as number);
    }
    if (JSON.stringify(staged(x)) !== JSON.stringify(oneRead(x, service.neighboursThroughCache(x, space, 2 * limit + 10)))) differ++;
  }
  console.log(
    `${space}, uncached similar(limit 10), ${queries} fresh random tracks each: facts in one read p50 ${ms(quantile(inOne, 0.5))} p90 ${ms(quantile(inOne, 0.9))}; ` +
      `in steps p50 ${ms(quantile(inSteps, 0.5))} p90 ${ms(quantile(inSteps, 0.9))} (${(quantile(inOne, 0.5) / quantile(inSteps, 0.5)).toFixed(2)}×); lists that differ: ${differ} of ${queries + warm}`,
  );
} else if (args.includes('--ab')) {
  // What similar() did before (50 neighbours) and does now (2 × 10 + 10 first, 50 if those run short).
  const run = (id: number, k: number) => {
    const t0 = performance.now();
    let items = service.refine(id, service.neighboursThroughCache(id, space, k), 10, 2);
    if (items.length < 10 && k < 50) items = service.refine(id, service.neighboursThroughCache(id, space, 50), 10, 2);
    return performance.now() - t0;
  };
  const all: number[] = [];
  const first: number[] = [];
  for (let i = 0; i < queries + warm; i++) {
    const [x, y] = [pick(), pick()];
    const [a, b] = i % 2 === 0 ? [run(x, 50), run(y, 30)] : [0, run(y, 30)];
    const a2 = i % 2 === 0 ? a : run(x, 50);
    if (i >= warm) {
      all.push(a2);
      first.push(b);
    }
  }
  console.log(
    `${space}, uncached similar(limit 10), ${queries} fresh random tracks each: 50 neighbours p50 ${ms(quantile(all, 0.5))} p90 ${ms(quantile(all, 0.9))}; ` +
      `30 first p50 ${ms(quantile(first, 0.5))} p90 ${ms(quantile(first, 0.9))} (${(quantile(all, 0.5) / quantile(first, 0.5)).toFixed(2)}×)`,
  );
} else {
  const parts = new Map<string, number[]>();
  let current: Map<string, number> | null = null;
  // biome-ignore lint/suspicious/noExplicitAny: timing wrappers around prototype methods
  const time = (proto: any, method: string, label: string) => {
    const original = proto[method];
    proto[method] = function (this: unknown, ...a: unknown[]) {
      const t0 = performance.now();
      try {
        return original.apply(this, a);
      } finally {
        current?.set(label, (current.get(label) ?? 0) + performance.now() - t0);
      }
    };
  };
  time(SimilarityCache.prototype, 'get', 'the similarity cache read');
  time(GroupStore.prototype, 'ownGroup', "the track's group and unit vector from SQLite");
  time(MemberMap.prototype, 'groupOf', "the track's group");
  time(UnitFile.prototype, 'vector', "the track's unit vector from the unit file");
  time(usearchLib().Index.prototype, 'search', 'the graph search');
  time(GroupStore.prototype, 'units', "the candidates' unit vectors from SQLite (exact re-rank)");
  time(UnitFile.prototype, 'dot', "the candidates' unit vectors from the unit file, scored (exact re-rank)");
  time(MemberMap.prototype, 'firstMembers', "the groups' first tracks");
  time(AnnIndex.prototype, 'searchByTrack', 'KNN in all (the four above and the ranking)');
  time(SimilarityService.prototype, 'facts', "the tracks' names and song identities");
  const totals: number[] = [];
  for (let i = 0; i < queries + warm; i++) {
    current = new Map();
    const t0 = performance.now();
    service.similar(pick(), space as Space, 10);
    const t = performance.now() - t0;
    if (i >= warm) {
      totals.push(t);
      for (const [label, v] of current) (parts.get(label) ?? parts.set(label, []).get(label))?.push(v);
    }
  }
  console.log(`${space}, uncached /similar?limit=10 in process, ${queries} fresh random tracks after ${warm} others:`);
  console.log(`  whole call: p50 ${ms(quantile(totals, 0.5))}, mean ${ms(mean(totals))}, p99 ${ms(quantile(totals, 0.99))}`);
  for (const [label, v] of parts) console.log(`  ${label}: p50 ${ms(quantile(v, 0.5))}, mean ${ms(mean(v))}`);
}
db.close();
