// The storefront: header (search, cart, account), the page for the address, footer.
import { render } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { Link, match, useLocation } from '../shared/router.tsx';
import { useStore } from '../shared/store.ts';
import './storefront.css';
import { AccountPage, LoginPage, RegisterPage } from './pages/account.tsx';
import { AlbumPage, AlbumsPage, ArtistPage, ArtistsPage, GenrePage, GenresPage, PlaylistPage, PlaylistsPage } from './pages/browse.tsx';
import { CartPage, OrderPage } from './pages/cart.tsx';
import { HomePage, prefetchHome } from './pages/home.tsx';
import { Forbidden, NotFound } from './pages/not-found.tsx';
import { SearchPage } from './pages/search.tsx';
import { TrackPage } from './pages/track.tsx';
import { SearchBox } from './search-box.tsx';
import { cart, loadSession, session } from './state.ts';

type PageProps = { params: Record<string, string>; query: URLSearchParams };

// The same list as STOREFRONT_ROUTES in src/http/web.ts (the server serves this shell for them).
const ROUTES: [string, (p: PageProps) => preact.JSX.Element][] = [
  ['/', () => <HomePage />],
  ['/search', (p) => <SearchPage query={p.query} />],
  ['/tracks/:slug', (p) => <TrackPage params={p.params} />],
  ['/artists', (p) => <ArtistsPage query={p.query} />],
  ['/artists/:slug', (p) => <ArtistPage params={p.params} query={p.query} />],
  ['/albums', (p) => <AlbumsPage query={p.query} />],
  ['/albums/:slug', (p) => <AlbumPage params={p.params} />],
  ['/genres', () => <GenresPage />],
  ['/genres/:slug', (p) => <GenrePage params={p.params} query={p.query} />],
  ['/playlists', (p) => <PlaylistsPage query={p.query} />],
  ['/playlists/:slug', (p) => <PlaylistPage params={p.params} query={p.query} />],
  ['/login', (p) => <LoginPage query={p.query} />],
  ['/register', (p) => <RegisterPage query={p.query} />],
  ['/account', (p) => <AccountPage query={p.query} />],
  ['/cart', () => <CartPage />],
  ['/orders/:id', (p) => <OrderPage params={p.params} query={p.query} />],
];

function Header() {
  const { user } = useStore(session);
  const items = useStore(cart);
  return (
    <header class="site-header">
      <div class="header-inner">
        <Link href="/" class="logo" aria-label="Chinook, home">
          <span class="logo-mark" aria-hidden="true">
            ♫
          </span>
          <span class="logo-text">Chinook</span>
        </Link>
        <SearchBox />
        <nav class="header-nav" aria-label="Main">
          <Link href="/genres" class="nav-browse">
            Genres
          </Link>
          <Link href="/artists" class="nav-browse nav-more">
            Artists
          </Link>
          <Link href="/albums" class="nav-browse nav-more">
            Albums
          </Link>
          <Link href="/cart" class="nav-cart" aria-label={`Cart, ${items.length} ${items.length === 1 ? 'track' : 'tracks'}`}>
            Cart{items.length > 0 && <span class="badge">{items.length}</span>}
          </Link>
          {user ? (
            <Link href="/account" class="nav-account">
              {user.displayName}
            </Link>
          ) : (
            <Link href="/login" class="nav-account">
              Log in
            </Link>
          )}
        </nav>
      </div>
    </header>
  );
}

function App() {
  const loc = useLocation();
  const route = ROUTES.map(([pattern, page]) => ({ page, params: match(pattern, loc.path) })).find((r) => r.params !== null);
  // The server answers 403 with this shell when a customer opens /admin.
  const forbidden = loc.path === '/admin' || loc.path.startsWith('/admin/');
  // After a navigation, move focus to the new page's heading so keyboard and screen-reader users start there.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const h1 = document.querySelector<HTMLElement>('main h1');
    if (h1 && document.activeElement?.id !== 'q') h1.focus({ preventScroll: true });
  }, [loc.path]);
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <Header />
      <main id="main" class="site-main">
        {forbidden ? <Forbidden /> : route ? route.page({ params: route.params ?? {}, query: loc.query }) : <NotFound />}
      </main>
      <footer class="site-footer">
        <p>
          Chinook music store · catalog from the Chinook sample database (MIT) · <Link href="/playlists">Playlists</Link> · <Link href="/artists">Artists</Link>{' '}
          · <Link href="/albums">Albums</Link> · <a href="/docs">API</a>
        </p>
        <p class="muted">No audio, no tracking, no third parties: every request goes to this server.</p>
      </footer>
    </>
  );
}

const root = document.getElementById('app');
if (root) {
  // Requests first, then the first render: they overlap instead of following each other.
  void loadSession();
  if (window.location.pathname === '/') prefetchHome();
  root.textContent = '';
  render(<App />, root);
}
