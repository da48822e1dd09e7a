// Catalog writes (admin edits): validate, UPDATE in one transaction, then emit a domain event
// (src/events/) carrying the ids before and after, so every cache entry that showed the old
// row can go; the write resolves once every subscriber has finished with it.
// FTS rows follow through triggers owned by the search module; plain UPDATEs are enough here.
import { type Db, type Stmt, statement, type WriteQueue } from '../db/index.ts';
import { ApiError, badRequest, conflict, notFound } from '../errors.ts';
import type { DomainEvents } from '../events/index.ts';
import type { AlbumDetail, ArtistDetail } from './artists.ts';
import type { CatalogService } from './index.ts';
import { trackSlug } from './slug.ts';
import type { Track } from './tracks.ts';

export interface NewTrack {
  name: string;
  albumId: number;
  mediaTypeId: number;
  genreId?: number | null | undefined;
  composer?: string | null | undefined;
  milliseconds: number;
  bytes?: number | null | undefined;
  unitPrice: number;
}

export interface TrackPatch {
  name?: string | undefined;
  composer?: string | null | undefined;
  unitPrice?: number | undefined;
  milliseconds?: number | undefined;
  albumId?: number | null | undefined;
  genreId?: number | null | undefined;
  mediaTypeId?: number | undefined;
}
export interface AlbumPatch {
  title?: string | undefined;
  artistId?: number | undefined;
  releaseDate?: string | null | undefined;
}
export interface ArtistPatch {
  name?: string | undefined;
}

const trackColumns = {
  name: 'name',
  composer: 'composer',
  unitPrice: 'unit_price',
  milliseconds: 'milliseconds',
  albumId: 'album_id',
  genreId: 'genre_id',
  mediaTypeId: 'media_type_id',
} as const satisfies Record<keyof TrackPatch, string>;
const albumColumns = { title: 'title', artistId: 'artist_id', releaseDate: 'release_date' } as const satisfies Record<keyof AlbumPatch, string>;
const artistColumns = { name: 'name' } as const satisfies Record<keyof ArtistPatch, string>;

export interface CatalogEditorOptions {
  /** Carries each edit to the cache, the vector refresh and any other subscriber. */
  events: DomainEvents;
  /**
   * How many invoice lines name a track, read with the given connection (inside the delete's
   * transaction). Invoices are the store's; the context passes store/orders.ts invoiceLineCount.
   */
  invoiceLinesOf: (db: Db, trackId: number) => number;
  /** The group-commit queue; without it each edit runs in its own transaction. */
  writes?: WriteQueue | undefined;
}

const nowSql = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";
const uniq = (xs: (number | null | undefined)[]) => [...new Set(xs.filter((x): x is number => typeof x === 'number'))];

export class CatalogEditor {
  private readonly exists: Record<'album' | 'genre' | 'mediaType' | 'artist', Stmt>;
  private readonly trackRefs: Stmt;
  private readonly albumRefs: Stmt;
  private readonly albumTracks: Stmt;

  private readonly events: DomainEvents;
  private readonly invoiceLinesOf: CatalogEditorOptions['invoiceLinesOf'];
  private readonly writes: WriteQueue | undefined;

  /**
   * @param db the connection the edits run on: the write queue's own connection when `writes`
   *   is given (its operations run inside the queue's group transaction).
   */
  constructor(
    private readonly db: Db,
    private readonly catalog: CatalogService,
    options: CatalogEditorOptions,
  ) {
    this.events = options.events;
    this.invoiceLinesOf = options.invoiceLinesOf;
    this.writes = options.writes;
    this.exists = {
      album: db.prepare('SELECT 1 FROM chinook_albums WHERE id = ?'),
      genre: db.prepare('SELECT 1 FROM chinook_genres WHERE id = ?'),
      mediaType: db.prepare('SELECT 1 FROM chinook_media_types WHERE id = ?'),
      artist: db.prepare('SELECT 1 FROM chinook_artists WHERE id = ?'),
    };
    this.trackRefs = db.prepare(
      'SELECT t.album_id AS albumId, t.genre_id AS genreId, al.artist_id AS artistId FROM chinook_tracks t LEFT JOIN chinook_albums al ON al.id = t.album_id WHERE t.id = ?',
    );
    this.albumRefs = db.prepare('SELECT artist_id AS artistId FROM chinook_albums WHERE id = ?');
    this.albumTracks = db.prepare('SELECT id FROM chinook_tracks WHERE album_id = ?');
  }

  async updateTrack(id: number, patch: TrackPatch): Promise<Track> {
    const fields = this.fieldsOf(patch, trackColumns);
    if (typeof patch.name === 'string' && patch.name.trim() === '') throw badRequest('name must not be blank');
    this.mustExist('album', patch.albumId);
    this.mustExist('genre', patch.genreId);
    this.mustExist('mediaType', patch.mediaTypeId);
    const { before, after } = await this.tx(() => {
      const before = this.trackRefs.get(id) as { albumId: number | null; genreId: number | null; artistId: number | null } | undefined;
      if (!before) throw notFound('track', id);
      this.update('chinook_tracks', id, fields, trackColumns, patch);
      return { before, after: this.trackRefs.get(id) as typeof before };
    });
    await this.events.emit({
      type: 'track.updated',
      trackId: id,
      albumIds: uniq([before.albumId, after.albumId]),
      artistIds: uniq([before.artistId, after.artistId]),
      genreIds: uniq([before.genreId, after.genreId]),
      fields,
    });
    return this.catalog.tracks.get(id);
  }

  async updateAlbum(id: number, patch: AlbumPatch): Promise<AlbumDetail> {
    const fields = this.fieldsOf(patch, albumColumns);
    if (typeof patch.title === 'string' && patch.title.trim() === '') throw badRequest('title must not be blank');
    this.mustExist('artist', patch.artistId);
    const { before, after, trackIds } = await this.tx(() => {
      const before = this.albumRefs.get(id) as { artistId: number } | undefined;
      if (!before) throw notFound('album', id);
      this.update('chinook_albums', id, fields, albumColumns, patch);
      const after = this.albumRefs.get(id) as { artistId: number };
      return { before, after, trackIds: (this.albumTracks.all(id) as { id: number }[]).map((r) => r.id) };
    });
    await this.events.emit({ type: 'album.updated', albumId: id, artistIds: uniq([before.artistId, after.artistId]), trackIds, fields });
    return this.catalog.artists.getAlbum(id);
  }

  async updateArtist(id: number, patch: ArtistPatch): Promise<ArtistDetail> {
    const fields = this.fieldsOf(patch, artistColumns);
    if (typeof patch.name === 'string' && patch.name.trim() === '') throw badRequest('name must not be blank');
    await this.tx(() => {
      if (!this.exists.artist.get(id)) throw notFound('artist', id);
      this.update('chinook_artists', id, fields, artistColumns, patch);
    });
    await this.events.emit({ type: 'artist.updated', artistId: id, fields });
    return this.catalog.artists.getArtist(id);
  }

  async createTrack(input: NewTrack): Promise<Track> {
    if (input.name.trim() === '') throw badRequest('name must not be blank');
    this.mustExist('album', input.albumId);
    this.mustExist('genre', input.genreId);
    this.mustExist('mediaType', input.mediaTypeId);
    const { id, artistId } = await this.tx(() => {
      const id = Number(
        this.db
          .prepare(
            `INSERT INTO chinook_tracks (slug, name, album_id, media_type_id, genre_id, composer, milliseconds, bytes, unit_price)
             VALUES (lower(hex(randomblob(8))), ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            input.name.trim(),
            input.albumId,
            input.mediaTypeId,
            input.genreId ?? null,
            input.composer ?? null,
            input.milliseconds,
            input.bytes ?? null,
            input.unitPrice,
          ).lastInsertRowid,
      );
      // The slug carries the id, which exists only now.
      this.db.prepare('UPDATE chinook_tracks SET slug = ? WHERE id = ?').run(trackSlug(input.name, id), id);
      return { id, artistId: (this.albumRefs.get(input.albumId) as { artistId: number }).artistId };
    });
    await this.events.emit({ type: 'track.created', trackId: id, albumId: input.albumId, artistId, genreId: input.genreId ?? null });
    return this.catalog.tracks.get(id);
  }

  /** Deletes a track that was never sold (sold tracks are part of invoices: 409). */
  async deleteTrack(id: number): Promise<void> {
    const before = await this.tx(() => {
      const before = this.trackRefs.get(id) as { albumId: number | null; genreId: number | null; artistId: number | null } | undefined;
      if (!before) throw notFound('track', id);
      const sold = this.invoiceLinesOf(this.db, id);
      if (sold > 0) throw conflict(`track ${id} appears on ${sold} invoice line(s); sold tracks cannot be deleted`, { invoiceLines: sold });
      // vec0 rows have no foreign keys: remove the vectors and cached neighbours by hand.
      this.db.prepare('DELETE FROM track_vectors WHERE track_id = ?').run(id);
      this.db.prepare('DELETE FROM vector_similarity_cache WHERE source_track_id = ? OR similar_track_id = ?').run(id, id);
      this.db.prepare('DELETE FROM chinook_tracks WHERE id = ?').run(id);
      return before;
    });
    await this.events.emit({ type: 'track.deleted', trackId: id, albumId: before.albumId, artistId: before.artistId, genreId: before.genreId });
  }

  /** Runs a write in the group-commit queue when there is one, else in its own transaction. */
  private tx<T>(fn: () => T): Promise<T> {
    if (this.writes) return this.writes.run(() => fn());
    try {
      return Promise.resolve(this.db.transaction(fn)());
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private fieldsOf<P extends object>(patch: P, columns: Record<keyof P, string>): string[] {
    const fields = (Object.keys(patch) as (keyof P)[]).filter((k) => patch[k] !== undefined && k in columns) as string[];
    if (fields.length === 0) throw badRequest(`Nothing to update: send at least one of ${Object.keys(columns).join(', ')}`);
    return fields;
  }

  private mustExist(kind: keyof CatalogEditor['exists'], id: number | null | undefined): void {
    if (typeof id === 'number' && !this.exists[kind].get(id)) throw new ApiError(400, 'bad_reference', `${kind} ${id} does not exist`);
  }

  private update<P extends object>(table: string, id: number, fields: string[], columns: Record<keyof P, string>, patch: P): void {
    // Column names come from the fixed maps above, never from the request.
    const sets = fields.map((f) => `${columns[f as keyof P]} = ?`);
    sets.push(`updated_at = ${nowSql}`);
    const sql = `UPDATE ${table} SET ${sets.join(', ')} WHERE id = ?`;
    statement(this.db, sql).run(...fields.map((f) => patch[f as keyof P] as unknown), id);
  }
}
