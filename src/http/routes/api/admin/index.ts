// Everything under /api/admin, behind one guard: an admin login, or the bearer token of
// CHINOOK_ADMIN_TOKEN (admin-auth.ts). A route added to this folder cannot forget it; the
// access-matrix test (test/http/access-matrix.test.ts) checks every route × caller.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { adminGuard } from '../../../admin-auth.ts';
import { adminActivityRoutes } from './activity.ts';
import { adminCacheRoutes } from './cache.ts';
import { adminCatalogRoutes } from './catalog.ts';
import { adminOpsRoutes } from './ops.ts';
import { adminSearchRoutes } from './search.ts';
import { adminVectorRoutes } from './vectors.ts';
import { adminWriteRoutes } from './writes.ts';

export { auditAdminWrites } from './activity.ts';

export const adminRoutes: FastifyPluginAsyncTypebox = async (admin) => {
  admin.addHook('preHandler', adminGuard(admin.ctx.config.adminToken));
  await admin.register(adminCatalogRoutes);
  await admin.register(adminOpsRoutes);
  await admin.register(adminActivityRoutes, { prefix: '/activity' });
  await admin.register(adminCacheRoutes, { prefix: '/cache' });
  await admin.register(adminSearchRoutes, { prefix: '/search' });
  await admin.register(adminVectorRoutes, { prefix: '/vectors' });
  await admin.register(adminWriteRoutes, { prefix: '/writes' });
};
