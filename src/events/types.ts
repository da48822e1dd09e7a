// The domain events, as plain JSON: ids, numbers and strings only (no Dates, Sets or class
// instances), so that a carrier between processes (Redis pub/sub, a change-log table in the
// primary) can send `JSON.stringify(event)` and hand the parsed object to another process's
// bus unchanged. Writers emit them after COMMIT; ids before and after a change are both named,
// since a track moved to another album stales both albums.

export interface TrackCreated {
  type: 'track.created';
  trackId: number;
  albumId: number;
  artistId: number | null;
  genreId: number | null;
}
export interface TrackUpdated {
  type: 'track.updated';
  trackId: number;
  albumIds: number[];
  artistIds: number[];
  genreIds: number[];
  /** The TrackPatch fields the edit set (name, composer, unitPrice, …). */
  fields: string[];
}
export interface TrackDeleted {
  type: 'track.deleted';
  trackId: number;
  albumId: number | null;
  artistId: number | null;
  genreId: number | null;
}
export interface AlbumUpdated {
  type: 'album.updated';
  albumId: number;
  artistIds: number[];
  trackIds: number[];
  fields: string[];
}
export interface ArtistUpdated {
  type: 'artist.updated';
  artistId: number;
  fields: string[];
}
export type CatalogEvent = TrackCreated | TrackUpdated | TrackDeleted | AlbumUpdated | ArtistUpdated;

/** An order committed: a Chinook invoice with one line per track. */
export interface OrderPlaced {
  type: 'order.placed';
  orderId: number;
  customerId: number;
  userId: number;
  trackIds: number[];
}
/** A play committed (userId null for an anonymous play). */
export interface PlayRecorded {
  type: 'play.recorded';
  playId: number;
  userId: number | null;
  trackId: number;
}
export type StoreEvent = OrderPlaced | PlayRecorded;

/**
 * Sessions ended (logout, password or role change): every process drops its cached copy, so
 * the cookie stops working everywhere. The ids are SHA-256 hashes of the tokens, never tokens.
 */
export interface SessionRevoked {
  type: 'session.revoked';
  sessionIds: string[];
}
export type AccountEvent = SessionRevoked;

export type DomainEvent = CatalogEvent | StoreEvent | AccountEvent;
export type DomainEventType = DomainEvent['type'];
export type EventOf<T extends DomainEventType> = Extract<DomainEvent, { type: T }>;

export const CATALOG_EVENT_TYPES = [
  'track.created',
  'track.updated',
  'track.deleted',
  'album.updated',
  'artist.updated',
] as const satisfies readonly CatalogEvent['type'][];
