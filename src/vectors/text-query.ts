// The vector half of hybrid search: a free-text query is embedded into the lyric (text) space
// with the same provider, vocabulary and projection that built the track vectors, and its
// nearest tracks are fused with the keyword results (reciprocal rank fusion, src/search).
// Words and character trigrams of the query meet those of track, album and artist names, so
// the vector side forgives spelling and partial words that BM25 cannot.
import type { Db } from '../db/index.ts';
import { ApiError } from '../errors.ts';
import type { VectorRetriever } from '../search/index.ts';
import { TextProvider } from './providers.ts';
import { streamTracks, type TrackFeatures, trackCount } from './source.ts';
import type { VectorStore } from './store.ts';

// As in computeEmbeddings: the vocabulary is fitted on every stride-th track.
const FIT_LIMIT = 20_000;

export class TextQueryRetriever implements VectorRetriever {
  readonly name = 'lyric (text) space';
  private provider: TextProvider | null = null;
  private fittedFor: string | null = null;

  constructor(
    private readonly db: Db,
    private readonly store: VectorStore,
  ) {}

  nearestTracks(query: string, k: number): number[] {
    const space = this.store.spaces().find((s) => s.space === 'lyric');
    const provider = new TextProvider();
    if (!space || space.provider !== provider.name) {
      throw new ApiError(
        409,
        'hybrid_unavailable',
        space
          ? `mode=hybrid embeds the query with ${provider.name}, but the lyric space holds ${space.provider} vectors; rebuild it with \`chinook vectors build --space lyric\``
          : 'mode=hybrid needs vectors: run `chinook vectors build`',
      );
    }
    // Refit only when the space was rebuilt: the vocabulary must be the one its vectors used.
    if (!this.provider || this.fittedFor !== space.builtAt) {
      const n = trackCount(this.db);
      const stride = Math.max(1, Math.ceil(n / FIT_LIMIT));
      let i = 0;
      for (const batch of streamTracks(this.db)) for (const t of batch) provider.observe(t, i++ % stride === 0);
      provider.fit();
      this.provider = provider;
      this.fittedFor = space.builtAt;
    }
    const v = this.provider.embed(queryDocument(query));
    if (!v) return [];
    return this.store.knn('lyric', v, k).map((n) => n.id);
  }
}

/** The query as a track with only a name: its words and trigrams, nothing else. */
function queryDocument(text: string): TrackFeatures {
  return {
    id: 0,
    name: text,
    albumId: null,
    album: null,
    artistId: null,
    artist: null,
    genreId: null,
    genre: null,
    mediaTypeId: 0,
    composer: null,
    milliseconds: 0,
    bytes: null,
    unitPrice: 0,
    albumSize: 0,
    albumPosition: 0,
    playlists: [],
    invoices: [],
  };
}
