import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { MAX_PASSWORD } from '../../../accounts/index.ts';
import { ApiError } from '../../../errors.ts';
import { requireUser } from '../../auth.ts';
import { ErrorReply, LibraryTrackSchema, Limit, Nullable, pageOf } from '../../schemas.ts';
import { UserSchema } from './auth.ts';

const meErrors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply };

export const meRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { accounts, store } = app.ctx;

  app.get(
    '/api/me',
    { schema: { tags: ['accounts'], summary: 'The logged-in user', response: { 200: UserSchema, ...meErrors } } },
    async (req) => requireUser(req).user,
  );

  app.post(
    '/api/me/password',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Change password; every other session of this user ends',
        body: Type.Object(
          { currentPassword: Type.String({ minLength: 1, maxLength: MAX_PASSWORD }), newPassword: Type.String({ minLength: 1, maxLength: MAX_PASSWORD }) },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), ...meErrors },
      },
    },
    async (req, reply) => {
      const { user, session } = requireUser(req);
      if (!(await accounts.users.authenticate(user.email, req.body.currentPassword))) {
        throw new ApiError(403, 'invalid_credentials', 'The current password is wrong.');
      }
      await accounts.users.changePassword(user.id, req.body.newPassword);
      await accounts.sessions.revokeAllFor(user.id, session.id);
      await store.activity.record({
        logName: 'auth',
        description: 'password changed',
        subjectType: 'user',
        subjectId: user.id,
        causerType: 'user',
        causerId: user.id,
      });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/me/tracks',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Ids of the tracks this user has bought, ascending (the storefront shows them as owned instead of selling them again)',
        response: { 200: Type.Object({ trackIds: Type.Array(Type.Integer()) }), ...meErrors },
      },
    },
    async (req) => ({ trackIds: store.orders.ownedTrackIds(requireUser(req).user.id) }),
  );

  app.get(
    '/api/me/library',
    {
      schema: {
        tags: ['accounts'],
        summary: 'The tracks this user has bought, most recent order first, each once (keyset-paged)',
        querystring: Type.Object(
          { limit: Limit, cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}\\.[0-9]{1,15}$', description: 'nextCursor of the page before' })) },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(LibraryTrackSchema), ...meErrors },
      },
    },
    async (req) => store.orders.library(requireUser(req).user.id, req.query),
  );

  app.get(
    '/api/me/history',
    {
      schema: {
        tags: ['accounts'],
        summary: 'What this user played, newest first',
        querystring: Type.Object({ limit: Limit, cursor: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                id: Type.Integer(),
                trackId: Type.Integer(),
                name: Type.String(),
                artist: Nullable(Type.String()),
                msPlayed: Nullable(Type.Integer()),
                playedAt: Type.String(),
              }),
            ),
            nextCursor: Nullable(Type.String()),
          }),
          ...meErrors,
        },
      },
    },
    async (req) => store.plays.historyOf(requireUser(req).user.id, req.query),
  );
};
