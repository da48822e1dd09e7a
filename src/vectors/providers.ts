// Embedding providers: each turns real catalog data into one space's vectors, deterministically.
// Two passes over the catalog: `observe` every track (statistics, and the fitting sample),
// `fit`, then `embed` every track. A provider may leave a track for `fallbacks`, emitted last.
import { normalized, project, projectSparse, type SparseProjection, type SparseRows, sparseProjection, truncatedSvd } from './linalg.ts';
import type { InvoiceAudit, TrackFeatures } from './source.ts';
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
  /** Kept invoices only (generated ones are left out: source.ts basketSizes). */
  invoiceSizes: Map<number, number>;
  invoiceAudit?: InvoiceAudit;
}

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
 * metadata (64): what a track *is*, from the catalog's own fields — genre one-hot (32 slots),
 * media type one-hot (8), z-scored log duration, price, bitrate (bytes/ms), composer presence
 * and count, log album size, position in album (40-46; 47 is kept at 0), and the composer's
 * words through a seeded sparse projection (48-63). Playlist membership used to sit in 48-63:
 * it is co-occurrence, the listens-alike space's evidence, and under the playlist-completion
 * protocol it made this space rank a playlist's *siblings* (Classical 101 parts 13-15 share
 * 12) above its hidden tracks: recall@20 0.000 on 13, 14 and 15 (docs/vectors.md).
 */
export class MetadataProvider implements EmbeddingProvider {
  readonly space = 'metadata' as const;
  readonly name = 'metadata-composer';
  private readonly stats = Array.from({ length: 6 }, () => new Welford());
  private readonly genreSlot: Map<number, number>;
  private readonly mediaSlot: Map<number, number>;
  private readonly composers = new ComposerTerms();

  constructor(shape: CatalogShape) {
    this.genreSlot = new Map(shape.genreIds.map((id, i) => [id, i % 32]));
    this.mediaSlot = new Map(shape.mediaTypeIds.map((id, i) => [id, 32 + (i % 8)]));
  }

  private numbers(t: TrackFeatures): number[] {
    return [
      Math.log1p(t.milliseconds),
      t.unitPrice,
      t.bytes && t.milliseconds > 0 ? t.bytes / t.milliseconds : 0,
      composerCount(t.composer),
      Math.log1p(t.albumSize),
      t.albumSize > 1 ? t.albumPosition / (t.albumSize - 1) : 0.5,
    ];
  }

  observe(t: TrackFeatures, sampled: boolean): void {
    this.numbers(t).forEach((x, i) => {
      this.stats[i]?.add(x);
    });
    this.composers.observe(t, sampled);
  }

  fit(): void {
    this.composers.fit();
  }

  embed(t: TrackFeatures): Float32Array {
    const v = new Float64Array(DIMS.metadata);
    if (t.genreId !== null) v[this.genreSlot.get(t.genreId) ?? 0] = 2;
    v[this.mediaSlot.get(t.mediaTypeId) ?? 32] = 1;
    const [dur, price, bitrate, composers, albumSize, position] = this.numbers(t) as number[];
    const s = this.stats;
    v[40] = 0.5 * (s[0] as Welford).z(dur as number);
    v[41] = 0.5 * (s[1] as Welford).z(price as number);
    v[42] = 0.5 * (s[2] as Welford).z(bitrate as number);
    v[43] = t.composer ? 0.5 : -0.5;
    v[44] = 0.5 * (s[3] as Welford).z(composers as number);
    v[45] = 0.5 * (s[4] as Welford).z(albumSize as number);
    v[46] = 0.5 * (position as number) - 0.25;
    const c = this.composers.embedOrNull(t);
    if (c) for (let j = 0; j < c.length; j++) v[48 + j] = c[j] as number;
    return normalized(v);
  }

  *fallbacks() {}

  details() {
    return { blocks: 'genre 0-31, media type 32-39, numeric 40-46, composer words 48-63', composerVocabulary: this.composers.details().vocabulary };
  }
}

/**
 * A latent-semantic space: sparse weighted terms per track, a truncated SVD fitted on a
 * deterministic sample (every track when the catalog is small), and fold-in of every track.
 */
export abstract class LsaProvider implements EmbeddingProvider {
  abstract readonly space: Space;
  abstract readonly name: string;
  protected abstract terms(t: TrackFeatures): Map<string, number>;
  /** Exponent of σ in the output coordinates (1 for LSA document vectors, ½ for co-occurrence). */
  protected abstract readonly sigmaPower: number;
  protected abstract readonly seed: number;
  protected readonly minDf: number = 2;
  /** Output dimensions: the whole space, unless this is one block of a composite provider. */
  protected get dims(): number {
    return DIMS[this.space];
  }
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
    const dims = this.dims;
    const kept = [...this.df.entries()].filter(([, n]) => n >= this.minDf).map(([term]) => term);
    kept.sort();
    this.vocab = new Map(kept.map((term, i) => [term, i]));
    const n = Math.max(1, this.sample.length);
    this.idf = Float64Array.from(kept, (term) => Math.log((1 + n) / (1 + (this.df.get(term) ?? 0))) + 1);
    this.buf = new Float64Array(dims);
    if (this.reduction === 'projection') {
      this.sample.length = 0;
      this.df.clear();
      // 24 non-zeros per term (the text space's 384 dims); small blocks take a quarter of their dims.
      this.projection = sparseProjection(kept.length, dims, Math.min(24, Math.max(1, Math.floor(dims / 4))), this.seed);
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

  /** The normalised vector, or null when the track has no signal (nothing is noted: composites decide). */
  embedOrNull(t: TrackFeatures): Float32Array | null {
    const c = this.coordinates(t);
    if (!c) return null;
    const v = normalized(c);
    if (!v.some((x) => x !== 0)) return null;
    for (let j = 0; j < v.length; j++) this.globalSum[j] = (this.globalSum[j] as number) + (v[j] as number);
    return v;
  }

  protected globalMean(): Float32Array {
    return normalized(this.globalSum.subarray(0, this.dims));
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

/** A term space reduced by the seeded sparse random projection (cheap, streamable, no fit beyond idf). */
export abstract class ProjectedTerms extends LsaProvider {
  protected override readonly reduction = 'projection' as const;
  protected readonly sigmaPower = 1;
}

const STOPWORDS = new Set(['the', 'of', 'and', 'a', 'an', 'in', 'on', 'to', 'for', 'de', 'la', 'le', 'el', 'do', 'da', 'e', 'o', 'no', 'op', 'vol', 'feat']);

export function words(text: string | null): string[] {
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
export class TextProvider extends ProjectedTerms {
  readonly space = 'lyric' as const;
  readonly name = 'text-tfidf-projection';
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

/** The composer block of the metadata space: composer words (in ≥ 2 tracks), tf-idf, projected to 16 dims. */
class ComposerTerms extends ProjectedTerms {
  readonly space = 'metadata' as const;
  readonly name = 'composer-words';
  protected readonly seed = 0xc0de;
  protected override get dims(): number {
    return 16;
  }
  protected terms(t: TrackFeatures): Map<string, number> {
    const m = new Map<string, number>();
    for (const word of words(t.composer)) m.set(word, (m.get(word) ?? 0) + 1);
    return m;
  }
}
