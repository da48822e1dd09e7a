// What the synthetic generator remembers of each track once it is written, so playlists and
// invoices can pick tracks by popularity without reading the catalog back: a few typed arrays
// per track (genre, media type, album, cumulative popularity) and the first track of each album
// and artist (ids are dense and in catalog order, so an album or artist is a range of ids).
import type { Rng } from './rng.ts';
import { MIN_ALBUM_TRACKS } from './synthetic-shape.ts';
import * as W from './synthetic-words.ts';

export class TrackSampler {
  // Per-track facts (ids are 1..n, index 0 unused).
  private readonly trackGenre: Uint8Array;
  private readonly trackMedia: Uint8Array;
  private readonly trackAlbum: Int32Array;
  /** cumById[i] = popularity of tracks 1..i; sampling by popularity is a binary search. */
  private readonly cumById: Float64Array;
  private readonly albumFirst: Int32Array;
  private readonly albumArtist: Int32Array;
  private readonly artistFirst: Int32Array;
  private byGenre: Int32Array = new Int32Array(0);
  private cumByGenre: Float64Array = new Float64Array(1);
  private readonly genreStart = new Int32Array(W.GENRES.length + 2);

  constructor(private readonly n: number) {
    this.trackGenre = new Uint8Array(n + 1);
    this.trackMedia = new Uint8Array(n + 1);
    this.trackAlbum = new Int32Array(n + 1);
    this.cumById = new Float64Array(n + 1);
    // Albums hold 8–20 tracks, so n/8 + 1 bounds the album and artist counts.
    const maxAlbums = Math.ceil(n / MIN_ALBUM_TRACKS) + 2;
    this.albumFirst = new Int32Array(maxAlbums + 1);
    this.albumArtist = new Int32Array(maxAlbums + 1);
    this.artistFirst = new Int32Array(maxAlbums + 1);
  }

  // ---------------------------------------------------------------- recorded while writing

  artistStarts(artist: number, firstTrack: number): void {
    this.artistFirst[artist] = firstTrack;
  }

  albumStarts(album: number, artist: number, firstTrack: number): void {
    this.albumFirst[album] = firstTrack;
    this.albumArtist[album] = artist;
  }

  track(id: number, genre: number, media: number, album: number, popularity: number): void {
    this.trackGenre[id] = genre;
    this.trackMedia[id] = media;
    this.trackAlbum[id] = album;
    this.cumById[id] = this.cumById[id - 1]! + popularity;
  }

  /** After the last track: closes the last artist's and album's ranges, and indexes tracks by genre. */
  catalogDone(artists: number, albums: number, nextTrack: number): void {
    this.artistFirst[artists + 1] = nextTrack;
    this.albumFirst[albums + 1] = nextTrack;
    this.indexByGenre();
  }

  // ---------------------------------------------------------------- read by later tables

  mediaOf(track: number): number {
    return this.trackMedia[track]!;
  }

  artistOf(track: number): number {
    return this.albumArtist[this.trackAlbum[track]!]!;
  }

  genreTrackCount(genre: number): number {
    return this.genreStart[genre + 1]! - this.genreStart[genre]!;
  }

  usedGenres(): number[] {
    return W.GENRES.filter((g) => this.genreTrackCount(g.id) > 0).map((g) => g.id);
  }

  /** A track from ids lo..hi, chosen in proportion to popularity. */
  sampleRange(rng: Rng, lo: number, hi: number): number {
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

  sampleGenre(rng: Rng, genre: number): number {
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

  albumRange(track: number): [number, number] {
    const album = this.trackAlbum[track]!;
    return [this.albumFirst[album]!, this.albumFirst[album + 1]! - 1];
  }

  artistRange(track: number): [number, number] {
    const artist = this.artistOf(track);
    return [this.artistFirst[artist]!, this.artistFirst[artist + 1]! - 1];
  }

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
}
