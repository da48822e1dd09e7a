// Property tests: whatever a user types, the parser either refuses it with a 400-type
// error or emits an expression that real FTS5 accepts; over HTTP, never a 500.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { openPrimary } from '../../src/db/connection.ts';
import { parseQuery, QueryError, SearchService, toFts } from '../../src/search/index.ts';
import { allOf, atLeast, buildPlan } from '../../src/search/plan.ts';
import { VOCAB } from '../../src/search/schema.ts';
import { namesExpr } from '../../src/search/suggest.ts';
import { Vocabulary } from '../../src/search/vocabulary.ts';
import { startServer, type TestServer, testConfig } from '../helpers.ts';

const pieces = [
  '"',
  '*',
  '-',
  'OR',
  'NOT',
  'AND',
  'NEAR(',
  'NEAR',
  '^',
  '(',
  ')',
  ':',
  '+',
  '{',
  '}',
  ',',
  '.',
  '/',
  "'",
  '\\',
  'artist:',
  'track:',
  'album:',
  'genre:',
  'composer:',
  'rowid:',
  'music_search_fts:',
  ' ',
  '  ',
  '\t',
  '\n',
  'metal',
  'iron',
  'maiden',
  'jobim',
  'Antônio',
  'a\u0301',
  '\u0000',
  '\u0007',
  '\u200b',
  '\ufeff',
  '\u202e',
  '💿',
  '𝔘',
  'ꭜ',
  '\ud800',
];
const queryLike = fc.array(fc.constantFrom(...pieces), { maxLength: 25 }).map((a) => a.join(''));
const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ maxLength: 60 }), queryLike);

/** Percent-encodes UTF-8 bytes (lone surrogates become U+FFFD, as a browser would send). */
const encode = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

describe('query parser (property)', () => {
  it('emits only expressions FTS5 accepts, or refuses with a QueryError', () => {
    const db = openPrimary(testConfig());
    db.exec(`INSERT INTO chinook_genres (id, name) VALUES (1, 'Metal'); INSERT INTO chinook_media_types (id, name) VALUES (1, 'MPEG');
             INSERT INTO chinook_artists (id, name) VALUES (1, 'Iron Maiden'), (2, 'Antônio Carlos Jobim');
             INSERT INTO chinook_albums (id, title, artist_id) VALUES (1, 'Powerslave', 1), (2, 'Wave', 2);
             INSERT INTO chinook_tracks (id, slug, name, album_id, media_type_id, genre_id, composer, milliseconds, unit_price)
             VALUES (1, 'aces-high-1', 'Aces High', 1, 1, 1, 'Harris', 1000, 0.99), (2, 'wave-2', 'Wave', 2, 1, 1, NULL, 1000, 0.99);`);
    const run = db.prepare('SELECT count(*) AS n FROM music_search_fts WHERE music_search_fts MATCH ?');
    const runNames = db.prepare('SELECT count(*) AS n FROM music_suggest_fts WHERE music_suggest_fts MATCH ?');
    const vocab = new Vocabulary(db, VOCAB).current();
    const search = new SearchService(db);
    let accepted = 0;
    fc.assert(
      fc.property(anyText, (q) => {
        let expr: string;
        try {
          expr = toFts(parseQuery(q));
        } catch (err) {
          assert.ok(err instanceof QueryError, `unexpected ${(err as Error).name}: ${(err as Error).message}`);
          return;
        }
        accepted++;
        run.get(expr); // throws on an FTS5 syntax error
        // The forgiving plan's expressions (derivations, subsets, exclusions) too, and the whole search.
        const plan = buildPlan(parseQuery(q), vocab);
        const all = plan.clauses.map((_, i) => i);
        for (const e of [allOf(plan, all, 0), allOf(plan, all), atLeast(plan, all, Math.max(1, all.length - 1))]) if (e) run.get(e);
        // The suggestions' names expression, against the names index.
        for (const open of [false, true]) {
          const names = namesExpr(plan, open);
          if (names) runNames.get(names);
        }
        search.search({ q, facets: true, limit: 5 });
        if (q.length <= 100) search.suggest(q);
      }),
      { numRuns: 3000 },
    );
    assert.ok(accepted > 500, `only ${accepted} generated queries were accepted; the property would be vacuous`);
    db.close();
  });

  it('refuses what it cannot search, saying why', () => {
    assert.throws(() => parseQuery('*'), /no letters or digits/);
    assert.throws(() => parseQuery('-metal'), /only excludes/);
    assert.throws(() => parseQuery('x'.repeat(10_000)), /longer than/);
    assert.throws(() => parseQuery(Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ')), /at most 32 terms/);
    assert.equal(toFts(parseQuery('NEAR(a b) ^c')), '"near a" AND "b" AND "c"');
    assert.equal(
      toFts(parseQuery('iron OR steel -live artist:"iron maiden" sand*')),
      '(("iron" OR "steel") AND artist : "iron maiden" AND "sand" *) NOT ("live")',
    );
    assert.equal(toFts(parseQuery('"unbalanced quote')), '"unbalanced" AND "quote"');
  });
});

describe('GET /api/search with any q (property)', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it('answers 200 or 400, never a 500', async () => {
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(anyText, async (q) => {
        const r = await server.get(`/api/search?q=${encode(q)}&facets=false`);
        seen.add(r.status);
        assert.ok(r.status === 200 || r.status === 400, `status ${r.status} for ${JSON.stringify(q)}: ${JSON.stringify(r.body)}`);
        if (r.status === 400) assert.equal(typeof r.body.message, 'string');
        const s = await server.get(`/api/search/suggest?q=${encode(q)}`);
        assert.ok(s.status === 200 || s.status === 400, `suggest status ${s.status} for ${JSON.stringify(q)}`);
      }),
      { numRuns: 250 },
    );
    assert.ok(seen.has(200) && seen.has(400), `statuses seen: ${[...seen]}`);
  });
});
