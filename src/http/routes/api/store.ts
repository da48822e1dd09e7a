// Orders and plays: the logged-in user's writes (cookie + x-csrf-token).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { MAX_ORDER_LINES } from '../../../store/index.ts';
import { requireUser } from '../../auth.ts';
import { ErrorReply, IdParams, Limit } from '../../schemas.ts';

const TrackId = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
const OrderSummary = Type.Object({ id: Type.Integer(), customerId: Type.Integer(), invoiceDate: Type.String(), total: Type.Number() });
const Order = Type.Object({
  ...OrderSummary.properties,
  lines: Type.Array(Type.Object({ trackId: Type.Integer(), name: Type.String(), unitPrice: Type.Number(), quantity: Type.Integer() })),
});
const storeErrors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply, 409: ErrorReply, 413: ErrorReply, 415: ErrorReply };

export const storeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { store } = app.ctx;

  app.post(
    '/api/orders',
    {
      schema: {
        tags: ['store'],
        summary: 'Buy tracks: prices come from the catalog; owned or repeated tracks are refused (409)',
        body: Type.Object({ trackIds: Type.Array(TrackId, { minItems: 1, maxItems: MAX_ORDER_LINES }) }, { additionalProperties: false }),
        response: { 201: Order, ...storeErrors },
      },
    },
    async (req, reply) => {
      const { user } = requireUser(req);
      // Replies after COMMIT and after order.placed has invalidated the cache in every worker.
      const order = await store.orders.place(
        { userId: user.id, email: user.email, displayName: user.displayName, customerId: user.customerId },
        req.body.trackIds,
      );
      return reply.status(201).send(order);
    },
  );

  app.get(
    '/api/orders',
    {
      schema: {
        tags: ['store'],
        summary: "The logged-in user's orders, newest first",
        querystring: Type.Object({ limit: Limit, cursor: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(OrderSummary), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...storeErrors },
      },
    },
    async (req) => store.orders.list(requireUser(req).user.id, req.query),
  );

  app.get(
    '/api/orders/:id',
    { schema: { tags: ['store'], summary: 'One of your orders (another user’s is 404)', params: IdParams, response: { 200: Order, ...storeErrors } } },
    async (req) => store.orders.get(requireUser(req).user.id, req.params.id),
  );

  app.post(
    '/api/plays',
    {
      schema: {
        tags: ['store'],
        summary: 'Record a play; replies after it is committed',
        body: Type.Object({ trackId: TrackId, msPlayed: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400_000 })) }, { additionalProperties: false }),
        response: { 201: Type.Object({ id: Type.Integer(), trackId: Type.Integer() }), ...storeErrors },
      },
    },
    async (req, reply) => {
      const { user } = requireUser(req);
      const id = await store.plays.record(user.id, req.body.trackId, req.body.msPlayed);
      return reply.status(201).send({ id, trackId: req.body.trackId });
    },
  );
};
