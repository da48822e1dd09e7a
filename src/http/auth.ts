// Who is asking: the session cookie is resolved once per request (from the cache database,
// falling back to the primary), and cookie-authenticated writes must carry the session's
// CSRF token in `x-csrf-token`. Bearer-token admin calls carry no cookie and need none.
//
// Checked in the one request hook (request-hooks.ts), and a request without a Cookie header
// pays one property read: the `cookie` library (what @fastify/cookie wraps) parses and writes the one cookie
// we use, without that plugin's parse hook and onSend hook on every request.
import { parseCookie, stringifySetCookie } from 'cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Session, User } from '../accounts/index.ts';
import { ApiError } from '../errors.ts';

export const SESSION_COOKIE = 'chinook_session';

declare module 'fastify' {
  interface FastifyRequest {
    auth: { session: Session; user: User } | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
// Writes that start a session cannot have a token yet.
// from-tracks is a read sent as POST (a list of ids): it changes nothing, so a forged one gains nothing.
const CSRF_EXEMPT = new Set(['/api/auth/login', '/api/auth/register', '/api/recommendations/from-tracks']);

/** Sets `request.auth` from the session cookie; the 403 of a cookie-authenticated write without its CSRF token, else undefined. */
export type Authenticate = (request: FastifyRequest) => ApiError | undefined;

export function registerAuth(app: FastifyInstance): Authenticate {
  app.decorateRequest('auth', null);
  const { accounts } = app.ctx;
  return (request) => {
    const header = request.headers.cookie;
    if (header === undefined) return undefined;
    const token = parseCookie(header)[SESSION_COOKIE];
    if (!token) return undefined;
    const session = accounts.sessions.resolve(token);
    const user = session && accounts.users.get(session.userId);
    if (!session || !user) return undefined;
    request.auth = { session, user };
    if (!SAFE_METHODS.has(request.method) && !CSRF_EXEMPT.has(request.url.split('?')[0] ?? '')) {
      if (!accounts.sessions.checkCsrf(session, headerValue(request.headers['x-csrf-token']))) {
        return new ApiError(403, 'csrf_failed', 'This write needs the x-csrf-token header from GET /api/auth/csrf.');
      }
    }
    return undefined;
  };
}

const headerValue = (h: string | string[] | undefined) => (Array.isArray(h) ? h[0] : h);

export function requireUser(request: FastifyRequest): { session: Session; user: User } {
  if (!request.auth) throw new ApiError(401, 'unauthorized', 'Log in first (POST /api/auth/login).');
  return request.auth;
}

const sessionCookie = (request: FastifyRequest, value: string, clear: boolean) =>
  stringifySetCookie({
    name: SESSION_COOKIE,
    value,
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: request.protocol === 'https',
    ...(clear ? { expires: new Date(0), maxAge: 0 } : {}),
  });

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string): void {
  reply.header('set-cookie', sessionCookie(request, token, false));
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('set-cookie', sessionCookie(request, '', true));
}
