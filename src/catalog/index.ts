// The catalog service: one object a route (or the cache) calls, owning all catalog SQL.
import type { Db } from '../db/connection.ts';
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

export type { Page } from './keyset.ts';
export type { Track, TrackFilters, TrackListQuery, TrackSort } from './tracks.ts';
