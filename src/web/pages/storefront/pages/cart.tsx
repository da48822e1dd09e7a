// The cart (kept in this browser) and checkout, which places an order through POST /api/orders;
// and one order's receipt.
import { useState } from 'preact/hooks';
import { ApiError, get, post } from '../../shared/api.ts';
import { count, dateTime, duration, price } from '../../shared/format.ts';
import { Link, navigate } from '../../shared/router.tsx';
import { useStore } from '../../shared/store.ts';
import type { Order, Recommendation } from '../../shared/types.ts';
import { useApi } from '../../shared/use-api.ts';
import { ErrorNote, Loading, PageTitle, trackHref, useTitle } from '../components.tsx';
import { cart, clearCart, owned, refreshOwned, removeFromCart, session } from '../state.ts';
import { SuggestionShelf } from '../suggestions.tsx';
import { NotFound } from './not-found.tsx';

export function CartPage() {
  const items = useStore(cart);
  const { user } = useStore(session);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<{ message: string; owned?: number[] } | null>(null);
  // Bought since they went into the cart (in another tab, or before logging in): said before checkout refuses them.
  const mine = useStore(owned);
  const ownedInCart = items.filter((i) => mine.has(i.id)).map((i) => i.id);
  useTitle('Your cart');
  // Cents, so 0.99 × 3 is 2.97 and not 2.9699999999999998.
  const total = items.reduce((sum, i) => sum + Math.round(i.unitPrice * 100), 0) / 100;

  const checkout = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const order = await post<Order>('/api/orders', { trackIds: items.map((i) => i.id) });
      clearCart();
      void refreshOwned();
      navigate(`/orders/${order.id}?placed=1`);
    } catch (e) {
      const details = e instanceof ApiError ? (e.details as { owned?: number[] } | undefined) : undefined;
      setProblem({ message: (e as Error).message, owned: details?.owned });
    } finally {
      setBusy(false);
    }
  };

  if (!items.length) {
    return (
      <div class="empty-state">
        <h1 tabIndex={-1}>Your cart is empty</h1>
        <p>
          Add tracks with their price button, from <Link href="/search?q=rock">a search</Link>, an album or the <Link href="/">home page</Link>.
        </p>
      </div>
    );
  }
  return (
    <div class="cart-page">
      <PageTitle>Your cart</PageTitle>
      <div class="cart-layout">
        <ul class="cart-items" aria-label="Tracks in your cart">
          {items.map((i) => (
            <li key={i.id} class="cart-item">
              <div>
                <Link href={trackHref(i)}>{i.name}</Link>
                <span class="muted">
                  {i.artist ?? 'Unknown artist'} · {duration(i.milliseconds)}
                </span>
              </div>
              <span class="cart-price">{mine.has(i.id) ? <span class="owned">✓ Owned</span> : price(i.unitPrice)}</span>
              <button type="button" class="btn btn-sm" aria-label={`Remove ${i.name}`} onClick={() => removeFromCart([i.id])}>
                Remove
              </button>
            </li>
          ))}
        </ul>
        <aside class="card checkout" aria-label="Checkout">
          <p class="checkout-count">{count(items.length, 'track')}</p>
          <p class="checkout-total">
            Total <strong>{price(total)}</strong>
          </p>
          <p class="hint">Prices are the catalog's at the moment you order.</p>
          {!problem && ownedInCart.length > 0 && (
            <div class="note" role="status">
              <p>You already own {ownedInCart.length === 1 ? 'one of these tracks' : `${ownedInCart.length} of these tracks`}.</p>
              <button type="button" class="btn btn-sm" onClick={() => removeFromCart(ownedInCart)}>
                Remove the {count(ownedInCart.length, 'track')} you own
              </button>
            </div>
          )}
          {problem && (
            <div class="note note-error" role="alert">
              <p>{problem.message}</p>
              {problem.owned && problem.owned.length > 0 && (
                <button
                  type="button"
                  class="btn btn-sm"
                  onClick={() => {
                    removeFromCart(problem.owned ?? []);
                    setProblem(null);
                  }}
                >
                  Remove the {count(problem.owned.length, 'track')} you own
                </button>
              )}
            </div>
          )}
          {user ? (
            <button type="button" class="btn btn-primary btn-block" disabled={busy} onClick={checkout}>
              {busy ? 'Placing your order…' : `Buy now · ${price(total)}`}
            </button>
          ) : (
            <Link class="btn btn-primary btn-block" href="/login?next=%2Fcart">
              Log in to check out
            </Link>
          )}
        </aside>
      </div>
      <SuggestionShelf
        id="more-like-title"
        title="More like these"
        hint="From the albums and artists in your cart, and tracks that share playlists and purchases with them."
        loadKey={`more-like:${items.map((i) => i.id).join(',')}`}
        load={() =>
          post<{ items: Recommendation[] }>('/api/recommendations/from-tracks', { trackIds: items.map((i) => i.id), limit: 12 }).then((r) =>
            r.items.filter((s) => !mine.has(s.id)).slice(0, 8),
          )
        }
      />
    </div>
  );
}

export function OrderPage({ params, query }: { params: Record<string, string>; query: URLSearchParams }) {
  const id = Number(params.id);
  const valid = Number.isSafeInteger(id) && id > 0;
  const order = useApi(valid ? `order:${id}` : null, () => get<Order>(`/api/orders/${id}`));
  useTitle(valid ? `Order #${id}` : null);
  if (!valid || (order.error instanceof ApiError && order.error.status === 404)) return <NotFound what="order" />;
  if (order.error instanceof ApiError && order.error.status === 401) {
    return (
      <div class="empty-state">
        <h1 tabIndex={-1}>Log in to see this order</h1>
        <Link href={`/login?next=${encodeURIComponent(`/orders/${id}`)}`}>Log in</Link>
      </div>
    );
  }
  if (order.error) return <ErrorNote error={order.error} retry={order.reload} />;
  const o = order.data;
  if (!o) return <Loading />;
  return (
    <article class="order-page">
      {query.get('placed') && (
        <p class="note note-ok" role="status">
          Thank you! Your order is placed.
        </p>
      )}
      <PageTitle kicker={dateTime(o.invoiceDate)}>Order #{o.id}</PageTitle>
      <table class="plain" aria-label="Order lines">
        <thead>
          <tr>
            <th>Track</th>
            <th class="right">Price</th>
          </tr>
        </thead>
        <tbody>
          {o.lines.map((l) => (
            <tr key={l.trackId}>
              <td>
                <Link href={trackHref({ id: l.trackId, name: l.name })}>{l.name}</Link>
                {l.quantity > 1 ? ` × ${l.quantity}` : ''}
              </td>
              <td class="right">{price(l.unitPrice * l.quantity)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th>Total</th>
            <td class="right">
              <strong>{price(o.total)}</strong>
            </td>
          </tr>
        </tfoot>
      </table>
      <p>
        <Link href="/account">All your orders</Link> · <Link href="/">See what we recommend now</Link>
      </p>
    </article>
  );
}
