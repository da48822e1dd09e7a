// Admin routes until accounts exist: a bearer token from config (CHINOOK_ADMIN_TOKEN).
// No token configured means admin routes are off, not open.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../../../errors.ts';
import { ErrorReply } from '../../schemas.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

export function adminGuard(token: string | undefined) {
  const expected = token ? digest(token) : undefined;
  return async (request: FastifyRequest): Promise<void> => {
    if (!expected) {
      throw new ApiError(
        403,
        'forbidden',
        'Admin routes are disabled: set CHINOOK_ADMIN_TOKEN (and send it as "Authorization: Bearer <token>") to enable them.',
      );
    }
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    // Compare digests so the comparison takes the same time whatever the length sent.
    if (!match?.[1] || !timingSafeEqual(digest(match[1].trim()), expected)) {
      throw new ApiError(401, 'unauthorized', 'Admin routes need "Authorization: Bearer <CHINOOK_ADMIN_TOKEN>".');
    }
  };
}

export const adminErrorReplies = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply } as const;
