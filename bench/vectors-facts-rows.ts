// The facts read of an uncached /similar (SimilarityService.facts: a list's tracks with their
// album, artist and genre names, one statement) with rows as objects against rows as arrays,
// alternating, each call on its own random tracks, after a warm-up that pages the tables in.
//
//   npx tsx bench/vectors-facts-rows.ts <db> [--tracks 21] [--calls 4000]
import Database from 'better-sqlite3';
import { seededRandom } from '../src/vectors/linalg.ts';
import { exitWithUsageOnHelp } from './lib.ts';

exitWithUsageOnHelp(import.meta.url);

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const dbPath = args[0];
if (!dbPath) throw new Error('usage: vectors-facts-rows.ts <db> [--tracks 21] [--calls 4000]');
const perCall = flag('--tracks', 21);
const calls = flag('--calls', 4000);
const db = new Database(dbPath, { readonly: true });
db.pragma('mmap_size = 536870912');
db.pragma('cache_size = -131072');
const SQL = `SELECT t.id, t.name, t.album_id AS albumId, al.artist_id AS artistId, ar.name AS artist, al.title AS album, g.name AS genre
  FROM chinook_tracks t
  LEFT JOIN chinook_albums al ON al.id = t.album_id
  LEFT JOIN chinook_artists ar ON ar.id = al.artist_id
  LEFT JOIN chinook_genres g ON g.id = t.genre_id
  WHERE t.id IN (SELECT value FROM json_each(?))`;
const asObjects = db.prepare(SQL);
const asArrays = db.prepare(SQL).raw(true);
const maxId = db.prepare('SELECT max(id) FROM chinook_tracks').pluck().get() as number;
const random = seededRandom(1);
const ids = () => JSON.stringify(Array.from({ length: perCall }, () => 1 + Math.floor(random() * maxId)));
const variants = {
  'rows as objects (before)': () => asObjects.all(ids()),
  'rows as arrays, objects made in JS (as served)': () => {
    const facts = new Map<number, object>();
    for (const [id, name, albumId, artistId, artist, album, genre] of asArrays.all(ids()) as unknown[][])
      facts.set(id as number, { id, name, albumId, artistId, artist, album, genre });
    return facts;
  },
};
for (let i = 0; i < 5 * calls; i++) asObjects.all(ids());
const times = new Map<string, number[]>(Object.keys(variants).map((k) => [k, []]));
for (let i = 0; i < calls; i++)
  for (const [label, f] of i % 2 === 0 ? Object.entries(variants) : Object.entries(variants).reverse()) {
    const t0 = performance.now();
    f();
    times.get(label)?.push(performance.now() - t0);
  }
const p = (v: number[], q: number) => ([...v].sort((a, b) => a - b)[Math.floor(v.length * q)] as number) * 1000;
console.log(`${perCall} random tracks of ${maxId} a call, ${calls} calls each, alternating:`);
for (const [label, v] of times) console.log(`  ${label}: p50 ${p(v, 0.5).toFixed(1)} µs, p90 ${p(v, 0.9).toFixed(1)} µs`);
