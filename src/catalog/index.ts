// The catalog service: one object a route (or the cache) calls, owning all catalog SQL.
import type { Db } from '../db/index.ts';
import { ArtistRepository } from './artists.ts';
import { TaxonomyRepository } from './taxonomy.ts';
import { TrackRepository } from './tracks.ts';

export class CatalogService {
  readonly tracks: TrackRepository;
  readonly artists: ArtistRepository;
  readonly taxonomy: TaxonomyRepository;

  constructor(db: Db) {
    this.tracks = new TrackRepository(db);
    this.artists = new ArtistRepository(db);
    this.taxonomy = new TaxonomyRepository(db);
  }
}

export { albumSorts, artistSorts } from './artists.ts';
export { CachedCatalog } from './cached.ts';
export { CatalogEditor } from './edits.ts';
export type { Page } from './keyset.ts';
export { trackSlug } from './slug.ts';
export type { Track, TrackFilters, TrackListQuery, TrackSort } from './tracks.ts';
export { trackSorts } from './tracks.ts';
