// GET /api/auth/session: who this browser is, without an error when nobody is logged in.
// The pages ask it at every load; /api/me answers 401 to a visitor, which a browser reports
// as a failed request in its console.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NoQuery, Nullable } from '../../schemas.ts';
import { UserSchema } from './auth.ts';

export const sessionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/auth/session',
    {
      schema: {
        tags: ['accounts'],
        summary: 'The logged-in user and the CSRF token for writes, or nulls for a visitor',
        querystring: NoQuery,
        response: { 200: Type.Object({ user: Nullable(UserSchema), csrfToken: Nullable(Type.String()) }) },
      },
    },
    async (req, reply) => {
      // Per-user answer: never stored by a shared cache.
      reply.header('cache-control', 'private, no-store');
      return req.auth ? { user: req.auth.user, csrfToken: req.auth.session.csrfToken } : { user: null, csrfToken: null };
    },
  );
};
