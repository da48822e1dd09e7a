import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { CountedSchema, Cursor, errorReplies, IdParams, Limit, pageOf, TrackSchema } from '../../schemas.ts';

const PlaylistSort = Type.Union([Type.Literal('name'), Type.Literal('id')]);

export const taxonomyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { catalog } = app.ctx;

  app.get(
    '/genres',
    { schema: { tags: ['catalog'], summary: 'All genres with track counts', response: { 200: Type.Object({ items: Type.Array(CountedSchema) }) } } },
    async () => ({ items: catalog.taxonomy.listGenres() }),
  );

  app.get(
    '/media-types',
    { schema: { tags: ['catalog'], summary: 'All media types with track counts', response: { 200: Type.Object({ items: Type.Array(CountedSchema) }) } } },
    async () => ({ items: catalog.taxonomy.listMediaTypes() }),
  );

  app.get(
    '/playlists',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Playlists with track counts',
        querystring: Type.Object({ limit: Limit, cursor: Type.Optional(Cursor), sort: Type.Optional(PlaylistSort) }, { additionalProperties: false }),
        response: { 200: pageOf(CountedSchema), ...errorReplies },
      },
    },
    async (req) => catalog.taxonomy.listPlaylists(req.query),
  );

  app.get(
    '/playlists/:id',
    {
      schema: {
        tags: ['catalog'],
        summary: 'One playlist with a page of its tracks (limit/cursor page the tracks)',
        params: IdParams,
        querystring: Type.Object({ limit: Limit, cursor: Type.Optional(Cursor) }, { additionalProperties: false }),
        response: { 200: Type.Object({ ...CountedSchema.properties, tracks: pageOf(TrackSchema) }), ...errorReplies },
      },
    },
    async (req) => catalog.taxonomy.getPlaylist(req.params.id, req.query),
  );
};
