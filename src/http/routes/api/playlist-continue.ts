import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Continuations } from '../../../recommend/index.ts';
import { errorReplies, IdParams } from '../../schemas.ts';
import { MaxPerAlbum, SuggestionSchema } from './recommendations.ts';

const ContinueQuery = Type.Object(
  { limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }), maxPerAlbum: MaxPerAlbum },
  { additionalProperties: false },
);

export const playlistContinueRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const continuations = new Continuations(app.ctx.recommender);
  app.get(
    '/api/playlists/:id/continue',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Tracks to add to a playlist, best first, with reasons (none already in it, no copy of a song in it)',
        params: IdParams,
        querystring: ContinueQuery,
        response: { 200: Type.Object({ items: Type.Array(SuggestionSchema) }), ...errorReplies },
      },
    },
    async (req) => continuations.continuePlaylist(req.params.id, { limit: req.query.limit, maxPerAlbum: req.query.maxPerAlbum }),
  );
};
