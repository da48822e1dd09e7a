// Embedding providers: each turns real catalog data into one space's vectors, deterministically.
// Two passes over the catalog: `observe` every track (statistics, and the fitting sample),
// `fit`, then `embed` every track. A provider may leave a track for `fallbacks`, emitted last.
import { normalized, project, projectSparse, type SparseProjection, type SparseRows, sparseProjection, truncatedSvd } from './linalg.ts';
import type { TrackFeatures } from './source.ts';
import { DIMS, type Space } from './spaces.ts';

export interface EmbeddingProvider {
  readonly space: Space;
  readonly name: string;
  observe(track: TrackFeatures, sampled: boolean): void;
  fit(): void;
  /** null: no signal for this track yet; its vector comes from `fallbacks()`. */
  embed(track: TrackFeatures): Float32Array | null;
  fallbacks(): Generator<{ ids: number[]; vectors: Float32Array[] }>;
  details(): Record<string, unknown>;
}

export interface CatalogShape {
  trackCount: number;
  genreIds: number[];
  mediaTypeIds: number[];
  playlistIds: number[];
  playlistSizes: Map<number, number>;
  invoiceSizes: Map<number, number>;
}

/** Playlists holding more than this share of the catalog ("Music", "90's Music") say nothing about taste. */
const BROAD_PLAYLIST_SHARE = 0.25;

class Welford {
  n = 0;
  mean = 0;
  m2 = 0;
  add(x: number) {
    this.n++;
    const d = x - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (x - this.mean);
  }
  z(x: number): number {
    const sd = this.n > 1 ? Math.sqrt(this.m2 / (this.n - 1)) : 0;
    return sd > 0 ? Math.max(-3, Math.min(3, (x - this.mean) / sd)) : 0;
  }
}

const composerCount = (c: string | null) => (c ? c.split(/\s*(?:\/|,|&|;|\band\b)\s*/i).filter((s) => s.trim() !== '').length : 0);

/**
 * metadata (64): genre one-hot (32 slots), media type one-hot (8), z-scored log duration, price,
 * bitrate (bytes/ms), composer presence and count, log album size, position in album, number of
 * playlists (8), and idf-weighted membership of the catalog's playlists (16 slots).
 */
export class MetadataProvider implements EmbeddingProvider {
  readonly space = 'metadata' as const;
  readonly name = 'metadata-features';
  private readonly stats = Array.from({ length: 7 }, () => new Welford());
  private readonly genreSlot: Map<number, number>;
  private readonly mediaSlot: Map<number, number>;
  private readonly playlistSlot: Map<number, { slot: number; weight: number }>;

  constructor(shape: CatalogShape) {
    this.genreSlot = new Map(shape.genreIds.map((id, i) => [id, i % 32]));
    this.mediaSlot = new Map(shape.mediaTypeIds.map((id, i) => [id, 32 + (i % 8)]));
    this.playlistSlot = new Map();
    shape.playlistIds.forEach((id, i) => {
      const size = shape.playlistSizes.get(id) ?? 0;
      const weight = size > 0 ? Math.log(Math.max(1, shape.trackCount) / size) : 0;
      this.playlistSlot.set(id, { slot: 48 + (i % 16), weight: Math.max(0, weight) });
    });
  }

  private numbers(t: TrackFeatures): number[] {
    return [
      Math.log1p(t.milliseconds),
      t.unitPrice,
      t.bytes && t.milliseconds > 0 ? t.bytes / t.milliseconds : 0,
      composerCount(t.composer),
      Math.log1p(t.albumSize),
      t.albumSize > 1 ? t.albumPosition / (t.albumSize - 1) : 0.5,
      new Set(t.playlists).size,
    ];
  }

  observe(t: TrackFeatures): void {
    this.numbers(t).forEach((x, i) => {
      this.stats[i]?.add(x);
    });
  }

  fit(): void {}

  embed(t: TrackFeatures): Float32Array {
    const v = new Float64Array(DIMS.metadata);
    if (t.genreId !== null) v[this.genreSlot.get(t.genreId) ?? 0] = 2;
    v[this.mediaSlot.get(t.mediaTypeId) ?? 32] = 1;
    const [dur, price, bitrate, composers, albumSize, position, playlistCount] = this.numbers(t) as number[];
    const s = this.stats;
    v[40] = 0.5 * (s[0] as Welford).z(dur as number);
    v[41] = 0.5 * (s[1] as Welford).z(price as number);
    v[42] = 0.5 * (s[2] as Welford).z(bitrate as number);
    v[43] = t.composer ? 0.5 : -0.5;
    v[44] = 0.5 * (s[3] as Welford).z(composers as number);
    v[45] = 0.5 * (s[4] as Welford).z(albumSize as number);
    v[46] = 0.5 * (position as number) - 0.25;
    v[47] = 0.5 * (s[6] as Welford).z(playlistCount as number);
    for (const p of new Set(t.playlists)) {
      const slot = this.playlistSlot.get(p);
      if (slot) v[slot.slot] = (v[slot.slot] as number) + slot.weight / 4;
    }
    return normalized(v);
  }

  *fallbacks() {}

  details() {
    return { blocks: 'genre 0-31, media type 32-39, numeric 40-47, playlists 48-63' };
  }
}

/**
 * A latent-semantic space: sparse weighted terms per track, a truncated SVD fitted on a
 * deterministic sample (every track when the catalog is small), and fold-in of every track.
 */
abstract class LsaProvider implements EmbeddingProvider {
  abstract readonly space: Space;
  abstract readonly name: string;
  protected abstract terms(t: TrackFeatures): Map<string, number>;
  /** Exponent of σ in the output coordinates (1 for LSA document vectors, ½ for co-occurrence). */
  protected abstract readonly sigmaPower: number;
  protected abstract readonly seed: number;
  protected readonly minDf: number = 2;
  /** 'svd': latent semantic analysis; 'projection': sparse random projection (cheap, streamable). */
  protected readonly reduction: 'svd' | 'projection' = 'svd';
  private projection: SparseProjection | null = null;

  private readonly sample: Map<string, number>[] = [];
  private readonly df = new Map<string, number>();
  private vocab = new Map<string, number>();
  private idf = new Float64Array(0);
  private basis: ReturnType<typeof truncatedSvd>['basis'] | null = null;
  private post = new Float64Array(0);
  private buf = new Float64Array(0);
  protected fitMs = 0;

  observe(t: TrackFeatures, sampled: boolean): void {
    if (!sampled) return;
    const terms = this.terms(t);
    this.sample.push(terms);
    for (const term of terms.keys()) this.df.set(term, (this.df.get(term) ?? 0) + 1);
  }

  fit(): void {
    const started = performance.now();
    const dims = DIMS[this.space];
    const kept = [...this.df.entries()].filter(([, n]) => n >= this.minDf).map(([term]) => term);
    kept.sort();
    this.vocab = new Map(kept.map((term, i) => [term, i]));
    const n = Math.max(1, this.sample.length);
    this.idf = Float64Array.from(kept, (term) => Math.log((1 + n) / (1 + (this.df.get(term) ?? 0))) + 1);
    this.buf = new Float64Array(dims);
    if (this.reduction === 'projection') {
      this.sample.length = 0;
      this.df.clear();
      this.projection = sparseProjection(kept.length, dims, 24, this.seed);
      this.fitMs = performance.now() - started;
      return;
    }
    const matrix: SparseRows = { cols: kept.length, rows: this.sample.map((doc) => this.row(doc)) };
    this.sample.length = 0;
    this.df.clear();
    const svd = truncatedSvd(matrix, dims, this.seed);
    this.basis = svd.basis;
    this.post = svd.singularValues.map((s) => (s > 0 ? s ** (this.sigmaPower - 1) : 0));
    this.fitMs = performance.now() - started;
  }

  private row(doc: Map<string, number>): { idx: Int32Array; val: Float64Array } {
    const pairs: [number, number][] = [];
    for (const [term, w] of doc) {
      const i = this.vocab.get(term);
      if (i !== undefined) pairs.push([i, Math.log1p(w) * (this.idf[i] as number)]);
    }
    pairs.sort((a, b) => a[0] - b[0]);
    let norm = 0;
    for (const [, v] of pairs) norm += v * v;
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    return { idx: Int32Array.from(pairs, (p) => p[0]), val: Float64Array.from(pairs, (p) => p[1] * inv) };
  }

  /** Coordinates before normalisation, or null when the track shares no term with the fitted vocabulary. */
  protected coordinates(t: TrackFeatures): Float64Array | null {
    const { idx, val } = this.row(this.terms(t));
    if (idx.length === 0) return null;
    if (this.projection) return projectSparse(idx, val, this.projection, this.buf);
    if (!this.basis) throw new Error(`${this.name}: embed() before fit()`);
    const c = project(idx, val, this.basis, this.buf);
    for (let j = 0; j < c.length; j++) c[j] = (c[j] as number) * (this.post[j] as number);
    return c;
  }

  // Sized for the largest space; a subclass field initialiser cannot see `space` here.
  private readonly globalSum = new Float64Array(512);
  private textCold: number[] = [];
  private fallbackCount = 0;

  /** The normalised vector, or null (after noting the track) when it has no signal. */
  protected embedOrNull(t: TrackFeatures): Float32Array | null {
    const c = this.coordinates(t);
    if (!c) return null;
    const v = normalized(c);
    if (!v.some((x) => x !== 0)) return null;
    for (let j = 0; j < v.length; j++) this.globalSum[j] = (this.globalSum[j] as number) + (v[j] as number);
    return v;
  }

  protected globalMean(): Float32Array {
    return normalized(this.globalSum.subarray(0, DIMS[this.space]));
  }

  embed(t: TrackFeatures): Float32Array | null {
    const v = this.embedOrNull(t);
    if (!v) {
      this.textCold.push(t.id);
      this.fallbackCount++;
    }
    return v;
  }

  /** A track sharing no term with the vocabulary gets the catalog's mean direction. */
  *fallbacks(): Generator<{ ids: number[]; vectors: Float32Array[] }> {
    if (this.textCold.length === 0) return;
    const mean = this.globalMean();
    yield { ids: this.textCold, vectors: this.textCold.map(() => mean) };
    this.textCold = [];
  }

  details(): Record<string, unknown> {
    return { vocabulary: this.vocab.size, reduction: this.reduction, fitMs: Math.round(this.fitMs), meanFallback: this.fallbackCount };
  }
}

const STOPWORDS = new Set(['the', 'of', 'and', 'a', 'an', 'in', 'on', 'to', 'for', 'de', 'la', 'le', 'el', 'do', 'da', 'e', 'o', 'no', 'op', 'vol', 'feat']);

function words(text: string | null): string[] {
  if (!text) return [];
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length >= 2 && !STOPWORDS.has(w));
}

/**
 * lyric (384): Chinook has no lyrics, so this is a *text* space — TF-IDF over the words and
 * character trigrams of track name, album, artist and composer, plus the artist and genre as
 * whole tokens, reduced to 384 dimensions by a seeded sparse random projection. A truncated
 * SVD (LSA) to 384 dimensions took 14–18 s for Chinook on this shared 2-core machine, too slow
 * for the first start; the projection takes milliseconds and streams for large catalogs.
 */
export class TextProvider extends LsaProvider {
  readonly space = 'lyric' as const;
  readonly name = 'text-tfidf-projection';
  protected override readonly reduction = 'projection' as const;
  protected readonly sigmaPower = 1;
  protected readonly seed = 0x1c5a;

  protected terms(t: TrackFeatures): Map<string, number> {
    const m = new Map<string, number>();
    const add = (term: string, w: number) => m.set(term, (m.get(term) ?? 0) + w);
    const field = (text: string | null, w: number, grams: boolean) => {
      for (const word of words(text)) {
        add(`w:${word}`, w);
        if (!grams) continue;
        const padded = `#${word}#`;
        for (let i = 0; i + 3 <= padded.length; i++) add(`c:${padded.slice(i, i + 3)}`, 0.3 * w);
      }
    };
    field(t.name, 1, true);
    field(t.album, 0.8, true);
    field(t.artist, 0.8, true);
    field(t.composer, 0.6, false);
    if (t.artist) add(`A:${words(t.artist).join('-')}`, 1);
    if (t.genre) add(`G:${t.genre.toLowerCase()}`, 1);
    return m;
  }
}

/**
 * audio (128): Chinook has no audio, so this is a *listens-alike* space — tracks × baskets
 * (playlists and invoices) weighted by idf, reduced by truncated SVD: tracks that people put
 * in the same playlists and buy together sit together. Tracks in no basket get the mean of
 * the listens-alike vectors on their album, else by their artist, else in their genre.
 */
export class ListensAlikeProvider extends LsaProvider {
  readonly space = 'audio' as const;
  readonly name = 'listens-alike-lsa';
  protected readonly sigmaPower = 0.5;
  protected readonly seed = 0xa0d1;
  protected override readonly minDf = 1;
  private readonly playlistIdf = new Map<number, number>();
  private readonly invoiceIdf = new Map<number, number>();
  private readonly centroids = { album: new Map<number, Float64Array>(), artist: new Map<number, Float64Array>(), genre: new Map<number, Float64Array>() };
  private cold: { id: number; albumId: number | null; artistId: number | null; genreId: number | null }[] = [];
  private counts = { warm: 0, album: 0, artist: 0, genre: 0, global: 0 };

  constructor(shape: CatalogShape) {
    super();
    const n = Math.max(1, shape.trackCount);
    for (const [id, size] of shape.playlistSizes) {
      if (size >= 2 && size <= BROAD_PLAYLIST_SHARE * n) this.playlistIdf.set(id, Math.log(n / size));
    }
    for (const [id, size] of shape.invoiceSizes) if (size >= 2) this.invoiceIdf.set(id, Math.log(n / size));
  }

  protected terms(t: TrackFeatures): Map<string, number> {
    const m = new Map<string, number>();
    for (const p of t.playlists) {
      const w = this.playlistIdf.get(p);
      if (w) m.set(`p:${p}`, w);
    }
    for (const i of t.invoices) {
      const w = this.invoiceIdf.get(i);
      if (w) m.set(`i:${i}`, (m.get(`i:${i}`) ?? 0) + w);
    }
    return m;
  }

  override embed(t: TrackFeatures): Float32Array | null {
    const v = this.embedOrNull(t);
    if (!v) {
      this.cold.push({ id: t.id, albumId: t.albumId, artistId: t.artistId, genreId: t.genreId });
      return null;
    }
    this.counts.warm++;
    const addTo = (map: Map<number, Float64Array>, key: number | null) => {
      if (key === null) return;
      let c = map.get(key);
      if (!c) {
        c = new Float64Array(v.length);
        map.set(key, c);
      }
      for (let j = 0; j < v.length; j++) c[j] = (c[j] as number) + (v[j] as number);
    };
    addTo(this.centroids.album, t.albumId);
    addTo(this.centroids.artist, t.artistId);
    addTo(this.centroids.genre, t.genreId);
    return v;
  }

  override *fallbacks(): Generator<{ ids: number[]; vectors: Float32Array[] }> {
    const batch = 2000;
    for (let i = 0; i < this.cold.length; i += batch) {
      const part = this.cold.slice(i, i + batch);
      const vectors = part.map((c) => {
        const pick =
          (c.albumId !== null && this.centroids.album.get(c.albumId) && 'album') ||
          (c.artistId !== null && this.centroids.artist.get(c.artistId) && 'artist') ||
          (c.genreId !== null && this.centroids.genre.get(c.genreId) && 'genre') ||
          'global';
        this.counts[pick]++;
        const key = pick === 'album' ? c.albumId : pick === 'artist' ? c.artistId : c.genreId;
        return pick === 'global' ? this.globalMean() : normalized(this.centroids[pick].get(key as number) as Float64Array);
      });
      yield { ids: part.map((c) => c.id), vectors };
    }
    this.cold = [];
  }

  override details(): Record<string, unknown> {
    return {
      ...super.details(),
      tracks: {
        fromBaskets: this.counts.warm,
        fallback: { album: this.counts.album, artist: this.counts.artist, genre: this.counts.genre, global: this.counts.global },
      },
    };
  }
}
