// The storefront's shared state: who is logged in (and their CSRF token), and the cart, which
// lives in localStorage so it survives reloads and is the same in every tab.
import { get, post, setCsrfToken } from '../shared/api.ts';
import { Store } from '../shared/store.ts';
import type { SessionReply, User } from '../shared/types.ts';

export const session = new Store<{ user: User | null; ready: boolean }>({ user: null, ready: false });

function apply(reply: SessionReply): void {
  setCsrfToken(reply.csrfToken);
  session.set({ user: reply.user, ready: true });
  void refreshOwned();
}

/**
 * The tracks the logged-in user has bought (GET /api/me/tracks): their buttons say "Owned"
 * instead of selling them again, which the order would refuse (409). Empty for a visitor;
 * asked again when the user changes and after an order.
 */
export const owned = new Store<ReadonlySet<number>>(new Set());

export async function refreshOwned(): Promise<void> {
  const user = session.get().user;
  if (user === null) {
    owned.set(new Set());
    return;
  }
  try {
    const reply = await get<{ trackIds: number[] }>('/api/me/tracks');
    // A logout or another login while this was in flight: its answer is not this user's.
    if (session.get().user?.id === user.id) owned.set(new Set(reply.trackIds));
  } catch {
    // Offline or logged out meanwhile: the buttons stay as they were, and checkout still refuses an owned track.
  }
}

export async function loadSession(): Promise<void> {
  try {
    apply(await get<SessionReply>('/api/auth/session'));
  } catch {
    session.set({ user: null, ready: true });
  }
}

export async function login(email: string, password: string): Promise<void> {
  apply(await post<SessionReply>('/api/auth/login', { email, password }));
}

export async function register(email: string, password: string, displayName: string): Promise<void> {
  apply(await post<SessionReply>('/api/auth/register', { email, password, displayName }));
}

export async function logout(): Promise<void> {
  await post('/api/auth/logout');
  apply({ user: null, csrfToken: null });
}

export interface CartItem {
  id: number;
  name: string;
  artist: string | null;
  unitPrice: number;
  milliseconds: number;
}

const CART_KEY = 'chinook.cart';

function readCart(): CartItem[] {
  try {
    const items = JSON.parse(localStorage.getItem(CART_KEY) ?? '[]');
    return Array.isArray(items) ? items.filter((i) => Number.isSafeInteger(i?.id) && typeof i?.name === 'string') : [];
  } catch {
    return [];
  }
}

export const cart = new Store<CartItem[]>(readCart());

function saveCart(items: CartItem[]): void {
  localStorage.setItem(CART_KEY, JSON.stringify(items));
  cart.set(items);
}

window.addEventListener('storage', (e) => {
  if (e.key === CART_KEY) cart.set(readCart());
});

export const inCart = (id: number) => cart.get().some((i) => i.id === id);
export const addToCart = (item: CartItem) => addAllToCart([item]);
/** Adds the items not in the cart yet, in order, with one write (an album's tracks at once). */
export const addAllToCart = (items: readonly CartItem[]) => {
  const have = new Set(cart.get().map((i) => i.id));
  const added = items.filter((i) => !have.has(i.id) && have.add(i.id));
  if (added.length) saveCart([...cart.get(), ...added]);
};
export const removeFromCart = (ids: readonly number[]) => saveCart(cart.get().filter((i) => !ids.includes(i.id)));
export const clearCart = () => saveCart([]);
