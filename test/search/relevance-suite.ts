// The relevance suite: every expected answer is looked up in the official source file (by
// artist, track, album, composer or genre name), never hard-coded as ids. Shared by the test
// (which holds each query to the rank its kind allows) and the search benchmark (which
// publishes MRR and nDCG@10 in docs/BENCHMARKS.md).
import type Database from 'better-sqlite3';
import type { SearchRequest, SearchService } from '../../src/search/index.ts';

type Lookup = (src: Database.Database) => number[];

const ids = (src: Database.Database, sql: string, ...params: unknown[]) =>
  src
    .prepare(sql)
    .pluck()
    .all(...params) as number[];
const TRACKS =
  'SELECT t.TrackId FROM Track t JOIN Album al ON al.AlbumId = t.AlbumId JOIN Artist ar ON ar.ArtistId = al.ArtistId JOIN Genre g ON g.GenreId = t.GenreId';

const byArtist =
  (name: string): Lookup =>
  (src) =>
    ids(src, `${TRACKS} WHERE ar.Name = ?`, name);
const byTrack =
  (name: string, artist?: string): Lookup =>
  (src) =>
    artist ? ids(src, `${TRACKS} WHERE t.Name = ? AND ar.Name = ?`, name, artist) : ids(src, `${TRACKS} WHERE t.Name = ?`, name);
const byAlbum =
  (title: string): Lookup =>
  (src) =>
    ids(src, `${TRACKS} WHERE al.Title = ?`, title);
const byComposer =
  (like: string): Lookup =>
  (src) =>
    ids(src, `${TRACKS} WHERE t.Composer LIKE ?`, like);
const byGenre =
  (name: string): Lookup =>
  (src) =>
    ids(src, `${TRACKS} WHERE g.Name = ?`, name);
const where =
  (sql: string, ...params: unknown[]): Lookup =>
  (src) =>
    ids(src, `${TRACKS} WHERE ${sql}`, ...params);

interface Case {
  kind: string;
  req: SearchRequest;
  relevant: Lookup;
  /** The first relevant hit must be at this rank or better. */
  within: number;
  /** Every hit on the first page must be relevant (filters, scopes, negation). */
  allRelevant?: boolean;
  corrected?: RegExp;
}

const genreId = (src: Database.Database, name: string) => src.prepare('SELECT GenreId FROM Genre WHERE Name = ?').pluck().get(name) as number;

const fixedCases: Case[] = [
  // artists
  { kind: 'artist', req: { q: 'metallica' }, relevant: byArtist('Metallica'), within: 1 },
  { kind: 'artist', req: { q: 'iron maiden' }, relevant: byArtist('Iron Maiden'), within: 1 },
  { kind: 'artist', req: { q: 'ac/dc' }, relevant: byArtist('AC/DC'), within: 1 },
  { kind: 'artist', req: { q: 'AC DC' }, relevant: byArtist('AC/DC'), within: 1 },
  { kind: 'artist', req: { q: 'led zeppelin' }, relevant: byArtist('Led Zeppelin'), within: 1 },
  { kind: 'artist', req: { q: 'nirvana' }, relevant: byArtist('Nirvana'), within: 1 },
  { kind: 'artist', req: { q: 'queen' }, relevant: byArtist('Queen'), within: 1 },
  { kind: 'artist', req: { q: 'pink floyd' }, relevant: byArtist('Pink Floyd'), within: 1 },
  { kind: 'artist', req: { q: 'rolling stones' }, relevant: byArtist('The Rolling Stones'), within: 1 },
  { kind: 'artist', req: { q: 'red hot chili peppers' }, relevant: byArtist('Red Hot Chili Peppers'), within: 1 },
  { kind: 'artist', req: { q: 'creedence clearwater revival' }, relevant: byArtist('Creedence Clearwater Revival'), within: 1 },
  { kind: 'artist', req: { q: 'R.E.M.' }, relevant: byArtist('R.E.M.'), within: 1 },
  { kind: 'artist', req: { q: "guns n' roses" }, relevant: byArtist("Guns N' Roses"), within: 1 },
  { kind: 'artist', req: { q: 'miles davis' }, relevant: byArtist('Miles Davis'), within: 1 },
  { kind: 'artist', req: { q: 'van halen' }, relevant: byArtist('Van Halen'), within: 1 },
  // accented names, typed with or without the accents
  { kind: 'accents', req: { q: 'antonio carlos jobim' }, relevant: byArtist('Antônio Carlos Jobim'), within: 1 },
  { kind: 'accents', req: { q: 'Antônio Carlos Jobim' }, relevant: byArtist('Antônio Carlos Jobim'), within: 1 },
  { kind: 'accents', req: { q: 'legiao urbana' }, relevant: byArtist('Legião Urbana'), within: 1 },
  { kind: 'accents', req: { q: 'titas' }, relevant: byArtist('Titãs'), within: 1 },
  { kind: 'accents', req: { q: 'garota de ipanema' }, relevant: byTrack('Garota De Ipanema'), within: 1 },
  // tracks
  { kind: 'track', req: { q: 'enter sandman' }, relevant: byTrack('Enter Sandman'), within: 1 },
  { kind: 'track', req: { q: 'stairway to heaven' }, relevant: byTrack('Stairway To Heaven'), within: 1 },
  { kind: 'track', req: { q: 'smells like teen spirit' }, relevant: byTrack('Smells Like Teen Spirit'), within: 1 },
  { kind: 'track', req: { q: 'bohemian rhapsody' }, relevant: byTrack('Bohemian Rhapsody'), within: 1 },
  { kind: 'track', req: { q: 'smoke on the water' }, relevant: byTrack('Smoke On The Water'), within: 1 },
  { kind: 'track', req: { q: 'purple haze' }, relevant: byTrack('Purple Haze'), within: 1 },
  { kind: 'track', req: { q: "sweet child o' mine" }, relevant: byTrack("Sweet Child O' Mine"), within: 1 },
  { kind: 'track', req: { q: 'metallica one' }, relevant: byTrack('One', 'Metallica'), within: 1 },
  { kind: 'track', req: { q: 'u2 one' }, relevant: byTrack('One', 'U2'), within: 3 },
  { kind: 'track', req: { q: 'whole lotta love' }, relevant: byTrack('Whole Lotta Love'), within: 1 },
  // albums and composers
  { kind: 'album', req: { q: 'black album' }, relevant: byAlbum('Black Album'), within: 1 },
  { kind: 'album', req: { q: 'lost season 1' }, relevant: byAlbum('Lost, Season 1'), within: 1 },
  { kind: 'composer', req: { q: 'jimmy page' }, relevant: byComposer('%Jimmy Page%'), within: 1 },
  { kind: 'composer', req: { q: 'composer:"vinicius de moraes"' }, relevant: byComposer('%Vin_cius de Moraes%'), within: 1, allRelevant: true },
  // typos
  { kind: 'typo', req: { q: 'metalica' }, relevant: byArtist('Metallica'), within: 1, corrected: /^metallica$/i },
  { kind: 'typo', req: { q: 'zepelin' }, relevant: byArtist('Led Zeppelin'), within: 1, corrected: /^zeppelin$/i },
  { kind: 'typo', req: { q: 'nirvanna' }, relevant: byArtist('Nirvana'), within: 1, corrected: /^nirvana$/i },
  { kind: 'typo', req: { q: 'aerosmtih' }, relevant: byArtist('Aerosmith'), within: 1, corrected: /^aerosmith$/i },
  { kind: 'typo', req: { q: 'audiolsave' }, relevant: byArtist('Audioslave'), within: 1, corrected: /^audioslave$/i },
  { kind: 'typo', req: { q: 'iron maidn' }, relevant: byArtist('Iron Maiden'), within: 1, corrected: /^iron maiden$/i },
  // phrases and prefixes
  { kind: 'phrase', req: { q: '"enter sandman"' }, relevant: byTrack('Enter Sandman'), within: 1, allRelevant: true },
  {
    kind: 'phrase',
    req: { q: '"on the water"' },
    relevant: where("t.Name LIKE '%on the water%' OR al.Title LIKE '%on the water%'"),
    within: 1,
    allRelevant: true,
  },
  { kind: 'prefix', req: { q: 'sandm*' }, relevant: where("t.Name LIKE '%Sandman%'"), within: 1 },
  { kind: 'prefix', req: { q: 'metalli*' }, relevant: byArtist('Metallica'), within: 1 },
  { kind: 'prefix', req: { q: 'zeppe*' }, relevant: byArtist('Led Zeppelin'), within: 1 },
  // scopes and negation
  { kind: 'scope', req: { q: 'artist:u2' }, relevant: byArtist('U2'), within: 1, allRelevant: true },
  { kind: 'scope', req: { q: 'track:one artist:metallica' }, relevant: byTrack('One', 'Metallica'), within: 1 },
  { kind: 'scope', req: { q: 'genre:jazz' }, relevant: byGenre('Jazz'), within: 1, allRelevant: true },
  { kind: 'scope', req: { q: 'album:"black album"' }, relevant: byAlbum('Black Album'), within: 1, allRelevant: true },
  {
    kind: 'negation',
    req: { q: 'enter sandman -artist:metallica' },
    relevant: where("t.Name = 'Enter Sandman' AND ar.Name <> 'Metallica'"),
    within: 1,
    allRelevant: true,
  },
  {
    kind: 'negation',
    req: { q: 'enter -metallica' },
    relevant: where(
      "(t.Name LIKE '%enter%' OR al.Title LIKE '%enter%' OR ar.Name LIKE '%enter%' OR t.Composer LIKE '%enter%') AND ar.Name NOT LIKE '%metallica%' AND al.Title NOT LIKE '%metallica%' AND t.Name NOT LIKE '%metallica%'",
    ),
    within: 1,
    allRelevant: true,
  },
  {
    kind: 'negation',
    req: { q: 'master NOT puppets' },
    relevant: where(
      "(t.Name LIKE '%master%' OR al.Title LIKE '%master%' OR ar.Name LIKE '%master%' OR t.Composer LIKE '%master%') AND t.Name NOT LIKE '%puppets%' AND al.Title NOT LIKE '%puppets%'",
    ),
    within: 1,
    allRelevant: true,
    // The index is unstemmed: nothing but the excluded "Master of Puppets" holds "master" itself,
    // so the query runs as "masters" (one edit) and says so.
    corrected: /^masters -puppets$/i,
  },
  {
    kind: 'or',
    req: { q: 'sabbath OR purple' },
    relevant: where(
      "ar.Name LIKE '%sabbath%' OR t.Name LIKE '%sabbath%' OR al.Title LIKE '%sabbath%' OR ar.Name LIKE '%purple%' OR t.Name LIKE '%purple%' OR al.Title LIKE '%purple%' OR t.Composer LIKE '%purple%'",
    ),
    within: 1,
    allRelevant: true,
  },
];

// Filter cases need a genre id looked up in the source.
const filterCases = (src: Database.Database): Case[] => [
  { kind: 'filter', req: { q: 'love', genreId: genreId(src, 'Jazz') }, relevant: where("g.Name = 'Jazz'"), within: 1, allRelevant: true },
  { kind: 'filter', req: { q: 'rock', maxDurationMs: 180_000 }, relevant: where('t.Milliseconds <= 180000'), within: 1, allRelevant: true },
];

export interface RelevanceReport {
  queries: number;
  mrr: number;
  ndcg: number;
  /** MRR per kind of query, with how many queries of that kind. */
  byKind: Map<string, { n: number; mrr: number }>;
  failures: string[];
}

/** Runs every query (first page of 10, no facets) and scores it against the source's answers. */
export function evaluateRelevance(search: SearchService, src: Database.Database): RelevanceReport {
  const all = [...fixedCases, ...filterCases(src)];
  let rrSum = 0;
  let ndcgSum = 0;
  const failures: string[] = [];
  const byKind = new Map<string, { n: number; rr: number }>();
  for (const c of all) {
    const relevant = new Set(c.relevant(src));
    if (relevant.size === 0) failures.push(`no expected answer in the source for ${JSON.stringify(c.req)}`);
    const r = search.search({ ...c.req, limit: 10, facets: false });
    const hitIds = r.hits.map((h) => h.id);
    const firstRank = hitIds.findIndex((id) => relevant.has(id)) + 1;
    const rr = firstRank > 0 ? 1 / firstRank : 0;
    const dcg = hitIds.reduce((s, id, i) => s + (relevant.has(id) ? 1 / Math.log2(i + 2) : 0), 0);
    let idcg = 0;
    for (let i = 0; i < Math.min(10, relevant.size); i++) idcg += 1 / Math.log2(i + 2);
    rrSum += rr;
    ndcgSum += idcg > 0 ? dcg / idcg : 0;
    const k = byKind.get(c.kind) ?? { n: 0, rr: 0 };
    byKind.set(c.kind, { n: k.n + 1, rr: k.rr + rr });
    if (firstRank === 0 || firstRank > c.within)
      failures.push(`${JSON.stringify(c.req)}: first relevant hit at rank ${firstRank || 'none'} (want ≤ ${c.within})`);
    if (c.allRelevant) {
      const stray = hitIds.filter((id) => !relevant.has(id));
      if (stray.length) failures.push(`${JSON.stringify(c.req)}: irrelevant hits ${stray.join(', ')}`);
    }
    if (c.corrected && !c.corrected.test(r.correctedQuery ?? '')) failures.push(`${JSON.stringify(c.req)}: correctedQuery ${JSON.stringify(r.correctedQuery)}`);
    if (!c.corrected && r.correctedQuery) failures.push(`${JSON.stringify(c.req)}: corrected although it matched (${r.correctedQuery})`);
  }
  return {
    queries: all.length,
    mrr: rrSum / all.length,
    ndcg: ndcgSum / all.length,
    byKind: new Map([...byKind].map(([kind, v]) => [kind, { n: v.n, mrr: v.rr / v.n }])),
    failures,
  };
}
