import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { replyWithEntry } from '../../../cache/index.ts';
import { albumSorts, artistSorts } from '../../../catalog/index.ts';
import { AlbumSummarySchema, Cursor, errorReplies, IdParams, Limit, NoQuery, pageOf, TrackSchema } from '../../schemas.ts';

const sortOf = <K extends string>(keys: K[]) => Type.Union(keys.map((k) => Type.Literal(k)));
const ArtistSummary = Type.Object({ id: Type.Integer(), name: Type.String(), albumCount: Type.Integer() });

export const artistRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const cached = app.ctx.cached.catalog;

  app.get(
    '/api/artists',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Artists with album counts',
        querystring: Type.Object(
          {
            limit: Limit,
            cursor: Type.Optional(Cursor),
            sort: Type.Optional(sortOf(Object.keys(artistSorts) as (keyof typeof artistSorts)[])),
            withAlbums: Type.Optional(Type.Boolean({ description: 'true lists only artists with at least one album (the storefront directory)' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(ArtistSummary), ...errorReplies },
      },
    },
    (req, reply) => replyWithEntry(req, reply, cached.artists(req.query)),
  );

  app.get(
    '/api/artists/:id',
    {
      schema: {
        tags: ['catalog'],
        summary: 'One artist with its albums',
        params: IdParams,
        querystring: NoQuery,
        response: { 200: Type.Object({ ...ArtistSummary.properties, albums: Type.Array(AlbumSummarySchema) }), ...errorReplies },
      },
    },
    (req, reply) => replyWithEntry(req, reply, cached.artist(req.params.id)),
  );

  app.get(
    '/api/albums',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Albums with artist names and track counts',
        querystring: Type.Object(
          {
            limit: Limit,
            cursor: Type.Optional(Cursor),
            sort: Type.Optional(sortOf(Object.keys(albumSorts) as (keyof typeof albumSorts)[])),
            artistId: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(AlbumSummarySchema), ...errorReplies },
      },
    },
    (req, reply) => replyWithEntry(req, reply, cached.albums(req.query)),
  );

  app.get(
    '/api/albums/:id',
    {
      schema: {
        tags: ['catalog'],
        summary: 'One album with its tracks',
        params: IdParams,
        querystring: NoQuery,
        response: { 200: Type.Object({ ...AlbumSummarySchema.properties, durationMs: Type.Integer(), tracks: Type.Array(TrackSchema) }), ...errorReplies },
      },
    },
    (req, reply) => replyWithEntry(req, reply, cached.album(req.params.id)),
  );
};
