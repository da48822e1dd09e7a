// The forgiving default mode, judged by the generated evaluation (a seeded sample: the full run
// is `chinook eval search` and `npm run bench`) and by the shapes issue 18 reported as failing,
// each looked up in the Chinook source file and asserted like any generated query: the
// intended track or artist first. Plus the reply contract a page builds "showing results for …"
// and cursor paging on.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Database from 'better-sqlite3';
import { evalWordPool } from '../../src/cli/eval.ts';
import type { Db } from '../../src/db/connection.ts';
import { miniSearchEngine, runSearchEvaluation } from '../../src/search/eval/engines.ts';
import { QUERY_KINDS } from '../../src/search/eval/generate.ts';
import { SearchService } from '../../src/search/index.ts';
import { importedDb, openSource } from '../helpers.ts';

const SAMPLE_PER_KIND = 60;

let db: Db;
let search: SearchService;
before(() => {
  db = importedDb().db;
  search = new SearchService(db);
});
after(() => db.close());

describe('forgiving search on generated queries (seeded sample)', () => {
  it('ranks the generating track first across every kind, ahead of MiniSearch overall', async () => {
    const run = runSearchEvaluation(db, search, { perKind: SAMPLE_PER_KIND, seed: 1801, wordPool: await evalWordPool() });
    assert.equal(run.queries.length, SAMPLE_PER_KIND * QUERY_KINDS.length);
    const [ours, mini] = run.reports;
    assert.ok(ours && mini);
    const kinds = [...ours.byKind].map(([k, s]) => `${k} ${s.mrr.toFixed(3)}`).join(', ');
    console.log(`generated sample: ${run.queries.length} queries, MRR@10 ${ours.overall.mrr.toFixed(3)} (MiniSearch ${mini.overall.mrr.toFixed(3)}); ${kinds}`);
    // The bar is 0.97 overall and 0.93 per kind on 1 000 queries a kind; a 60-query
    // sample moves by a few hundredths, so the per-kind floor here is lower.
    assert.ok(ours.overall.mrr >= 0.97, `MRR@10 ${ours.overall.mrr}`);
    for (const [kind, s] of ours.byKind) assert.ok(s.mrr >= 0.9, `${kind}: MRR@10 ${s.mrr}`);
    assert.ok(ours.overall.zeroRate < 0.01, `zero results ${ours.overall.zeroRate}`);
    assert.ok(ours.overall.mrr > mini.overall.mrr, `ours ${ours.overall.mrr} vs MiniSearch ${mini.overall.mrr}`);
  });

  it('scores MiniSearch on the same five fields (the peer is configured, not crippled)', () => {
    const mini = miniSearchEngine(db);
    const metallica = db
      .prepare('SELECT t.id FROM chinook_tracks t JOIN chinook_albums al ON al.id = t.album_id WHERE al.artist_id = 50')
      .pluck()
      .all() as number[];
    assert.ok(metallica.includes(mini.search('metalica')[0] as number));
  });
});

describe('the shapes issue 18 found failing', () => {
  let src: Database.Database;
  before(() => {
    src = openSource();
  });
  after(() => src.close());

  const TRACKS = 'SELECT t.TrackId FROM Track t JOIN Album al ON al.AlbumId = t.AlbumId JOIN Artist ar ON ar.ArtistId = al.ArtistId';
  const track = (name: string, artist: string) => src.prepare(`${TRACKS} WHERE t.Name = ? AND ar.Name = ?`).pluck().all(name, artist) as number[];
  const artist = (name: string) => src.prepare(`${TRACKS} WHERE ar.Name = ?`).pluck().all(name) as number[];

  const cases: [q: string, want: () => number[], what: string][] = [
    ['aerosm', () => artist('Aerosmith'), 'Aerosmith (the last word is still being typed)'],
    ['californicat', () => track('Californication', 'Red Hot Chili Peppers'), 'Californication, not "Going To California"'],
    ['ozzy osborne', () => artist('Ozzy Osbourne'), 'Ozzy Osbourne (compared unstemmed, every derivation ORed)'],
    ['cant stop', () => track("Can't Stop", 'Red Hot Chili Peppers'), "Can't Stop"],
    ['dont look back', () => [...track("Don't Look Back", 'Lenny Kravitz'), ...track("Don't Look Back", 'Heroes')], "Don't Look Back"],
    ['aint talkin bout love', () => artist('Van Halen'), "Ain't Talkin' 'Bout Love"],
    ['sweet child of mine', () => track("Sweet Child O' Mine", "Guns N' Roses"), "Sweet Child O' Mine (one unmatched word)"],
    // One letter of the next word typed: a prefix beside the others, not "Martin" beside the word "g".
    ['marvin g', () => artist('Marvin Gaye'), 'Marvin Gaye (the last word begun: one letter)'],
    ['arvin g', () => artist('Marvin Gaye'), 'Marvin Gaye (a first-letter typo, then one letter)'],
    ['led z', () => artist('Led Zeppelin'), 'Led Zeppelin (one letter)'],
  ];
  for (const [q, want, what] of cases) {
    it(`"${q}" puts ${what} first`, () => {
      const relevant = new Set(want());
      assert.ok(relevant.size > 0, 'the answer exists in the source');
      const r = search.search({ q, limit: 10, facets: false });
      assert.ok(r.hits.length > 0, 'no hits');
      assert.ok(relevant.has(r.hits[0]?.id as number), `first hit ${r.hits[0]?.name} — ${r.hits[0]?.artist}`);
    });
  }
  it('"aint talkin bout love" is that very song, not another Van Halen track', () => {
    const hit = search.search({ q: 'aint talkin bout love', limit: 1, facets: false }).hits[0];
    assert.match(hit?.name ?? '', /^Ain't Talkin' 'bout Love$/i);
  });
});

describe('the reply says what was run', () => {
  it('reports corrected and dropped words, and nothing when the query ran as typed', () => {
    const typo = search.search({ q: 'metalica', facets: false });
    assert.equal(typo.correctedQuery, 'Metallica');
    assert.deepEqual(typo.droppedWords, []);
    const extra = search.search({ q: 'sweet child of mine', facets: false });
    assert.deepEqual(extra.droppedWords, ['of']);
    assert.equal(extra.correctedQuery, 'sweet child mine');
    const split = search.search({ q: 'cant stop', facets: false });
    assert.equal(split.correctedQuery, "Can't stop");
    assert.match(split.hits[0]?.highlight.name ?? '', /^<mark>Can&#39;t<\/mark> <mark>Stop<\/mark>$/);
    const clean = search.search({ q: 'enter sandman', facets: false });
    assert.equal(clean.correctedQuery, undefined);
    assert.deepEqual(clean.droppedWords, []);
    // Completing the word being typed is no correction.
    assert.equal(search.search({ q: 'aerosm', facets: false }).correctedQuery, undefined);
    const hopeless = search.search({ q: 'qqqqqqqqqqqq', facets: false });
    assert.equal(hopeless.total, 0);
    assert.deepEqual(hopeless.droppedWords, []);
    assert.equal(hopeless.correctedQuery, undefined);
  });

  it('drops the one word a long title lacks, wherever it stands, and names it', () => {
    // Every title of ten words or more, with a catalog word it lacks put first: up to 20 words
    // in all, where reading subsets of n - 1 words, ten at a time, never tried dropping the first.
    // Four-letter words have no typo budget, so the word is dropped, not corrected to a neighbour.
    const long = db
      .prepare(
        `SELECT t.name, fts.name || ' ' || fts.album || ' ' || fts.artist || ' ' || fts.genre || ' ' || fts.composer AS text
         FROM chinook_tracks t JOIN music_search_fts fts ON fts.rowid = t.id
         WHERE length(t.name) - length(replace(t.name, ' ', '')) >= 9`,
      )
      .all() as { name: string; text: string }[];
    assert.ok(long.length >= 40, `${long.length} long titles`);
    for (const { name, text } of long) {
      const extra = ['love', 'blue', 'rock', 'girl'].find((w) => !new RegExp(`\\b${w}`, 'i').test(text)) as string;
      const r = search.search({ q: `${extra} ${name}`, limit: 5, facets: false });
      assert.equal(r.hits[0]?.name, name, `"${extra} ${name}"`);
      assert.deepEqual(r.droppedWords, [extra], `"${extra} ${name}"`);
    }
  });

  it('reads the last word as a prefix only while it is being typed', () => {
    const typing = search.search({ q: 'aerosm', facets: false });
    assert.ok(typing.total > 0);
    assert.equal(typing.hits[0]?.artist, 'Aerosmith');
    assert.match(typing.hits[0]?.highlight.artist ?? '', /<mark>Aerosmith<\/mark>/);
    assert.equal(search.search({ q: 'aerosm ', facets: false }).total, 0, 'a trailing space ends the word');
    assert.equal(search.search({ q: '"aerosm"', facets: false }).total, 0, 'quotes mean exactly this');
    // One letter is a prefix only beside other words: alone it is the word (suggestions answer it).
    const begun = search.search({ q: 'metallica e', limit: 10, facets: false });
    assert.equal(begun.hits.length, 10);
    for (const h of begun.hits) {
      const text = `${h.name} ${h.album} ${h.artist}`;
      assert.ok(/metallica/i.test(text) && /(^|[^\p{L}])e/iu.test(text.replace(/metallica/gi, '')), `metallica e: ${text}`);
    }
    assert.deepEqual(begun.droppedWords, []);
    assert.equal(search.search({ q: 'metallica e ', facets: false }).droppedWords?.[0], 'e', 'a trailing space ends the word');
  });

  it('pages with cursors exactly as with offsets, and refuses a cursor of another search', () => {
    const req = { q: 'love', limit: 7, facets: false } as const;
    const byOffset = [0, 7, 14].flatMap((offset) => search.search({ ...req, offset }).hits.map((h) => h.id));
    const byCursor: number[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 3; page++) {
      const r = search.search({ ...req, cursor });
      byCursor.push(...r.hits.map((h) => h.id));
      assert.ok(r.nextCursor);
      cursor = r.nextCursor;
    }
    assert.deepEqual(byCursor, byOffset);
    assert.throws(() => search.search({ q: 'rock', limit: 7, cursor }), /another search/);
    assert.throws(() => search.search({ ...req, cursor: 'bm90IGEgY3Vyc29y' }), /not a nextCursor/);
    assert.throws(() => search.search({ ...req, cursor, offset: 7 }), /either offset or cursor/);
    const last = search.search({ q: 'enter sandman', limit: 100, facets: false });
    assert.equal(last.nextCursor, null);
  });
});
