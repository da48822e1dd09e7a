// The pages' only door to the server: the public JSON API, same origin, cookies for the
// session and the session's CSRF token on every write.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

type Query = Record<string, string | number | boolean | undefined | null>;

export function queryString(params: Query = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

let csrfToken: string | null = null;
export const setCsrfToken = (token: string | null) => {
  csrfToken = token;
};

async function parse<T>(res: Response): Promise<T> {
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(res.status, 'bad_reply', `The server answered ${res.status} with something that is not JSON.`);
  }
  if (!res.ok) {
    const b = (body ?? {}) as { error?: string; message?: string; details?: unknown };
    throw new ApiError(res.status, b.error ?? 'error', b.message ?? `Request failed (${res.status}).`, b.details);
  }
  return body as T;
}

const prefetched = new Map<string, Promise<unknown>>();

/**
 * Starts a GET now (at boot, before the page's components exist); the first get() of the same
 * URL takes its answer. One-shot, and forgotten at any write, so it never serves stale data.
 */
export function prefetch(path: string, params?: Query): void {
  const url = path + queryString(params);
  if (prefetched.has(url)) return;
  const pending = fetchJson(url);
  pending.catch(() => {}); // the get() that takes it reports the error
  prefetched.set(url, pending);
}

async function fetchJson<T>(url: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' }, ...init });
  return parse<T>(res);
}

export function get<T>(path: string, params?: Query, init: RequestInit = {}): Promise<T> {
  const url = path + queryString(params);
  const early = prefetched.get(url);
  if (early) {
    prefetched.delete(url);
    return early as Promise<T>;
  }
  return fetchJson<T>(url, init);
}

export async function send<T>(method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  prefetched.clear();
  const run = () =>
    fetch(path, {
      method,
      credentials: 'same-origin',
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(csrfToken ? { 'x-csrf-token': csrfToken } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  let res = await run();
  if (res.status === 403 && res.headers.get('content-type')?.includes('json')) {
    // A token from an older session (another tab logged in again): fetch the current one, retry once.
    const copy = res.clone();
    const err = (await copy.json().catch(() => null)) as { error?: string } | null;
    if (err?.error === 'csrf_failed') {
      const s = await get<{ csrfToken: string | null }>('/api/auth/session');
      setCsrfToken(s.csrfToken);
      res = await run();
    }
  }
  return parse<T>(res);
}

export const post = <T>(path: string, body?: unknown) => send<T>('POST', path, body);
