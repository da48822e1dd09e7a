// Before a load test: accounts with live sessions (made directly in the database, since the
// API rightly rate-limits registration to 20 a minute per address) and the request files of
// every endpoint class, from the catalog the server imported. Prints one JSON line.
// Usage: prepare.ts <db path> <out dir> <users>
import fs from 'node:fs';
import path from 'node:path';
import { SessionService } from '../../src/accounts/sessions.ts';
import { UserService } from '../../src/accounts/users.ts';
import { loadConfig } from '../../src/config.ts';
import { openPrimary } from '../../src/db/connection.ts';
import { WriteQueue } from '../../src/db/write-queue.ts';

const [dbPath, outDir, usersArg] = process.argv.slice(2);
if (!dbPath || !outDir) throw new Error('usage: prepare.ts <db path> <out dir> <users>');
const userCount = Number(usersArg ?? 200);

const db = openPrimary(loadConfig({ dbPath, cacheSizeKiB: 8192, mmapSize: 0 }), { skipMigrations: true });
const writes = new WriteQueue(db);
const users = new UserService(db, writes);
const sessions = new SessionService(db, writes, null, { idleSeconds: 86_400 });

// A seeded shuffle: the same order every run, but no two neighbouring requests for neighbouring rows.
let seed = 17;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const shuffled = <T>(xs: T[]): T[] => {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
};

const ids = (sql: string) => db.prepare(sql).pluck().all() as number[];
const trackIds = shuffled(ids('SELECT id FROM chinook_tracks ORDER BY id'));
const albumIds = shuffled(ids('SELECT id FROM chinook_albums ORDER BY id'));
const genreIds = ids('SELECT genre_id FROM chinook_tracks WHERE genre_id IS NOT NULL GROUP BY genre_id ORDER BY count(*) DESC LIMIT 10');
// What shoppers type: a word of a track title or an artist's name (400 distinct queries).
const words = new Set<string>();
for (const name of db.prepare('SELECT name FROM chinook_tracks UNION ALL SELECT name FROM chinook_artists').pluck().all() as string[]) {
  for (const w of name.toLowerCase().split(/[^a-z]+/)) if (w.length >= 4) words.add(w);
}
const queries = shuffled([...words]).slice(0, 400);

const accounts: { cookie: string; csrf: string }[] = [];
const stamp = Date.now().toString(36);
await Promise.all(
  Array.from({ length: userCount }, async (_, i) => {
    const user = await users.register({ email: `load-${stamp}-${i}@example.com`, password: `load test ${stamp} ${i} lyre`, displayName: `Load ${i}` });
    const { token, session } = await sessions.create(user.id, { userAgent: 'bench:load' });
    accounts[i] = { cookie: token, csrf: session.csrfToken };
  }),
);
await writes.close();
db.close();

const line = (...fields: (string | number)[]) => fields.join('\t');
const files: Record<string, string[]> = {
  track: trackIds.map((id) => line('GET', `/api/tracks/${id}`)),
  health: [line('GET', '/health')],
  search: queries.map((q) => line('GET', `/api/search?q=${encodeURIComponent(q)}`)),
  similar: trackIds.slice(0, 1000).map((id) => line('GET', `/api/tracks/${id}/similar`)),
  album: albumIds.map((id) => line('GET', `/api/albums/${id}`)),
  list: genreIds.flatMap((g) => ['name', '-price', 'duration', 'newest'].map((s) => line('GET', `/api/tracks?genreId=${g}&sort=${s}&limit=20`))),
  top: [10, 20, 50].map((n) => line('GET', `/api/reports/top-tracks?limit=${n}`)),
  play: trackIds.map((id, i) => {
    const a = accounts[i % accounts.length] as { cookie: string; csrf: string };
    return line('POST', '/api/plays', JSON.stringify({ trackId: id, msPlayed: 30_000 + (i % 200) * 1000 }), a.cookie, a.csrf);
  }),
  recommend: accounts.map((a) => line('GET', '/api/recommendations?limit=10', '', a.cookie, a.csrf)),
};
fs.mkdirSync(outDir, { recursive: true });
for (const [name, lines] of Object.entries(files)) fs.writeFileSync(path.join(outDir, `${name}.txt`), `${lines.join('\n')}\n`);
// Orders must not repeat a (buyer, track) pair (an owned track is a 409), so the runner cuts a
// fresh slice of this plan for every run: order k is account k mod N buying its (k div N)-th track.
fs.writeFileSync(path.join(outDir, 'accounts.json'), JSON.stringify({ accounts, trackIds }));
process.stdout.write(`${JSON.stringify({ users: accounts.length, tracks: trackIds.length, albums: albumIds.length, queries: queries.length })}\n`);
