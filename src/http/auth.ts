// Who is asking: the session cookie is resolved once per request (from the cache database,
// falling back to the primary), and cookie-authenticated writes must carry the session's
// CSRF token in `x-csrf-token`. Bearer-token admin calls carry no cookie and need none.
import cookie from '@fastify/cookie';
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

export async function registerAuth(app: FastifyInstance): Promise<void> {
  await app.register(cookie);
  app.decorateRequest('auth', null);
  const { accounts } = app.ctx;
  app.addHook('onRequest', async (request) => {
    const token = request.cookies[SESSION_COOKIE];
    if (!token) return;
    const session = accounts.sessions.resolve(token);
    const user = session && accounts.users.get(session.userId);
    if (!session || !user) return;
    request.auth = { session, user };
    if (!SAFE_METHODS.has(request.method) && !CSRF_EXEMPT.has(request.url.split('?')[0] ?? '')) {
      if (!accounts.sessions.checkCsrf(session, headerValue(request.headers['x-csrf-token']))) {
        throw new ApiError(403, 'csrf_failed', 'This write needs the x-csrf-token header from GET /api/auth/csrf.');
      }
    }
  });
}

const headerValue = (h: string | string[] | undefined) => (Array.isArray(h) ? h[0] : h);

export function requireUser(request: FastifyRequest): { session: Session; user: User } {
  if (!request.auth) throw new ApiError(401, 'unauthorized', 'Log in first (POST /api/auth/login).');
  return request.auth;
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', path: '/', secure: request.protocol === 'https' });
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', path: '/', secure: request.protocol === 'https' });
}
