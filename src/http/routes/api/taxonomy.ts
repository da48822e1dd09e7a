import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { replyWithEntry } from '../../../cache/index.ts';
import { CountedSchema, Cursor, errorReplies, IdParams, Limit, NoQuery, pageOf, TrackSchema } from '../../schemas.ts';

const PlaylistSort = Type.Union([Type.Literal('name'), Type.Literal('id')]);

export const taxonomyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const cached = app.ctx.cached.catalog;

  app.get(
    '/api/genres',
    {
      schema: {
        tags: ['catalog'],
        summary: 'All genres with track counts',
        querystring: NoQuery,
        response: { 200: Type.Object({ items: Type.Array(CountedSchema) }) },
      },
    },
    (req, reply) => replyWithEntry(req, reply, cached.genres()),
  );

  app.get(
    '/api/media-types',
    {
      schema: {
        tags: ['catalog'],
        summary: 'All media types with track counts',
        querystring: NoQuery,
        response: { 200: Type.Object({ items: Type.Array(CountedSchema) }) },
      },
    },
    (req, reply) => replyWithEntry(req, reply, cached.mediaTypes()),
  );

  app.get(
    '/api/playlists',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Playlists with track counts',
        querystring: Type.Object({ limit: Limit, cursor: Type.Optional(Cursor), sort: Type.Optional(PlaylistSort) }, { additionalProperties: false }),
        response: { 200: pageOf(CountedSchema), ...errorReplies },
      },
    },
    (req, reply) => replyWithEntry(req, reply, cached.playlists(req.query)),
  );

  app.get(
    '/api/playlists/:id',
    {
      schema: {
        tags: ['catalog'],
        summary: 'One playlist with a page of its tracks (limit/cursor page the tracks)',
        params: IdParams,
        querystring: Type.Object({ limit: Limit, cursor: Type.Optional(Cursor) }, { additionalProperties: false }),
        response: { 200: Type.Object({ ...CountedSchema.properties, tracks: pageOf(TrackSchema) }), ...errorReplies },
      },
    },
    (req, reply) => replyWithEntry(req, reply, cached.playlist(req.params.id, req.query)),
  );
};
