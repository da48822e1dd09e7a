// The Fastify app: plugins, error shape, OpenAPI at /docs, routes by URL.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { AppContext } from '../context.ts';
import { registerErrorHandling } from './errors.ts';
import { artistRoutes } from './routes/api/artists.ts';
import { reportRoutes } from './routes/api/reports.ts';
import { taxonomyRoutes } from './routes/api/taxonomy.ts';
import { trackRoutes } from './routes/api/tracks.ts';
import { healthRoutes } from './routes/health.ts';

declare module 'fastify' {
  interface FastifyInstance {
    ctx: AppContext;
  }
}

export type App = FastifyInstance;

export interface BuildAppOptions {
  logger?: FastifyServerOptions['logger'];
}

export async function buildApp(ctx: AppContext, options: BuildAppOptions = {}) {
  const app = Fastify({
    logger: options.logger ?? { level: ctx.config.logLevel },
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { coerceTypes: true, removeAdditional: false, useDefaults: true, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('ctx', ctx);
  registerErrorHandling(app);

  await app.register(swagger, {
    openapi: {
      info: { title: 'Chinook music store API', version: '0.1.0', description: 'Catalog, search, similarity and store on SQLite.' },
      tags: [{ name: 'catalog' }, { name: 'reports' }, { name: 'system' }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(healthRoutes);
  await app.register(trackRoutes, { prefix: '/api' });
  await app.register(artistRoutes, { prefix: '/api' });
  await app.register(taxonomyRoutes, { prefix: '/api' });
  await app.register(reportRoutes, { prefix: '/api/reports' });
  return app;
}
