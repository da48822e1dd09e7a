// Admin routes: a logged-in user with the admin role, or a bearer token from config
// (CHINOOK_ADMIN_TOKEN) for scripts and the CLI. No token configured means only admin
// accounts get in.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors.ts';
import { ErrorReply } from './schemas.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Whether an Authorization header carries the configured token (digests compared, so the time does not depend on the length sent). */
function bearerMatches(header: string | undefined, expected: Buffer | undefined): boolean {
  const match = expected && header ? /^Bearer\s+(.+)$/i.exec(header) : null;
  return !!match?.[1] && !!expected && timingSafeEqual(digest(match[1].trim()), expected);
}

export function adminGuard(token: string | undefined) {
  const expected = token ? digest(token) : undefined;
  return async (request: FastifyRequest): Promise<void> => {
    if (request.auth?.user.role === 'admin') return;
    if (request.auth) throw new ApiError(403, 'forbidden', 'This needs an admin account.');
    const header = request.headers.authorization ?? '';
    if (!expected) {
      throw new ApiError(
        header ? 403 : 401,
        header ? 'forbidden' : 'unauthorized',
        'Admin routes need an admin login, or CHINOOK_ADMIN_TOKEN set on the server and sent as "Authorization: Bearer <token>".',
      );
    }
    if (!bearerMatches(header, expected)) {
      throw new ApiError(401, 'unauthorized', 'Admin routes need "Authorization: Bearer <CHINOOK_ADMIN_TOKEN>".');
    }
  };
}

/**
 * The same check as adminGuard, as a synchronous yes/no (for routes that show admins more, like
 * /health). No exception for the common "no": building an ApiError and its stack cost an
 * anonymous /health 14 % of its CPU under load (bench:load profile, docs/benchmarks-http.md).
 */
export function adminCheck(token: string | undefined) {
  const expected = token ? digest(token) : undefined;
  return (request: FastifyRequest): boolean => (request.auth ? request.auth.user.role === 'admin' : bearerMatches(request.headers.authorization, expected));
}

export const adminErrorReplies = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply } as const;
