// Pieces every storefront page uses: track lists, covers, buttons, pagers, notes.
import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { duration, price, slug } from '../shared/format.ts';
import { Link, navigate } from '../shared/router.tsx';
import { useStore } from '../shared/store.ts';
import { addAllToCart, addToCart, type CartItem, cart, owned, removeFromCart } from './state.ts';

/** Chinook has no artwork: a cover drawn from the album's id and the initials of its title. */
export function Cover({ id, title, size = 'md' }: { id: number | null; title: string | null; size?: 'sm' | 'md' | 'lg' }) {
  const hue = ((id ?? 0) * 137) % 360;
  const initials = (title ?? '?')
    .replace(/[^\p{L}\p{N} ]/gu, '')
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]?.toUpperCase())
    .join('');
  return (
    <span class={`cover cover-${size}`} style={{ '--hue': String(hue) }} aria-hidden="true">
      {initials || '♪'}
    </span>
  );
}

export const trackHref = (t: { id: number; name: string; slug?: string }) => `/tracks/${t.slug ?? slug(t.name, t.id)}`;
export const artistHref = (id: number, name: string) => `/artists/${slug(name, id)}`;
export const albumHref = (id: number, title: string) => `/albums/${slug(title, id)}`;
export const genreHref = (id: number, name: string) => `/genres/${slug(name, id)}`;
export const playlistHref = (id: number, name: string) => `/playlists/${slug(name, id)}`;

export function CartButton({ item, compact = false }: { item: CartItem; compact?: boolean }) {
  const items = useStore(cart);
  const mine = useStore(owned).has(item.id);
  const added = items.some((i) => i.id === item.id);
  if (mine) {
    return (
      <span class={`owned ${compact ? 'btn-sm' : ''}`} title="You bought this track">
        ✓ Owned
      </span>
    );
  }
  const label = added ? 'In cart' : compact ? price(item.unitPrice) : `Add to cart · ${price(item.unitPrice)}`;
  return (
    <button
      type="button"
      class={`btn ${added ? 'btn-added' : 'btn-buy'} ${compact ? 'btn-sm' : ''}`}
      aria-pressed={added}
      aria-label={added ? `${item.name} is in your cart; press to remove` : `Add ${item.name} to cart for ${price(item.unitPrice)}`}
      onClick={() => (added ? removeFromCart([item.id]) : addToCart(item))}
    >
      {added ? '✓ ' : ''}
      {label}
    </button>
  );
}

/**
 * Buys a whole album: adds the tracks not in the cart yet (the price says what they add), or,
 * when every track is in, takes them all out again.
 */
export function AlbumCartButton({ title, items: all }: { title: string; items: CartItem[] }) {
  const inCartIds = new Set(useStore(cart).map((i) => i.id));
  const mine = useStore(owned);
  // Tracks already bought are not for sale again: the button is about the rest.
  const items = all.filter((i) => !mine.has(i.id));
  const missing = items.filter((i) => !inCartIds.has(i.id));
  if (all.length === 0) return null;
  if (items.length === 0) {
    return (
      <span class="owned" title="You bought every track of this album">
        ✓ You own this album
      </span>
    );
  }
  if (missing.length === 0) {
    return (
      <button
        type="button"
        class="btn btn-added"
        aria-pressed="true"
        aria-label={`Every track of ${title} is in your cart; press to remove them`}
        onClick={() => removeFromCart(items.map((i) => i.id))}
      >
        ✓ Album in cart
      </button>
    );
  }
  const total = price(missing.reduce((sum, i) => sum + Math.round(i.unitPrice * 100), 0) / 100);
  const label =
    missing.length === all.length ? `Add album to cart · ${total}` : `Add the other ${missing.length === 1 ? 'track' : `${missing.length} tracks`} · ${total}`;
  return (
    <button type="button" class="btn btn-buy" aria-pressed="false" onClick={() => addAllToCart(missing)}>
      {label}
    </button>
  );
}

export interface TrackRow {
  id: number;
  name: ComponentChildren;
  plainName: string;
  slug?: string;
  artist: ComponentChildren | null;
  artistId: number | null;
  artistName: string | null;
  album: ComponentChildren | null;
  albumId: number | null;
  albumTitle: string | null;
  milliseconds: number;
  unitPrice: number;
  note?: ComponentChildren;
}

/** A list of tracks as a table (a list of cards on a phone), each with its cart button. */
export function TrackTable({
  rows,
  showAlbum = true,
  showArtist = true,
  numbered = false,
  label,
}: {
  rows: TrackRow[];
  showAlbum?: boolean;
  /** False on a page that is the artist's or one album's: the same name on every row says nothing. */
  showArtist?: boolean;
  numbered?: boolean;
  label: string;
}) {
  return (
    <table class="tracks" aria-label={label}>
      <thead>
        <tr>
          {numbered && <th class="num">#</th>}
          <th>Track</th>
          {showAlbum && <th class="col-album">Album</th>}
          <th class="col-time">Time</th>
          <th class="col-buy">
            <span class="sr-only">Buy</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={r.id}>
            {numbered && <td class="num">{i + 1}</td>}
            <td class="col-track">
              <div class="track-cell">
                <Link class="track-name" href={trackHref({ id: r.id, name: r.plainName, slug: r.slug })}>
                  {r.name}
                </Link>
                {showArtist && r.artistId !== null && r.artistName !== null && (
                  <Link class="track-artist" href={artistHref(r.artistId, r.artistName)}>
                    {r.artist}
                  </Link>
                )}
                {r.note && <span class="track-note">{r.note}</span>}
              </div>
            </td>
            {showAlbum && (
              <td class="col-album">{r.albumId !== null && r.albumTitle !== null ? <Link href={albumHref(r.albumId, r.albumTitle)}>{r.album}</Link> : '—'}</td>
            )}
            <td class="col-time">{duration(r.milliseconds)}</td>
            <td class="col-buy">
              <CartButton compact item={{ id: r.id, name: r.plainName, artist: r.artistName, unitPrice: r.unitPrice, milliseconds: r.milliseconds }} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A catalog track as a row. */
export const rowOf = (t: {
  id: number;
  name: string;
  slug?: string;
  artist: string | null;
  artistId: number | null;
  album: string | null;
  albumId: number | null;
  milliseconds: number;
  unitPrice: number;
}): TrackRow => ({
  id: t.id,
  name: t.name,
  plainName: t.name,
  slug: t.slug,
  artist: t.artist,
  artistId: t.artistId,
  artistName: t.artist,
  album: t.album,
  albumId: t.albumId,
  albumTitle: t.album,
  milliseconds: t.milliseconds,
  unitPrice: t.unitPrice,
});

/** Genres as links with their track counts. */
export function GenreChips({ genres, large = false }: { genres: { id: number; name: string; trackCount: number }[]; large?: boolean }) {
  return (
    <ul class={`chips ${large ? 'chips-lg' : ''}`}>
      {genres.map((g) => (
        <li key={g.id}>
          <Link class="chip" href={genreHref(g.id, g.name)}>
            {g.name} <span class="chip-count">{g.trackCount}</span>
          </Link>
        </li>
      ))}
    </ul>
  );
}

/** Placeholder rows of the final height, so nothing jumps when the data arrives. */
export function SkeletonRows({ rows = 8 }: { rows?: number }) {
  return (
    <div class="skeleton" aria-hidden="true">
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} class="skeleton-row" />
      ))}
    </div>
  );
}

export function Loading({ label = 'Loading' }: { label?: string }) {
  return (
    <div class="loading" role="status" aria-live="polite">
      <span class="sr-only">{label}…</span>
      <SkeletonRows />
    </div>
  );
}

export function ErrorNote({ error, retry }: { error: Error; retry?: () => void }) {
  return (
    <div class="note note-error" role="alert">
      <p>{error.message}</p>
      {retry && (
        <button type="button" class="btn" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Pager({ onPrev, onNext, label }: { onPrev: (() => void) | null; onNext: (() => void) | null; label: string }) {
  if (!onPrev && !onNext) return null;
  return (
    <nav class="pager" aria-label={label}>
      <button type="button" class="btn" disabled={!onPrev} onClick={onPrev ?? undefined}>
        ← Previous
      </button>
      <button type="button" class="btn" disabled={!onNext} onClick={onNext ?? undefined}>
        Next →
      </button>
    </nav>
  );
}

export function PageTitle({ children, kicker }: { children: ComponentChildren; kicker?: ComponentChildren }) {
  return (
    <div class="page-title">
      {kicker && <p class="kicker">{kicker}</p>}
      <h1 tabIndex={-1}>{children}</h1>
    </div>
  );
}

/** Sets the document title (the browser tab and screen readers announce it). */
/** A list's sort: the value goes to the address (?sort=…), so Back and a shared link keep it. */
export function SortSelect({ value, options, onChange }: { value: string; options: readonly (readonly [string, string])[]; onChange: (sort: string) => void }) {
  return (
    <label class="sort">
      <span>Sort</span>
      <select value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
        {options.map(([v, label]) => (
          <option key={v} value={v}>
            {label}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * Pages are found by the id at the end of their address, so a renamed album or a mistyped
 * name still opens the page; once its data is in, the address is corrected to the current
 * name (query kept, no new history entry) so that what is shared or bookmarked reads right.
 */
export function useCanonicalPath(path: string | null): void {
  useEffect(() => {
    if (path !== null && window.location.pathname !== path) navigate(path + window.location.search, { replace: true, keepScroll: true });
  }, [path]);
}

export function useTitle(title: string | null): void {
  useEffect(() => {
    if (title !== null) document.title = `${title} · Chinook`;
  }, [title]);
}
