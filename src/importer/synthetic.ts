// A deterministic, Chinook-shaped catalog of any size (1 to 5M tracks) for scale tests and
// benchmarks. Rows are generated on the fly and written through one prepared INSERT per
// table inside a single transaction; only a few typed arrays per track (genre, media type,
// album, cumulative popularity) stay in memory so that playlists and invoices can sample
// tracks by popularity without reading the catalog back.
import { trackSlug } from '../catalog/slug.ts';
import type { Db, Stmt } from '../db/connection.ts';
import { withSearchIndexSuspended } from '../search/maintenance.ts';
import type { ImportResult } from './official.ts';
import { cumulative, Rng } from './rng.ts';
import * as W from './synthetic-words.ts';
import { catalogCounts, catalogIsEmpty, clearCatalog, type ProgressFn } from './tables.ts';

export const SYNTHETIC_MAX_TRACKS = 5_000_000;
export const SYNTHETIC_DEFAULT_SEED = 42;

export interface SyntheticOptions {
  tracks: number;
  seed?: number;
  force?: boolean;
  /** Rows written between two progress callbacks (default 10 000). */
  batchSize?: number;
  onProgress?: ProgressFn;
  /** Drop the catalog's secondary indexes during the load and build them once at the end (default: from 200k tracks). */
  rebuildIndexes?: boolean;
}

// Shape parameters. Chinook has ~0.64 invoice lines per track and ~60 tracks per customer;
// we keep those ratios so that reports and co-occurrence scale with the catalog.
const INVOICE_LINES_PER_TRACK = 0.64;
const TRACKS_PER_CUSTOMER = 60;
const MIN_CUSTOMERS = 59;
const PLAYLIST_ENTRIES_PER_TRACK = 1.2;
const ALBUMS_PER_ARTIST = cumulative([40, 22, 12, 8, 6, 4, 3, 2, 2, 1]); // index + 1 albums
const LINES_PER_INVOICE = cumulative([16, 15, 11, 11, 8, 9, 5, 5, 4, 3, 3, 3, 2, 5]); // index + 1 lines
const MEAN_LINES_PER_INVOICE = LINES_PER_INVOICE.reduce((s, c, i) => s + (i + 1) * (c - (LINES_PER_INVOICE[i - 1] ?? 0)), 0) / LINES_PER_INVOICE.at(-1)!;
const MIN_ALBUM_TRACKS = 8;
const MAX_ALBUM_TRACKS = 20;
const COMPOSERLESS_ALBUM_SHARE = 0.26; // + ~2% of single tracks ≈ Chinook's 28% without composer

const DAY_MS = 86_400_000;
const CATALOG_FROM = Date.UTC(2019, 0, 1);
const CATALOG_TO = Date.UTC(2025, 5, 30);
const INVOICES_FROM = Date.UTC(2021, 0, 1);
const INVOICE_DAYS = (Date.UTC(2025, 11, 31) - INVOICES_FROM) / DAY_MS;

const genreCumulative = cumulative(W.GENRES.map((g) => g.weight));
const countryCumulative = cumulative(W.COUNTRIES.map((c) => c.weight));
const isoSeconds = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;
const asciiWord = (s: string) =>
  s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');

interface ArtistPlan {
  id: number;
  name: string;
  genre: W.GenreProfile;
  members: string[];
  separator: string;
  popularity: number;
  firstYear: number;
}

interface CustomerInfo {
  address: string;
  city: string;
  state: string | null;
  country: string;
  postal: string;
  favourites: number[];
}

class Generator {
  private readonly n: number;
  private readonly names: Rng;
  private readonly shape: Rng;
  private readonly ids: Rng;
  // Per-track facts needed after the track is written (ids are 1..n, index 0 unused).
  private readonly trackGenre: Uint8Array;
  private readonly trackMedia: Uint8Array;
  private readonly trackAlbum: Int32Array;
  /** cumById[i] = popularity of tracks 1..i; sampling by popularity is a binary search. */
  private readonly cumById: Float64Array;
  // Albums hold 8–20 tracks, so n/8 + 1 bounds the album and artist counts.
  private readonly albumFirst: Int32Array;
  private readonly albumArtist: Int32Array;
  private readonly artistFirst: Int32Array;
  private byGenre: Int32Array = new Int32Array(0);
  private cumByGenre: Float64Array = new Float64Array(1);
  private readonly genreStart = new Int32Array(W.GENRES.length + 2);
  private nextTrack = 1;
  private albums = 0;
  private artists = 0;
  private done = 0;
  private generated = 0;
  private lastReport = 0;
  private label = '';
  private readonly total: number;
  private readonly targetPlaylistEntries: number;
  private readonly invoiceCount: number;

  constructor(
    private readonly db: Db,
    tracks: number,
    private readonly seed: number,
    private readonly batchSize: number,
    private readonly onProgress?: ProgressFn,
  ) {
    this.n = tracks;
    this.names = new Rng(seed, 'names');
    this.shape = new Rng(seed, 'shape');
    this.ids = new Rng(seed, 'public-ids');
    this.trackGenre = new Uint8Array(tracks + 1);
    this.trackMedia = new Uint8Array(tracks + 1);
    this.trackAlbum = new Int32Array(tracks + 1);
    this.cumById = new Float64Array(tracks + 1);
    const maxAlbums = Math.ceil(tracks / MIN_ALBUM_TRACKS) + 2;
    this.albumFirst = new Int32Array(maxAlbums + 1);
    this.albumArtist = new Int32Array(maxAlbums + 1);
    this.artistFirst = new Int32Array(maxAlbums + 1);
    this.targetPlaylistEntries = Math.round(tracks * PLAYLIST_ENTRIES_PER_TRACK);
    this.invoiceCount = Math.max(1, Math.round((tracks * INVOICE_LINES_PER_TRACK) / MEAN_LINES_PER_INVOICE));
    this.total = 2 * tracks + this.targetPlaylistEntries + Math.round(this.invoiceCount * MEAN_LINES_PER_INVOICE);
  }

  run(): void {
    this.progress(0, 'genres and media types');
    const genre = this.db.prepare('INSERT INTO chinook_genres (id, name) VALUES (?, ?)');
    for (const g of W.GENRES) genre.run(g.id, g.name);
    const media = this.db.prepare('INSERT INTO chinook_media_types (id, name) VALUES (?, ?)');
    for (const m of W.MEDIA_TYPES) media.run(m.id, m.name);
    this.catalog();
    this.indexByGenre();
    const agents = this.employees();
    const customers = this.customers(agents);
    this.playlists();
    this.invoices(customers);
    this.generated = this.done;
  }

  /** The search index is filled once after the load (see importSynthetic); it counts as one more pass over the tracks. */
  searchIndexProgress(done: number): void {
    this.progress(Math.max(0, this.generated + done - this.done), 'search index');
  }

  phase(label: string): void {
    this.progress(0, label);
  }

  finish(): void {
    this.progress(0, 'done');
  }

  // ---------------------------------------------------------------- progress

  private progress(rows: number, label: string): void {
    this.done += rows;
    if (label !== this.label || this.done - this.lastReport >= this.batchSize) {
      this.label = label;
      this.lastReport = this.done;
      const done = label === 'done' ? this.total : Math.min(this.done, this.total - 1);
      this.onProgress?.(done, this.total, label);
    }
  }

  // ---------------------------------------------------------------- artists, albums, tracks

  private catalog(): void {
    const insArtist = this.db.prepare('INSERT INTO chinook_artists (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)');
    const insAlbum = this.db.prepare('INSERT INTO chinook_albums (id, title, artist_id, release_date, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)');
    const insTrack = this.db.prepare(
      `INSERT INTO chinook_tracks (id, public_id, slug, name, album_id, media_type_id, genre_id, composer, milliseconds, bytes, unit_price, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // The first 25 artists cover every genre once (in a seeded order) so that even a small catalog uses them all.
    const coverage = [...W.GENRES];
    for (let i = coverage.length - 1; i > 0; i--) {
      const j = this.shape.int(0, i);
      [coverage[i], coverage[j]] = [coverage[j]!, coverage[i]!];
    }
    while (this.nextTrack <= this.n) {
      const covering = this.artists < coverage.length;
      const genre = covering ? coverage[this.artists]! : W.GENRES[this.shape.weighted(genreCumulative)]!;
      const artist = this.planArtist(genre);
      this.artistFirst[artist.id] = this.nextTrack;
      const created = this.createdAt(this.nextTrack);
      insArtist.run(artist.id, artist.name, created, created);
      const maxAlbums = genre.video ? 6 : 10;
      const albumCount = covering ? 1 : Math.min(maxAlbums, this.shape.weighted(ALBUMS_PER_ARTIST) + 1);
      for (let a = 0; a < albumCount && this.nextTrack <= this.n; a++) this.album(artist, a, covering, insAlbum, insTrack);
    }
    this.artistFirst[this.artists + 1] = this.nextTrack;
    this.albumFirst[this.albums + 1] = this.nextTrack;
  }

  private createdAt(trackId: number): string {
    // Catalog growth over the years in id order, so "newest" means the highest ids, give or take a week.
    const at = CATALOG_FROM + ((CATALOG_TO - CATALOG_FROM) * (trackId - 1)) / this.n + this.shape.float() * 7 * DAY_MS;
    return new Date(Math.floor(at)).toISOString();
  }

  private planArtist(genre: W.GenreProfile): ArtistPlan {
    const r = this.names;
    const id = ++this.artists;
    const members = Array.from({ length: genre.style === 'classical' || genre.style === 'opera' ? 1 : r.int(1, 4) }, () => this.person(genre.style));
    const name = this.artistName(genre.style, members);
    const earliest = genre.id === 5 ? 1952 : genre.style === 'classical' || genre.style === 'opera' ? 1950 : genre.video ? 1995 : 1962;
    return {
      id,
      name,
      genre,
      members,
      separator: r.pick([', ', ', ', ' / ', ' & ', '/']),
      // Artist fame is heavy-tailed: a handful of artists sell most, like any store's top charts.
      popularity: Math.min(this.shape.pareto(1.1), 5000),
      firstYear: r.int(earliest, 2022),
    };
  }

  private album(artist: ArtistPlan, index: number, covering: boolean, insAlbum: Stmt, insTrack: Stmt): void {
    const s = this.shape;
    const id = ++this.albums;
    const first = this.nextTrack;
    this.albumFirst[id] = first;
    this.albumArtist[id] = artist.id;
    // Sizes 8–20; the last album takes what is left so the track count is exact.
    let size = MIN_ALBUM_TRACKS + Math.floor(((s.float() + s.float()) / 2) * (MAX_ALBUM_TRACKS - MIN_ALBUM_TRACKS + 1));
    const remaining = this.n - first + 1;
    if (remaining - size < MIN_ALBUM_TRACKS) size = remaining <= MAX_ALBUM_TRACKS ? remaining : remaining - MIN_ALBUM_TRACKS;
    const genre = covering || !s.chance(0.12) ? artist.genre : W.GENRES[s.pick(artist.genre.related) - 1]!;
    let media = W.VIDEO_MEDIA_TYPE;
    if (!genre.video) {
      const u = s.float();
      media = W.AUDIO_MEDIA_MIX.find(([, upTo]) => u < upTo)![0];
    }
    const bytesPerMs = W.MEDIA_TYPES[media - 1]!.bytesPerMs;
    const price = genre.video ? 1.99 : 0.99;
    const composerless = s.chance(genre.video ? 0.9 : genre.style === 'classical' || genre.style === 'opera' ? 0.05 : COMPOSERLESS_ALBUM_SHARE);
    const albumComposer = genre.style === 'classical' || genre.style === 'opera' || genre.style === 'soundtrack' ? this.person('classical') : null;
    const year = Math.min(2025, artist.firstYear + index * s.int(1, 3));
    const title = this.albumTitle(artist, genre, index);
    const created = this.createdAt(first);
    insAlbum.run(id, title, artist.id, `${year}-${String(s.int(1, 12)).padStart(2, '0')}-${String(s.int(1, 28)).padStart(2, '0')}`, created, created);

    const albumPopularity = artist.popularity * s.logNormal(1, 0.5);
    const hits = new Set([s.int(1, size), s.int(1, Math.min(size, 4))]);
    const work = { title: '', movements: 0, movement: 0 };
    for (let pos = 1; pos <= size; pos++) {
      const tid = this.nextTrack++;
      const name = this.trackTitle(genre, artist, pos, work);
      let composer: string | null = null;
      if (!composerless && !s.chance(0.02)) composer = albumComposer ?? this.composer(artist);
      const ms = Math.round(Math.min(Math.max(s.logNormal(genre.medianSec, genre.sigma), 25), 6000) * 1000) + s.int(0, 999);
      const bytes = Math.round(ms * bytesPerMs * (0.95 + s.float() * 0.1));
      const created = this.createdAt(tid);
      insTrack.run(tid, this.ids.hex128(), trackSlug(name, tid), name, id, media, genre.id, composer, ms, bytes, price, created, created);
      this.trackGenre[tid] = genre.id;
      this.trackMedia[tid] = media;
      this.trackAlbum[tid] = id;
      const weight = albumPopularity * s.logNormal(1, 0.6) * (hits.has(pos) ? 4 : 1);
      this.cumById[tid] = this.cumById[tid - 1]! + weight;
      this.progress(1, 'tracks');
    }
  }

  // ---------------------------------------------------------------- names

  private person(style: W.Style): string {
    const r = this.names;
    const first = r.pick(W.FIRST_NAMES);
    let last = r.pick(W.LAST_NAMES);
    // Latin and Brazilian artists get Iberian surnames more often, and sometimes two of them.
    if ((style === 'latin' || style === 'brazil') && r.chance(0.6)) {
      last = r.pick([
        'Silva',
        'Santos',
        'Araújo',
        'Gonçalves',
        'Magalhães',
        'Conceição',
        'García',
        'Peña',
        'Núñez',
        'Jiménez',
        'Muñoz',
        'Fernández',
        'Assunção',
        'Brandão',
      ]);
      if (r.chance(0.3)) last = `${last} ${r.pick(['de Souza', 'da Costa', 'do Nascimento', 'y Ortega', 'Jobim', 'Lins'])}`;
    }
    if (r.chance(0.08)) return `${first} ${String.fromCharCode(65 + r.int(0, 25))}. ${last}`;
    return `${first} ${last}`;
  }

  private artistName(style: W.Style, members: string[]): string {
    const r = this.names;
    const lead = members[0]!;
    const leadLast = lead.split(' ').at(-1)!;
    const u = r.float();
    switch (style) {
      case 'metal':
        if (u < 0.45) return `${r.pick(W.METAL_ADJ)} ${r.pick(W.METAL_NOUNS)}`;
        if (u < 0.75) return r.pick(W.METAL_NOUNS) + r.pick(['', '', ' of Doom', ' Ritual', 'fall', 'throne']);
        return `${lead} & The ${r.pick(W.METAL_NOUNS)}`;
      case 'jazz':
      case 'blues':
        if (u < 0.45) return `${lead} ${r.pick(W.ENSEMBLES)}`;
        if (u < 0.6) return `${lead} & His Orchestra`;
        if (u < 0.75) return `${lead} & ${members[1] ?? this.person(style)}`;
        return lead;
      case 'latin':
        if (u < 0.3) return `Los ${r.pick(W.SPANISH_PLURALS)}${r.chance(0.3) ? ` del ${r.pick(W.SPANISH_NOUNS)}` : ''}`;
        if (u < 0.45) return `${lead} y Su Orquesta`;
        if (u < 0.55) return `Grupo ${r.pick(W.SPANISH_NOUNS)}`;
        return lead;
      case 'brazil':
      case 'world':
        if (u < 0.55) return lead;
        if (u < 0.75) return `${lead} & ${members[1] ?? this.person(style)}`;
        return `${r.pick(['Banda', 'Trio', 'Quarteto', 'Orquestra'])} ${r.pick(W.PORTUGUESE_NOUNS)}`;
      case 'reggae':
        if (u < 0.4) return `${lead} & The ${r.pick(W.REGGAE_WORDS)} ${r.pick(['Band', 'Crew', 'Rockers', 'Wailers', 'Squad'])}`;
        if (u < 0.7) return `${r.pick(W.REGGAE_WORDS)} ${r.pick(W.REGGAE_WORDS)}`;
        return lead;
      case 'hiphop':
        if (u < 0.35) return `${r.pick(['MC', 'DJ', "Lil'", 'Big', 'Young'])} ${r.pick(W.HIPHOP_WORDS)}`;
        if (u < 0.55) return `${r.pick(W.HIPHOP_WORDS)} ${r.pick(['Crew', 'Collective', 'Squad', 'Gang', 'Clique'])}`;
        if (u < 0.75) return `${r.pick(['MC', 'DJ'])} ${r.pick(W.HIPHOP_WORDS)} feat. ${this.person(style)}`;
        return lead;
      case 'electronic':
        if (u < 0.4) return `${r.pick(W.ELECTRONIC_WORDS)}${r.pick(W.ELECTRONIC_WORDS).toLowerCase()}`;
        if (u < 0.7) return `${r.pick(W.ADJECTIVES)} ${r.pick(W.ELECTRONIC_WORDS)}`;
        return `DJ ${leadLast}`;
      case 'classical':
      case 'opera':
        if (u < 0.3)
          return `${r.pick(W.CITIES_FOR_ORCHESTRAS)} ${r.pick(['Philharmonic Orchestra', 'Symphony Orchestra', 'Chamber Orchestra', 'Radio Symphony'])}`;
        if (u < 0.55)
          return `${lead}, ${r.pick(W.CITIES_FOR_ORCHESTRAS)} ${r.pick(['Symphony Orchestra', 'Philharmonic', 'Sinfonietta'])} & ${this.person(style)}`;
        if (u < 0.7) return `${lead} & ${r.pick(W.CITIES_FOR_ORCHESTRAS)} ${r.pick(['Chamber Ensemble', 'Baroque Soloists', 'String Quartet'])}`;
        return lead;
      case 'tv':
        if (u < 0.35) return r.pick(W.TV_WORDS);
        if (u < 0.65) return `The ${r.pick(W.NOUNS)} ${r.pick(W.TV_WORDS)}`;
        return `${r.pick(W.ADJECTIVES)} ${r.pick(W.TV_WORDS)}`;
      case 'soundtrack':
        if (u < 0.5) return lead;
        return `${r.pick(W.ADJECTIVES)} ${r.pick(W.NOUNS)} (Original Soundtrack)`;
      default:
        // rock, punk, pop, soul
        if (u < 0.3) return `The ${r.pick(W.ADJECTIVES)} ${r.pick(W.PLURALS)}`;
        if (u < 0.45) return `${r.pick(W.ADJECTIVES)} ${r.pick(W.NOUNS)}`;
        if (u < 0.55) return `${r.pick(W.NOUNS)} ${r.pick(W.NOUNS)}`;
        if (u < 0.65) return `${lead} & The ${r.pick(W.PLURALS)}`;
        if (u < 0.7) return `${lead} feat. ${this.person(style)}`;
        if (u < 0.75) return `${r.pick(W.PLURALS)} & ${r.pick(W.PLURALS)}`;
        return lead;
    }
  }

  private albumTitle(artist: ArtistPlan, genre: W.GenreProfile, index: number): string {
    const r = this.names;
    if (genre.video) return `${artist.name}, Season ${index + 1}`;
    const u = r.float();
    switch (genre.style) {
      case 'classical':
      case 'opera':
        if (u < 0.4) return `${r.pick(W.LAST_NAMES)}: ${r.pick(W.CLASSICAL_FORMS)}s`;
        if (u < 0.6) return `Great Recordings of the Century - ${r.pick(W.LAST_NAMES)}: ${r.pick(W.CLASSICAL_FORMS)}s`;
        return `${r.pick(W.OPERA_WORDS)}${r.chance(0.5) ? ` (${r.pick(['Highlights', 'Complete', 'Live'])})` : ''}`;
      case 'latin':
        if (u < 0.5) return `${r.pick(W.SPANISH_NOUNS)} y ${r.pick(W.SPANISH_NOUNS)}`;
        break;
      case 'brazil':
      case 'world':
        if (u < 0.5) return `${r.pick(W.PORTUGUESE_NOUNS)}${r.chance(0.3) ? ' (Ao Vivo)' : ''}`;
        break;
      case 'metal':
        if (u < 0.5) return `${r.pick(W.METAL_ADJ)} ${r.pick(W.METAL_NOUNS)}`;
        break;
    }
    const v = r.float();
    if (index > 1 && v < 0.08) return `The Best of ${artist.name}`;
    if (v < 0.16) return r.pick(W.ALBUM_PATTERNS_EXTRA);
    if (v < 0.45) return `${r.pick(W.ADJECTIVES)} ${r.pick(W.NOUNS)}`;
    if (v < 0.6) return `${r.pick(W.NOUNS)} & ${r.pick(W.NOUNS)}`;
    if (v < 0.72) return `${r.pick(W.NOUNS)}, Vol. ${r.int(1, 4)}`;
    if (v < 0.85) return `${r.pick(W.PREPOSITIONS)} the ${r.pick(W.NOUNS)}`;
    return r.pick(W.PHRASES);
  }

  private trackTitle(genre: W.GenreProfile, artist: ArtistPlan, pos: number, work: { title: string; movements: number; movement: number }): string {
    const r = this.names;
    switch (genre.style) {
      case 'tv':
        if (pos === 1 && r.chance(0.5)) return 'Pilot';
        if (r.chance(0.15)) return `${r.pick(W.EPISODE_WORDS)}, Pt. ${r.int(1, 2)}`;
        return r.chance(0.5) ? r.pick(W.EPISODE_WORDS) : `${r.pick(W.ADJECTIVES)} ${r.pick(W.NOUNS)}`;
      case 'classical':
        if (work.movement >= work.movements) {
          work.title = `${r.pick(W.CLASSICAL_FORMS)} No. ${r.int(1, 9)} in ${r.pick(W.KEYS)} ${r.pick(['Major', 'Minor'])}, Op. ${r.int(1, 130)}`;
          work.movements = r.int(2, 4);
          work.movement = 0;
        }
        work.movement++;
        return `${work.title}: ${W.ROMAN[work.movement - 1]}. ${r.pick(W.TEMPI)}`;
      case 'opera':
        return `${r.pick(W.OPERA_WORDS)}: Act ${W.ROMAN[r.int(0, 2)]}, "${r.pick(W.ARIAS)}"`;
      case 'metal':
        if (r.chance(0.5)) return `${r.pick(W.METAL_ADJ)} ${r.pick(W.METAL_NOUNS)}${r.chance(0.05) ? r.pick(W.TRACK_SUFFIXES) : ''}`;
        break;
      case 'latin':
        if (r.chance(0.6)) return r.chance(0.5) ? `${r.pick(W.SPANISH_NOUNS)} de ${r.pick(W.SPANISH_NOUNS)}` : `Mi ${r.pick(W.SPANISH_NOUNS)}`;
        break;
      case 'brazil':
      case 'world':
        if (r.chance(0.6))
          return r.chance(0.5)
            ? `${r.pick(W.PORTUGUESE_NOUNS)} de ${r.pick(W.PORTUGUESE_NOUNS)}`
            : r.chance(0.5)
              ? `Meu ${r.pick(W.PORTUGUESE_MASCULINE)}`
              : `Minha ${r.pick(W.PORTUGUESE_FEMININE)}`;
        break;
      case 'hiphop':
        if (r.chance(0.3)) return `${r.pick(W.PHRASES)} (feat. ${r.pick(['MC', 'Lil', 'DJ'])} ${r.pick(W.HIPHOP_WORDS)})`;
        break;
      case 'pop':
      case 'soul':
        if (r.chance(0.1)) return `${r.pick(W.PHRASES)} (feat. ${this.person(genre.style)})`;
        break;
      case 'electronic':
        if (r.chance(0.3)) return `${r.pick(W.ELECTRONIC_WORDS)} ${r.pick(W.NOUNS)}${r.chance(0.3) ? ` (${artist.name} Remix)` : ''}`;
        break;
    }
    const u = r.float();
    let title: string;
    if (u < 0.25) title = `${r.pick(W.ADJECTIVES)} ${r.pick(W.NOUNS)}`;
    else if (u < 0.4) title = `${r.pick(W.NOUNS)} of ${r.chance(0.5) ? 'the ' + r.pick(W.NOUNS) : r.pick(W.PLURALS)}`;
    else if (u < 0.55) title = `${r.pick(W.VERBS_ING)} ${r.pick(W.PREPOSITIONS)} the ${r.pick(W.NOUNS)}`;
    else if (u < 0.85) title = r.pick(W.PHRASES);
    else if (u < 0.93) title = r.pick(W.NOUNS);
    else title = `${r.pick(W.NOUNS)} & ${r.pick(W.NOUNS)}`;
    return r.chance(0.07) ? title + r.pick(W.TRACK_SUFFIXES) : title;
  }

  private composer(artist: ArtistPlan): string {
    const r = this.names;
    const m = artist.members;
    if (m.length === 1) return r.chance(0.8) ? m[0]! : `${m[0]}${artist.separator}${this.person(artist.genre.style)}`;
    // A band credits one to all of its members, the lead most often.
    const count = r.int(1, m.length);
    const start = r.chance(0.6) ? 0 : r.int(0, m.length - count);
    return m.slice(start, start + count).join(artist.separator);
  }

  // ---------------------------------------------------------------- popularity sampling

  private indexByGenre(): void {
    const counts = new Int32Array(W.GENRES.length + 2);
    for (let t = 1; t <= this.n; t++) counts[this.trackGenre[t]! + 1]!++;
    for (let g = 1; g < counts.length; g++) this.genreStart[g] = this.genreStart[g - 1]! + counts[g]!;
    // genreStart[g] .. genreStart[g+1]-1 are the positions of genre g's tracks in byGenre.
    this.byGenre = new Int32Array(this.n);
    const fill = this.genreStart.slice();
    for (let t = 1; t <= this.n; t++) this.byGenre[fill[this.trackGenre[t]!]!++] = t;
    this.cumByGenre = new Float64Array(this.n + 1);
    for (let j = 0; j < this.n; j++) {
      const t = this.byGenre[j]!;
      this.cumByGenre[j + 1] = this.cumByGenre[j]! + (this.cumById[t]! - this.cumById[t - 1]!);
    }
  }

  private genreTrackCount(genre: number): number {
    return this.genreStart[genre + 1]! - this.genreStart[genre]!;
  }

  /** A track from ids lo..hi, chosen in proportion to popularity. */
  private sampleRange(rng: Rng, lo: number, hi: number): number {
    const base = this.cumById[lo - 1]!;
    const target = base + rng.float() * (this.cumById[hi]! - base);
    let a = lo;
    let b = hi;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (this.cumById[mid]! > target) b = mid;
      else a = mid + 1;
    }
    return a;
  }

  private sampleGenre(rng: Rng, genre: number): number {
    const lo = this.genreStart[genre]!;
    const hi = this.genreStart[genre + 1]!;
    if (hi <= lo) return this.sampleRange(rng, 1, this.n);
    const base = this.cumByGenre[lo]!;
    const target = base + rng.float() * (this.cumByGenre[hi]! - base);
    let a = lo;
    let b = hi - 1;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (this.cumByGenre[mid + 1]! > target) b = mid;
      else a = mid + 1;
    }
    return this.byGenre[a]!;
  }

  private albumRange(track: number): [number, number] {
    const album = this.trackAlbum[track]!;
    return [this.albumFirst[album]!, this.albumFirst[album + 1]! - 1];
  }

  private artistRange(track: number): [number, number] {
    const artist = this.albumArtist[this.trackAlbum[track]!]!;
    return [this.artistFirst[artist]!, this.artistFirst[artist + 1]! - 1];
  }

  private usedGenres(): number[] {
    return W.GENRES.filter((g) => this.genreTrackCount(g.id) > 0).map((g) => g.id);
  }

  // ---------------------------------------------------------------- people

  private employees(): number[] {
    const r = new Rng(this.seed, 'employees');
    const ins = this.db.prepare(
      `INSERT INTO chinook_employees (id, last_name, first_name, title, reports_to, birth_date, hire_date, address, city, state, country, postal_code, phone, fax, email)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const customers = Math.max(MIN_CUSTOMERS, Math.round(this.n / TRACKS_PER_CUSTOMER));
    const agentCount = Math.min(1000, Math.max(3, Math.ceil(customers / 20)));
    const canada = W.COUNTRIES.find((c) => c.name === 'Canada')!;
    const staff: [title: string, reportsTo: number | null][] = [
      ['General Manager', null],
      ['Sales Manager', 1],
      ['IT Manager', 1],
      ...Array.from({ length: agentCount }, () => ['Sales Support Agent', 2] as [string, number]),
      ['IT Staff', 3],
      ['IT Staff', 3],
    ];
    const agents: number[] = [];
    staff.forEach(([title, reportsTo], i) => {
      const id = i + 1;
      const first = r.pick(W.FIRST_NAMES);
      const last = r.pick(W.LAST_NAMES);
      const c = r.int(0, canada.cities.length - 1);
      const phone = `+1 (${r.int(200, 989)}) ${r.int(200, 999)}-${String(r.int(0, 9999)).padStart(4, '0')}`;
      const birth = Date.UTC(r.int(1950, 1998), r.int(0, 11), r.int(1, 28));
      const hire = Date.UTC(r.int(2016, 2023), r.int(0, 11), r.int(1, 28));
      ins.run(
        id,
        last,
        first,
        title,
        reportsTo,
        isoSeconds(birth),
        isoSeconds(hire),
        `${r.int(1, 9999)} ${r.pick(W.STREETS)}`,
        canada.cities[c],
        canada.states![c],
        'Canada',
        canada.postal(r.int(0, 99999)),
        phone,
        phone.replace(/\d{4}$/, String(r.int(0, 9999)).padStart(4, '0')),
        `${asciiWord(first)}${id > 8 ? id : ''}@chinookcorp.com`,
      );
      if (title === 'Sales Support Agent') agents.push(id);
    });
    return agents;
  }

  private customers(agents: number[]): { info: CustomerInfo[]; activity: number[] } {
    const r = new Rng(this.seed, 'customers');
    const count = Math.max(MIN_CUSTOMERS, Math.round(this.n / TRACKS_PER_CUSTOMER));
    const ins = this.db.prepare(
      `INSERT INTO chinook_customers (id, first_name, last_name, company, address, city, state, country, postal_code, phone, fax, email, support_rep_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const genres = this.usedGenres();
    const genreCum = cumulative(genres.map((g) => W.GENRES[g - 1]!.weight * Math.sqrt(this.genreTrackCount(g))));
    const info: CustomerInfo[] = [];
    const activity: number[] = [];
    let sum = 0;
    for (let id = 1; id <= count; id++) {
      const country = W.COUNTRIES[r.weighted(countryCumulative)]!;
      const first = r.pick(W.FIRST_NAMES);
      const last = r.pick(W.LAST_NAMES);
      const c = r.int(0, country.cities.length - 1);
      const customer: CustomerInfo = {
        address: `${r.int(1, 9999)} ${r.pick(W.STREETS)}`,
        city: country.cities[c]!,
        state: country.states?.[c] ?? null,
        country: country.name,
        postal: country.postal(r.int(0, 9_999_999)),
        // Tastes: one to three genres, which drive most of what the customer buys.
        favourites: Array.from({ length: r.int(1, 3) }, () => genres[r.weighted(genreCum)]!),
      };
      const phone = `${country.phonePrefix} ${r.int(10, 99)} ${r.int(1000, 9999)}-${r.int(1000, 9999)}`;
      ins.run(
        id,
        first,
        last,
        r.chance(0.15) ? `${r.pick(W.LAST_NAMES)} ${r.pick(W.COMPANY_SUFFIXES)}` : null,
        customer.address,
        customer.city,
        customer.state,
        customer.country,
        customer.postal,
        phone,
        r.chance(0.2) ? phone.replace(/\d{4}$/, String(r.int(1000, 9999))) : null,
        `${asciiWord(first)}.${asciiWord(last)}${id}@${country.domain}`,
        agents[r.int(0, agents.length - 1)],
      );
      info.push(customer);
      sum += r.logNormal(1, 0.6);
      activity.push(sum);
    }
    return { info, activity };
  }

  // ---------------------------------------------------------------- playlists

  private playlists(): void {
    const r = new Rng(this.seed, 'playlists');
    const insList = this.db.prepare('INSERT INTO chinook_playlists (id, name) VALUES (?, ?)');
    const insEntry = this.db.prepare('INSERT INTO chinook_playlist_track (playlist_id, track_id) VALUES (?, ?)');
    const artistName = this.db.prepare('SELECT name FROM chinook_artists WHERE id = ?').pluck();
    const genres = this.usedGenres();
    const genreCum = cumulative(genres.map((g) => W.GENRES[g - 1]!.weight));
    let id = 0;
    let entries = 0;
    const write = (name: string, tracks: Set<number>) => {
      insList.run(++id, name);
      for (const t of [...tracks].sort((a, b) => a - b)) insEntry.run(id, t);
      entries += tracks.size;
      this.progress(tracks.size, 'playlists');
    };
    const fill = (size: number, draw: () => number) => {
      const out = new Set<number>();
      for (let tries = 0; out.size < size && tries < size * 4; tries++) out.add(draw());
      return out;
    };
    // One "essentials" list per genre: the most popular tracks of that genre are the most likely members.
    for (const g of genres) {
      const size = Math.min(this.genreTrackCount(g), r.int(25, 100));
      write(
        `${W.GENRES[g - 1]!.name} ${r.pick(['Essentials', 'Classics', 'Greatest Hits', 'Top 25'])}`,
        fill(size, () => this.sampleGenre(r, g)),
      );
    }
    while (entries < this.targetPlaylistEntries) {
      const u = r.float();
      const size = Math.min(Math.round(r.logNormal(35, 0.8)) + 5, 1500, this.targetPlaylistEntries - entries + 5);
      if (u < 0.55) {
        // Mostly one or two genres, with a sprinkle of anything popular.
        const main = genres[r.weighted(genreCum)]!;
        const second = r.chance(0.35) ? genres[r.weighted(genreCum)]! : main;
        const genreName = second === main ? W.GENRES[main - 1]!.name : `${W.GENRES[main - 1]!.name} & ${W.GENRES[second - 1]!.name}`;
        const name = r.chance(0.5) ? `${r.pick(W.MOODS)} ${genreName}` : `${genreName} ${r.pick(W.LIST_SUFFIXES)}`;
        const cap = Math.min(size, this.genreTrackCount(main) + this.genreTrackCount(second));
        write(
          name,
          fill(cap, () => (r.chance(0.15) ? this.sampleRange(r, 1, this.n) : this.sampleGenre(r, r.chance(0.7) ? main : second))),
        );
      } else if (u < 0.75) {
        // "This Is <artist>": a whole discography, the strongest co-occurrence there is.
        const [lo, hi] = this.artistRange(this.sampleRange(r, 1, this.n));
        const tracks = new Set<number>();
        for (let t = lo; t <= hi && tracks.size < 100; t++) tracks.add(t);
        write(`This Is ${artistName.get(this.albumArtist[this.trackAlbum[lo]!]) as string}`, tracks);
      } else {
        write(
          `${r.pick(W.THEMED_PLAYLISTS)}${r.chance(0.6) ? ` ${r.int(1, 99)}` : ''}`,
          fill(size, () => this.sampleRange(r, 1, this.n)),
        );
      }
    }
  }

  // ---------------------------------------------------------------- invoices

  private invoices(customers: { info: CustomerInfo[]; activity: number[] }): void {
    const r = new Rng(this.seed, 'invoices');
    const insInvoice = this.db.prepare(
      `INSERT INTO chinook_invoices (id, customer_id, invoice_date, billing_address, billing_city, billing_state, billing_country, billing_postal_code, total)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insLine = this.db.prepare('INSERT INTO chinook_invoice_lines (id, invoice_id, track_id, unit_price, quantity) VALUES (?, ?, ?, ?, 1)');
    let lineId = 0;
    const lines: number[] = [];
    for (let id = 1; id <= this.invoiceCount; id++) {
      const customerId = r.weighted(customers.activity) + 1;
      const customer = customers.info[customerId - 1]!;
      const count = r.weighted(LINES_PER_INVOICE) + 1;
      const fresh = () => (r.chance(0.7) ? this.sampleGenre(r, r.pick(customer.favourites)) : this.sampleRange(r, 1, this.n));
      lines.length = 0;
      // A basket grows around what is already in it: more from the same album or artist, else another pick to taste.
      for (let tries = 0; lines.length < count && tries < count * 4; tries++) {
        let t: number;
        const prev = lines.at(-1);
        const u = r.float();
        if (prev !== undefined && u < 0.45) t = this.sampleRange(r, ...this.albumRange(prev));
        else if (prev !== undefined && u < 0.6) t = this.sampleRange(r, ...this.artistRange(prev));
        else t = fresh();
        if (!lines.includes(t)) lines.push(t);
      }
      let cents = 0;
      for (const t of lines) cents += this.trackMedia[t] === W.VIDEO_MEDIA_TYPE ? 199 : 99;
      // Ids follow dates, as in Chinook: sales spread evenly over five years.
      const day = Math.floor(((id - 1) / this.invoiceCount) * INVOICE_DAYS);
      insInvoice.run(
        id,
        customerId,
        isoSeconds(INVOICES_FROM + day * DAY_MS),
        customer.address,
        customer.city,
        customer.state,
        customer.country,
        customer.postal,
        cents / 100,
      );
      for (const t of lines) insLine.run(++lineId, id, t, this.trackMedia[t] === W.VIDEO_MEDIA_TYPE ? 1.99 : 0.99);
      this.progress(lines.length, 'invoices');
    }
  }
}

// Measured (docs/synthetic.md): once the indexes outgrow the page cache, random inserts into
// them cost more than sorting and building them once; below that it is a wash.
const REBUILD_INDEXES_FROM = 200_000;
const BULK_TABLES = [
  'chinook_artists',
  'chinook_albums',
  'chinook_tracks',
  'chinook_playlist_track',
  'chinook_invoices',
  'chinook_invoice_lines',
  'chinook_customers',
];

/** Drops the explicit indexes of the bulk-loaded tables, runs fn, then recreates them from their own SQL (same transaction). */
function withSecondaryIndexesDropped(db: Db, fn: () => void, beforeRebuild: () => void): void {
  const indexes = db
    .prepare(`SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${BULK_TABLES.map(() => '?').join(', ')})`)
    .all(...BULK_TABLES) as { name: string; sql: string }[];
  for (const i of indexes) db.exec(`DROP INDEX "${i.name}"`);
  fn();
  beforeRebuild();
  for (const i of indexes) db.exec(i.sql);
}

/**
 * Fills an empty catalog with `tracks` generated tracks and everything around them (artists,
 * albums, playlists, customers, invoices) in one IMMEDIATE transaction. The same seed and
 * track count always give the same rows, public ids and timestamps included.
 */
export function importSynthetic(db: Db, options: SyntheticOptions): ImportResult {
  const started = performance.now();
  const { tracks } = options;
  const seed = options.seed ?? SYNTHETIC_DEFAULT_SEED;
  if (!Number.isInteger(tracks) || tracks < 1 || tracks > SYNTHETIC_MAX_TRACKS) {
    throw new RangeError(`tracks must be a whole number from 1 to ${SYNTHETIC_MAX_TRACKS} (got ${tracks})`);
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be a whole number from 0 to ${0xffffffff} (got ${seed})`);
  if (!catalogIsEmpty(db) && !options.force) {
    return { skipped: true, counts: catalogCounts(db), ms: performance.now() - started };
  }
  const generator = new Generator(db, tracks, seed, Math.max(1, options.batchSize ?? 10_000), options.onProgress);
  db.transaction(() => {
    // Per-row search triggers would cost a join and two FTS inserts per track (several times
    // the rest of the load); the search module switches them off and indexes everything once.
    withSearchIndexSuspended(
      db,
      () => {
        if (options.force) clearCatalog(db);
        if (options.rebuildIndexes ?? tracks >= REBUILD_INDEXES_FROM)
          withSecondaryIndexesDropped(
            db,
            () => generator.run(),
            () => generator.phase('indexes'),
          );
        else generator.run();
      },
      (done) => generator.searchIndexProgress(done),
    );
  }).immediate();
  generator.finish();
  db.pragma('optimize');
  return { skipped: false, counts: catalogCounts(db), ms: performance.now() - started };
}
