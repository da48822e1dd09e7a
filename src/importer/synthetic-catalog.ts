// Writes the synthetic artists, albums and tracks, in id order, and tells the sampler what
// each track is (genre, media type, album, popularity) for the playlists and invoices after.
// Draws from the `shape` stream (sizes, genres, durations, popularity), the `names` stream
// (through NameMaker) and the `public-ids` stream, in catalog order.
import { trackSlug } from '../catalog/index.ts';
import type { Db, Stmt } from '../db/index.ts';
import { cumulative, type Rng } from './rng.ts';
import { type ArtistPlan, NameMaker } from './synthetic-names.ts';
import type { TrackSampler } from './synthetic-sampling.ts';
import {
  ALBUMS_PER_ARTIST,
  CATALOG_FROM,
  CATALOG_TO,
  COMPOSERLESS_ALBUM_SHARE,
  DAY_MS,
  MAX_ALBUM_TRACKS,
  MIN_ALBUM_TRACKS,
  type Progress,
} from './synthetic-shape.ts';
import * as W from './synthetic-words.ts';

const genreCumulative = cumulative(W.GENRES.map((g) => g.weight));

export class CatalogWriter {
  private readonly names: NameMaker;
  private readonly shape: Rng;
  private readonly ids: Rng;
  private nextTrack = 1;
  private albums = 0;
  private artists = 0;

  constructor(
    private readonly db: Db,
    private readonly n: number,
    rngs: { names: Rng; shape: Rng; ids: Rng },
    private readonly sampler: TrackSampler,
    private readonly progress: Progress,
  ) {
    this.names = new NameMaker(rngs.names);
    this.shape = rngs.shape;
    this.ids = rngs.ids;
  }

  run(): void {
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
      this.sampler.artistStarts(artist.id, this.nextTrack);
      const created = this.createdAt(this.nextTrack);
      insArtist.run(artist.id, artist.name, created, created);
      const maxAlbums = genre.video ? 6 : 10;
      const albumCount = covering ? 1 : Math.min(maxAlbums, this.shape.weighted(ALBUMS_PER_ARTIST) + 1);
      for (let a = 0; a < albumCount && this.nextTrack <= this.n; a++) this.album(artist, a, covering, insAlbum, insTrack);
    }
    this.sampler.catalogDone(this.artists, this.albums, this.nextTrack);
  }

  private createdAt(trackId: number): string {
    // Catalog growth over the years in id order, so "newest" means the highest ids, give or take a week.
    const at = CATALOG_FROM + ((CATALOG_TO - CATALOG_FROM) * (trackId - 1)) / this.n + this.shape.float() * 7 * DAY_MS;
    return new Date(Math.floor(at)).toISOString();
  }

  private planArtist(genre: W.GenreProfile): ArtistPlan {
    const id = ++this.artists;
    const identity = this.names.artist(genre);
    // Artist fame is heavy-tailed: a handful of artists sell most, like any store's top charts.
    return { id, genre, ...identity, popularity: Math.min(this.shape.pareto(1.1), 5000) };
  }

  private album(artist: ArtistPlan, index: number, covering: boolean, insAlbum: Stmt, insTrack: Stmt): void {
    const s = this.shape;
    const id = ++this.albums;
    const first = this.nextTrack;
    this.sampler.albumStarts(id, artist.id, first);
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
    const albumComposer = genre.style === 'classical' || genre.style === 'opera' || genre.style === 'soundtrack' ? this.names.person('classical') : null;
    const year = Math.min(2025, artist.firstYear + index * s.int(1, 3));
    const title = this.names.albumTitle(artist, genre, index);
    const created = this.createdAt(first);
    insAlbum.run(id, title, artist.id, `${year}-${String(s.int(1, 12)).padStart(2, '0')}-${String(s.int(1, 28)).padStart(2, '0')}`, created, created);

    const albumPopularity = artist.popularity * s.logNormal(1, 0.5);
    const hits = new Set([s.int(1, size), s.int(1, Math.min(size, 4))]);
    const work = { title: '', movements: 0, movement: 0 };
    for (let pos = 1; pos <= size; pos++) {
      const tid = this.nextTrack++;
      const name = this.names.trackTitle(genre, artist, pos, work);
      let composer: string | null = null;
      if (!composerless && !s.chance(0.02)) composer = albumComposer ?? this.names.composer(artist);
      const ms = Math.round(Math.min(Math.max(s.logNormal(genre.medianSec, genre.sigma), 25), 6000) * 1000) + s.int(0, 999);
      const bytes = Math.round(ms * bytesPerMs * (0.95 + s.float() * 0.1));
      const created = this.createdAt(tid);
      insTrack.run(tid, this.ids.hex128(), trackSlug(name, tid), name, id, media, genre.id, composer, ms, bytes, price, created, created);
      this.sampler.track(tid, genre.id, media, id, albumPopularity * s.logNormal(1, 0.6) * (hits.has(pos) ? 4 : 1));
      this.progress(1, 'tracks');
    }
  }
}
