import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { replyWithEntry } from '../../../cache/index.ts';
import { errorReplies, Nullable, ReportLimit } from '../../schemas.ts';

const LimitQuery = Type.Object({ limit: ReportLimit }, { additionalProperties: false });

export const reportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const cached = app.ctx.cached.reports;
  const common = { tags: ['reports'], querystring: LimitQuery };

  app.get(
    '/api/reports/sales-by-country',
    {
      schema: {
        ...common,
        summary: 'Revenue, invoices and customers per billing country',
        response: {
          200: Type.Object({
            items: Type.Array(Type.Object({ country: Type.String(), invoices: Type.Integer(), customers: Type.Integer(), revenue: Type.Number() })),
          }),
          ...errorReplies,
        },
      },
    },
    (req, reply) => replyWithEntry(req, reply, cached.salesByCountry(req.query.limit)),
  );

  app.get(
    '/api/reports/top-artists',
    {
      schema: {
        ...common,
        summary: 'Best-selling artists by units sold',
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                artistId: Type.Integer(),
                name: Type.String(),
                unitsSold: Type.Integer(),
                revenue: Type.Number(),
                tracksSold: Type.Integer(),
                trackCount: Type.Integer(),
              }),
            ),
          }),
          ...errorReplies,
        },
      },
    },
    (req, reply) => replyWithEntry(req, reply, cached.topArtists(req.query.limit)),
  );

  app.get(
    '/api/reports/top-tracks',
    {
      schema: {
        ...common,
        summary: 'Best-selling tracks by units sold',
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                id: Type.Integer(),
                name: Type.String(),
                artistId: Nullable(Type.Integer()),
                artist: Nullable(Type.String()),
                album: Nullable(Type.String()),
                unitsSold: Type.Integer(),
                revenue: Type.Number(),
              }),
            ),
          }),
          ...errorReplies,
        },
      },
    },
    (req, reply) => replyWithEntry(req, reply, cached.topTracks(req.query.limit)),
  );
};
