// The audio space. Chinook has no audio, so this is honestly a *listens-alike* space: tracks
// that people put in the same playlists (and buy together, when the purchases are real) sit
// together. It has two blocks:
//
// - dims 0-95, co-occurrence: a tracks × baskets matrix (curated playlists, real invoices;
//   idf-weighted, rows L2-normalised) reduced by a randomized truncated SVD (u·σ^½).
// - dims 96-127, content: the track's artist, album and genre, and the words of its name and
//   composer (tf-idf, seeded sparse projection).
//
// Weighted 0.8 / 0.2 (of the squared norm): two tracks with the same baskets but different
// content stay below 0.99 (0.8 + 0.2·cos ≤ 0.8 + 0.2·0.9 for tracks that are not the same
// song), and a track with no basket is placed by what it is, not by an invoice. Before, Chinook's
// generated invoices (arithmetic runs of track ids) were baskets: only 807 of 3 503 vectors
// were distinct and Miles Davis's "So What" had Deep Purple and Led Zeppelin at 1.00 (the
// other tracks of invoice 229). Generated invoices are now left out (source.ts basketSizes).
//
// A track in no basket gets the co-occurrence block of its album's tracks that have one, else
// its artist's, else its genre's, scaled by a confidence (album 0.6, artist 0.4, genre 0.25,
// times √(share of the group with baskets)), plus its own content block. Below 1: a track's
// own playlists are better evidence than its album-mates' (with 1, a cold album-mate of a
// playlist track looked exactly like another member of that playlist).
import { normalized } from './linalg.ts';
import { type CatalogShape, type EmbeddingProvider, LsaProvider, ProjectedTerms, words } from './providers.ts';
import type { TrackFeatures } from './source.ts';
import { DIMS } from './spaces.ts';

/** Playlists holding more than this share of the catalog ("Music", "90's Music") say nothing about taste. */
const BROAD_PLAYLIST_SHARE = 0.25;
const COOC_DIMS = 96;
const CONTENT_DIMS = DIMS.audio - COOC_DIMS;
const COOC_WEIGHT = Math.sqrt(0.8);
const CONTENT_WEIGHT = Math.sqrt(0.2);
const FALLBACK_CONFIDENCE = { album: 0.6, artist: 0.4, genre: 0.25 } as const;

class BasketTerms extends LsaProvider {
  readonly space = 'audio' as const;
  readonly name = 'baskets';
  protected readonly sigmaPower = 0.5;
  protected readonly seed = 0xa0d1;
  protected override readonly minDf = 1;
  private readonly playlistIdf = new Map<number, number>();
  private readonly invoiceIdf = new Map<number, number>();

  constructor(shape: CatalogShape) {
    super();
    const n = Math.max(1, shape.trackCount);
    for (const [id, size] of shape.playlistSizes) {
      if (size >= 2 && size <= BROAD_PLAYLIST_SHARE * n) this.playlistIdf.set(id, Math.log(n / size));
    }
    for (const [id, size] of shape.invoiceSizes) if (size >= 2) this.invoiceIdf.set(id, Math.log(n / size));
  }

  protected override get dims(): number {
    return COOC_DIMS;
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

  baskets(): { playlists: number; invoices: number } {
    return { playlists: this.playlistIdf.size, invoices: this.invoiceIdf.size };
  }
}

class ContentTerms extends ProjectedTerms {
  readonly space = 'audio' as const;
  readonly name = 'content';
  protected readonly seed = 0xa0d2;
  // Every word counts, even one no other track has: it is what tells apart tracks with the same
  // artist, album and baskets (with df ≥ 2, episodes of The Office had identical content: 0.99).
  protected override readonly minDf = 1;

  protected override get dims(): number {
    return CONTENT_DIMS;
  }

  protected terms(t: TrackFeatures): Map<string, number> {
    const m = new Map<string, number>();
    const add = (term: string, w: number) => m.set(term, (m.get(term) ?? 0) + w);
    if (t.artistId !== null) add(`A:${t.artistId}`, 0.5);
    if (t.albumId !== null) add(`L:${t.albumId}`, 0.5);
    if (t.genreId !== null) add(`G:${t.genreId}`, 0.3);
    for (const w of words(t.name)) add(`w:${w}`, 0.5);
    // Numbers too, single digits included: "Part 1" and "Part 2" of a pilot are two recordings.
    for (const n of t.name.match(/\d+/g) ?? []) add(`n:${Number(n)}`, 0.5);
    // A title with no word of two letters or more ("?", "S.O.S." of Lost) would leave two
    // episodes with the same baskets identical (1.000): the track itself stands in for its words.
    if (![...m.keys()].some((k) => k.startsWith('w:') || k.startsWith('n:'))) add(`t:${t.id}`, 0.5);
    for (const w of words(t.composer)) add(`c:${w}`, 0.3);
    return m;
  }
}

type FallbackKind = keyof typeof FALLBACK_CONFIDENCE | 'global';

const count = (m: Map<number, number>, key: number | null) => {
  if (key !== null) m.set(key, (m.get(key) ?? 0) + 1);
};

export class ListensAlikeProvider implements EmbeddingProvider {
  readonly space = 'audio' as const;
  readonly name = 'listens-alike+content';
  private readonly baskets: BasketTerms;
  private readonly content = new ContentTerms();
  private readonly centroids = { album: new Map<number, Float64Array>(), artist: new Map<number, Float64Array>(), genre: new Map<number, Float64Array>() };
  /** Tracks per album / artist / genre, and how many of them have baskets (the centroid's evidence). */
  private readonly sizes = { album: new Map<number, number>(), artist: new Map<number, number>(), genre: new Map<number, number>() };
  private readonly warm = { album: new Map<number, number>(), artist: new Map<number, number>(), genre: new Map<number, number>() };
  private readonly globalSum = new Float64Array(DIMS.audio);
  // Tracks without baskets wait for every centroid; their content block is kept as int8 (32 bytes a track).
  private cold: { id: number; albumId: number | null; artistId: number | null; genreId: number | null }[] = [];
  private coldContent = new Int8Array(1024 * CONTENT_DIMS);
  private counts: Record<FallbackKind | 'warm', number> = { warm: 0, album: 0, artist: 0, genre: 0, global: 0 };

  constructor(private readonly shape: CatalogShape) {
    this.baskets = new BasketTerms(shape);
  }

  observe(t: TrackFeatures, sampled: boolean): void {
    count(this.sizes.album, t.albumId);
    count(this.sizes.artist, t.artistId);
    count(this.sizes.genre, t.genreId);
    this.baskets.observe(t, sampled);
    this.content.observe(t, sampled);
  }

  fit(): void {
    this.baskets.fit();
    this.content.fit();
  }

  /** [√0.8 · confidence · co-occurrence ; √0.2 · content], L2-normalised; null when both are empty. */
  private compose(cooc: ArrayLike<number> | null, confidence: number, content: ArrayLike<number> | null): Float32Array | null {
    const v = new Float64Array(DIMS.audio);
    if (cooc) for (let j = 0; j < COOC_DIMS; j++) v[j] = COOC_WEIGHT * confidence * (cooc[j] as number);
    if (content) for (let j = 0; j < CONTENT_DIMS; j++) v[COOC_DIMS + j] = CONTENT_WEIGHT * (content[j] as number);
    const out = normalized(v);
    return out.some((x) => x !== 0) ? out : null;
  }

  embed(t: TrackFeatures): Float32Array | null {
    const cooc = this.baskets.embedOrNull(t);
    const content = this.content.embedOrNull(t);
    if (!cooc) {
      this.keepCold(t, content);
      return null;
    }
    this.counts.warm++;
    const addTo = (map: Map<number, Float64Array>, key: number | null) => {
      if (key === null) return;
      let c = map.get(key);
      if (!c) {
        c = new Float64Array(COOC_DIMS);
        map.set(key, c);
      }
      for (let j = 0; j < COOC_DIMS; j++) c[j] = (c[j] as number) + (cooc[j] as number);
    };
    addTo(this.centroids.album, t.albumId);
    addTo(this.centroids.artist, t.artistId);
    addTo(this.centroids.genre, t.genreId);
    count(this.warm.album, t.albumId);
    count(this.warm.artist, t.artistId);
    count(this.warm.genre, t.genreId);
    const v = this.compose(cooc, 1, content) as Float32Array;
    for (let j = 0; j < v.length; j++) this.globalSum[j] = (this.globalSum[j] as number) + (v[j] as number);
    return v;
  }

  private keepCold(t: TrackFeatures, content: Float32Array | null): void {
    const at = this.cold.length * CONTENT_DIMS;
    if (at + CONTENT_DIMS > this.coldContent.length) {
      const grown = new Int8Array(this.coldContent.length * 2);
      grown.set(this.coldContent);
      this.coldContent = grown;
    }
    if (content) for (let j = 0; j < CONTENT_DIMS; j++) this.coldContent[at + j] = Math.round((content[j] as number) * 127);
    this.cold.push({ id: t.id, albumId: t.albumId, artistId: t.artistId, genreId: t.genreId });
  }

  *fallbacks(): Generator<{ ids: number[]; vectors: Float32Array[] }> {
    const batch = 2000;
    const content = new Float64Array(CONTENT_DIMS);
    const globalMean = normalized(this.globalSum);
    for (let i = 0; i < this.cold.length; i += batch) {
      const part = this.cold.slice(i, i + batch);
      const vectors = part.map((c, p) => {
        const at = (i + p) * CONTENT_DIMS;
        for (let j = 0; j < CONTENT_DIMS; j++) content[j] = (this.coldContent[at + j] as number) / 127;
        const kind: FallbackKind =
          (c.albumId !== null && this.centroids.album.has(c.albumId) && 'album') ||
          (c.artistId !== null && this.centroids.artist.has(c.artistId) && 'artist') ||
          (c.genreId !== null && this.centroids.genre.has(c.genreId) && 'genre') ||
          'global';
        const key = kind === 'album' ? c.albumId : kind === 'artist' ? c.artistId : c.genreId;
        const centroid = kind === 'global' ? null : normalized(this.centroids[kind].get(key as number) as Float64Array);
        // The more of the group has baskets, the more its centroid says: Eric Clapton's one
        // Brazilian-playlist track of 29 must not make "Layla" a Brazilian song.
        const evidence = kind === 'global' ? 0 : Math.sqrt((this.warm[kind].get(key as number) ?? 0) / (this.sizes[kind].get(key as number) ?? 1));
        const v = this.compose(centroid, kind === 'global' ? 0 : FALLBACK_CONFIDENCE[kind] * evidence, content);
        this.counts[v ? kind : 'global']++;
        return v ?? globalMean;
      });
      yield { ids: part.map((c) => c.id), vectors };
    }
    this.cold = [];
    this.coldContent = new Int8Array(0);
  }

  details(): Record<string, unknown> {
    return {
      blocks: `co-occurrence 0-${COOC_DIMS - 1} (weight 0.8), content ${COOC_DIMS}-${DIMS.audio - 1} (0.2)`,
      baskets: { ...this.baskets.baskets(), invoiceAudit: this.shape.invoiceAudit },
      tracks: {
        fromBaskets: this.counts.warm,
        fallback: { album: this.counts.album, artist: this.counts.artist, genre: this.counts.genre, global: this.counts.global },
      },
      contentVocabulary: this.content.details().vocabulary,
    };
  }
}
