// Admin catalog edits. Each one commits, then invalidates the cache in every worker before
// the reply, so the next read anywhere shows the change.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { adminErrorReplies } from '../../../admin-auth.ts';
import { AlbumSummarySchema, IdParams, TrackSchema } from '../../../schemas.ts';

const Id = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
const Name = Type.String({ minLength: 1, maxLength: 500 });
const NullableId = Type.Union([Id, Type.Null()]);

const TrackPatch = Type.Object(
  {
    name: Type.Optional(Name),
    composer: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
    unitPrice: Type.Optional(Type.Number({ minimum: 0, maximum: 1e6 })),
    milliseconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 1e10 })),
    albumId: Type.Optional(NullableId),
    genreId: Type.Optional(NullableId),
    mediaTypeId: Type.Optional(Id),
  },
  { additionalProperties: false, minProperties: 1 },
);
const AlbumPatch = Type.Object(
  {
    title: Type.Optional(Name),
    artistId: Type.Optional(Id),
    releaseDate: Type.Optional(Type.Union([Type.String({ format: 'date' }), Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
);
const ArtistPatch = Type.Object({ name: Name }, { additionalProperties: false });
const NewTrack = Type.Object(
  {
    name: Name,
    albumId: Id,
    mediaTypeId: Id,
    genreId: Type.Optional(NullableId),
    composer: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
    milliseconds: Type.Integer({ minimum: 0, maximum: 1e10 }),
    bytes: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 1e12 }), Type.Null()])),
    unitPrice: Type.Number({ minimum: 0, maximum: 1e6 }),
  },
  { additionalProperties: false },
);

export const adminCatalogRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { editor } = app.ctx;

  app.post(
    '/tracks',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Add a track (admin); search sees it at once, vectors at the next build',
        body: NewTrack,
        response: { 201: TrackSchema, ...adminErrorReplies, 409: adminErrorReplies[404] },
      },
    },
    async (req, reply) => reply.status(201).send(await editor.createTrack(req.body)),
  );

  app.delete(
    '/tracks/:id',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Delete a track that was never sold (admin)',
        params: IdParams,
        response: { 204: Type.Null(), ...adminErrorReplies, 409: adminErrorReplies[404] },
      },
    },
    async (req, reply) => {
      await editor.deleteTrack(req.params.id);
      return reply.status(204).send(null);
    },
  );

  app.patch(
    '/tracks/:id',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Edit a track (admin); the cache forgets every answer that showed it',
        params: IdParams,
        body: TrackPatch,
        response: { 200: TrackSchema, ...adminErrorReplies },
      },
    },
    async (req) => editor.updateTrack(req.params.id, req.body),
  );

  app.patch(
    '/albums/:id',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Edit an album (admin)',
        params: IdParams,
        body: AlbumPatch,
        response: { 200: Type.Object({ ...AlbumSummarySchema.properties, durationMs: Type.Integer(), tracks: Type.Array(TrackSchema) }), ...adminErrorReplies },
      },
    },
    async (req) => editor.updateAlbum(req.params.id, req.body),
  );

  app.patch(
    '/artists/:id',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Rename an artist (admin)',
        params: IdParams,
        body: ArtistPatch,
        response: {
          200: Type.Object({ id: Type.Integer(), name: Type.String(), albumCount: Type.Integer(), albums: Type.Array(AlbumSummarySchema) }),
          ...adminErrorReplies,
        },
      },
    },
    async (req) => editor.updateArtist(req.params.id, req.body),
  );
};
