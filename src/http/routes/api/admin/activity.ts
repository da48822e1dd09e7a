// The audit trail for operators: GET /api/admin/activity, and every successful admin write
// (cache flush, catalog edit, search rebuild …) recorded with who did it.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { adminErrorReplies } from '../../../admin-auth.ts';
import { Limit, Nullable } from '../../../schemas.ts';
import { ActivitySchema } from './ops-schemas.ts';

export const adminActivityRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/',
    {
      schema: {
        tags: ['admin'],
        summary: 'Activity log, newest first (keyset-paginated)',
        querystring: Type.Object(
          {
            causerId: Type.Optional(Type.Integer({ minimum: 1 })),
            subjectType: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
            since: Type.Optional(Type.String({ minLength: 4, maxLength: 40, description: 'ISO-8601 date or date-time' })),
            limit: Limit,
            cursor: Type.Optional(Type.String({ maxLength: 20 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(ActivitySchema),
            nextCursor: Nullable(Type.String()),
          }),
          ...adminErrorReplies,
        },
      },
    },
    async (req) => app.ctx.store.activity.list(req.query),
  );
};

/**
 * Records each successful admin write once its reply is sent. The hook goes on the admin
 * write routes only (added as each route is registered), so no other request pays for it.
 */
export function auditAdminWrites(app: FastifyInstance): void {
  app.addHook('onRoute', (routeOptions) => {
    const methods = [routeOptions.method].flat();
    if (!routeOptions.url.startsWith('/api/admin/') || methods.every((m) => m === 'GET' || m === 'HEAD')) return;
    const audit = auditHook(app, routeOptions.url);
    routeOptions.onResponse = [...[routeOptions.onResponse ?? []].flat(), audit];
  });
}

function auditHook(app: FastifyInstance, route: string) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method === 'GET' || request.method === 'HEAD' || reply.statusCode >= 400) return;
    const params = request.params as Record<string, string> | undefined;
    const id = params?.id !== undefined ? Number(params.id) : null;
    await app.ctx.store.activity
      .record({
        logName: 'admin',
        description: `${request.method} ${route}`,
        subjectType: route.split('/')[3] ?? null,
        subjectId: Number.isSafeInteger(id) ? id : null,
        causerType: request.auth ? 'user' : 'admin-token',
        causerId: request.auth?.user.id ?? null,
        properties: { status: reply.statusCode, ...(request.body && typeof request.body === 'object' ? { body: withoutSecrets(request.body) } : {}) },
      })
      .catch((err) => request.log.error({ err }, 'could not record admin activity'));
  };
}

// An audit trail must not become a password store.
const withoutSecrets = (body: object) => Object.fromEntries(Object.entries(body).filter(([k]) => !/password|token|secret/i.test(k)));
