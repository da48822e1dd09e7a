// Log in, register, and the account page (change password, orders, plays).
import { useEffect, useState } from 'preact/hooks';
import { ApiError, get, post } from '../../shared/api.ts';
import { dateTime, price } from '../../shared/format.ts';
import { Link, navigate } from '../../shared/router.tsx';
import { useStore } from '../../shared/store.ts';
import type { LibraryTrack, OrderSummary, Page, Play } from '../../shared/types.ts';
import { useApi } from '../../shared/use-api.ts';
import { ErrorNote, Loading, Pager, PageTitle, rowOf, TrackTable, trackHref, useTitle } from '../components.tsx';
import { useCursorPaging } from '../paging.ts';
import { login, logout, register, session } from '../state.ts';

/** Only a path on this site: `next=https://evil.example` must not become an open redirect. */
const safeNext = (query: URLSearchParams) => {
  const next = query.get('next') ?? '/';
  return next.startsWith('/') && !next.startsWith('//') ? next : '/';
};

function Field(props: {
  id: string;
  label: string;
  type: 'text' | 'email' | 'password';
  value: string;
  onInput: (v: string) => void;
  autocomplete: string;
  hint?: string;
  minLength?: number;
}) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        // Preact types `type` as a discriminated union; one variable of the union type fits no branch.
        type={props.type as 'text'}
        required
        value={props.value}
        minLength={props.minLength}
        autocomplete={props.autocomplete}
        aria-describedby={props.hint ? `${props.id}-hint` : undefined}
        onInput={(e) => props.onInput((e.target as HTMLInputElement).value)}
      />
      {props.hint && (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      )}
    </div>
  );
}

function useSubmit(action: () => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(err instanceof ApiError && err.status === 429 ? err.message : (err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, submit };
}

export function LoginPage({ query }: { query: URLSearchParams }) {
  useTitle('Log in');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const next = safeNext(query);
  const { busy, error, submit } = useSubmit(async () => {
    await login(email, password);
    // The dashboard's shell is chosen by the server: load it rather than route in place.
    if (next.startsWith('/admin')) window.location.assign(next);
    else navigate(next);
  });
  return (
    <div class="form-page">
      <PageTitle>Log in</PageTitle>
      <form class="card form" onSubmit={submit} noValidate={false}>
        <Field id="email" label="Email" type="email" value={email} onInput={setEmail} autocomplete="username" />
        <Field id="password" label="Password" type="password" value={password} onInput={setPassword} autocomplete="current-password" />
        {error && (
          <p class="note note-error" role="alert">
            {error}
          </p>
        )}
        <button class="btn btn-primary" type="submit" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
        <p>
          New here? <Link href={`/register?next=${encodeURIComponent(next)}`}>Create an account</Link>
        </p>
      </form>
    </div>
  );
}

export function RegisterPage({ query }: { query: URLSearchParams }) {
  useTitle('Create an account');
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const next = safeNext(query);
  const { busy, error, submit } = useSubmit(async () => {
    await register(email, password, name);
    navigate(next);
  });
  return (
    <div class="form-page">
      <PageTitle>Create an account</PageTitle>
      <form class="card form" onSubmit={submit}>
        <Field id="name" label="Your name" type="text" value={name} onInput={setName} autocomplete="name" />
        <Field id="email" label="Email" type="email" value={email} onInput={setEmail} autocomplete="email" />
        <Field
          id="password"
          label="Password"
          type="password"
          value={password}
          onInput={setPassword}
          autocomplete="new-password"
          minLength={10}
          hint="At least 10 characters."
        />
        {error && (
          <p class="note note-error" role="alert">
            {error}
          </p>
        )}
        <button class="btn btn-primary" type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create account'}
        </button>
        <p>
          Have an account? <Link href={`/login?next=${encodeURIComponent(next)}`}>Log in</Link>
        </p>
      </form>
    </div>
  );
}

function PasswordForm() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [done, setDone] = useState(false);
  const { busy, error, submit } = useSubmit(async () => {
    setDone(false);
    await post('/api/me/password', { currentPassword: current, newPassword: next });
    setCurrent('');
    setNext('');
    setDone(true);
  });
  return (
    <form class="card form" onSubmit={submit} aria-labelledby="pw-title">
      <h2 id="pw-title">Change password</h2>
      <Field id="current-password" label="Current password" type="password" value={current} onInput={setCurrent} autocomplete="current-password" />
      <Field
        id="new-password"
        label="New password"
        type="password"
        value={next}
        onInput={setNext}
        autocomplete="new-password"
        minLength={10}
        hint="At least 10 characters. Your other sessions are logged out."
      />
      {error && (
        <p class="note note-error" role="alert">
          {error}
        </p>
      )}
      {done && (
        <p class="note note-ok" role="status">
          Password changed.
        </p>
      )}
      <button class="btn btn-primary" type="submit" disabled={busy}>
        Change password
      </button>
    </form>
  );
}

function Orders({ query }: { query: URLSearchParams }) {
  const cursor = query.get('cursor');
  const orders = useApi(`orders:${cursor}`, () => get<Page<OrderSummary>>('/api/orders', { limit: 10, cursor: cursor ?? undefined }));
  const paging = useCursorPaging(orders.data?.nextCursor);
  return (
    <section class="card" aria-labelledby="orders-title">
      <h2 id="orders-title">Your orders</h2>
      {orders.error ? (
        <ErrorNote error={orders.error} retry={orders.reload} />
      ) : !orders.data ? (
        <Loading />
      ) : orders.data.items.length === 0 ? (
        <p class="muted">
          No orders yet. Find something in the <Link href="/">store</Link>.
        </p>
      ) : (
        <table class="plain" aria-label="Orders">
          <thead>
            <tr>
              <th>Order</th>
              <th>Date</th>
              <th class="right">Total</th>
            </tr>
          </thead>
          <tbody>
            {orders.data.items.map((o) => (
              <tr key={o.id}>
                <td>
                  <Link href={`/orders/${o.id}`}>#{o.id}</Link>
                </td>
                <td>{dateTime(o.invoiceDate)}</td>
                <td class="right">{price(o.total)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager label="Order pages" onPrev={paging.onPrev} onNext={paging.onNext} />
    </section>
  );
}

/** Every track bought, the last order's first, 25 more at a time: a store's "purchased" list. */
function Library() {
  const [pages, setPages] = useState<Page<LibraryTrack>[]>([]);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const load = async (cursor?: string) => {
    setBusy(true);
    setError(null);
    try {
      const page = await get<Page<LibraryTrack>>('/api/me/library', { limit: 25, cursor });
      setPages((before) => [...before, page]);
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    void load();
  }, []);
  const items = pages.flatMap((p) => p.items);
  const next = pages.at(-1)?.nextCursor ?? null;
  return (
    <section class="library" aria-labelledby="library-title">
      <h2 id="library-title">Your music</h2>
      {items.length > 0 ? (
        <TrackTable rows={items.map((t) => ({ ...rowOf(t), note: `Bought ${dateTime(t.boughtAt)} · order #${t.orderId}` }))} label="Tracks you bought" />
      ) : pages.length > 0 ? (
        <p class="muted">Tracks you buy are listed here.</p>
      ) : (
        !error && <Loading />
      )}
      {error && <ErrorNote error={error} retry={() => load(next ?? undefined)} />}
      {next && !error && (
        <p>
          <button type="button" class="btn" disabled={busy} onClick={() => load(next)}>
            {busy ? 'Loading…' : 'Show more'}
          </button>
        </p>
      )}
    </section>
  );
}

function Plays() {
  const plays = useApi('plays', () => get<Page<Play>>('/api/me/history', { limit: 10 }));
  return (
    <section class="card" aria-labelledby="plays-title">
      <h2 id="plays-title">Recently played</h2>
      {plays.error ? (
        <ErrorNote error={plays.error} retry={plays.reload} />
      ) : !plays.data ? (
        <Loading />
      ) : plays.data.items.length === 0 ? (
        <p class="muted">Nothing played yet: press ▶ on a track page.</p>
      ) : (
        <ul class="link-list">
          {plays.data.items.map((p) => (
            <li key={p.id}>
              <Link href={trackHref({ id: p.trackId, name: p.name })}>{p.name}</Link>{' '}
              <span class="muted">
                {p.artist ?? ''} · {dateTime(p.playedAt)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function AccountPage({ query }: { query: URLSearchParams }) {
  const { user, ready } = useStore(session);
  useTitle('Your account');
  if (!ready) return <Loading />;
  if (!user) {
    return (
      <div class="empty-state">
        <h1 tabIndex={-1}>Your account</h1>
        <p>
          <Link href="/login?next=%2Faccount">Log in</Link> to see your orders and change your password.
        </p>
      </div>
    );
  }
  return (
    <div class="account-page">
      <PageTitle kicker="Your account">{user.displayName}</PageTitle>
      <p class="muted">
        {user.email}
        {user.role === 'admin' && (
          <>
            {' · '}
            <a href="/admin">Admin dashboard</a>
          </>
        )}
      </p>
      <div class="account-grid">
        <Orders query={query} />
        <Plays />
        <PasswordForm />
      </div>
      <Library />
      <button
        type="button"
        class="btn"
        onClick={async () => {
          await logout();
          navigate('/');
        }}
      >
        Log out
      </button>
    </div>
  );
}
