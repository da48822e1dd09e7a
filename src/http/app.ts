// The Fastify app: plugins, error shape, OpenAPI at /docs, routes by URL.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { fastifyTrustProxy } from '../config.ts';
import type { AppContext } from '../context.ts';
import { registerAuth } from './auth.ts';
import { clientErrors, frameworkErrors, registerErrorHandling } from './errors.ts';
import { registerRequestMetrics } from './metrics.ts';
import { registerOverload } from './overload.ts';
import { registerRequestHooks } from './request-hooks.ts';
import { lazyChildLogger, loggerOptions, requestId, requestLogger } from './request-log.ts';
import { RequestTurns } from './request-turns.ts';
import { adminRoutes, auditAdminWrites } from './routes/api/admin/index.ts';
import { artistRoutes } from './routes/api/artists.ts';
import { authRoutes } from './routes/api/auth.ts';
import { meRoutes } from './routes/api/me.ts';
import { playlistContinueRoutes } from './routes/api/playlist-continue.ts';
import { popularRoutes } from './routes/api/popular.ts';
import { recommendationRoutes } from './routes/api/recommendations.ts';
import { reportRoutes } from './routes/api/reports.ts';
import { searchRoutes } from './routes/api/search.ts';
import { sessionRoutes } from './routes/api/session.ts';
import { similarRoutes } from './routes/api/similar.ts';
import { storeRoutes } from './routes/api/store.ts';
import { taxonomyRoutes } from './routes/api/taxonomy.ts';
import { trackRoutes } from './routes/api/tracks.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { securityHeaders } from './security-headers.ts';
import { LazySerializers } from './serializers.ts';
import { registerInputPolicy } from './validation.ts';
import { webRoutes } from './web.ts';

declare module 'fastify' {
  interface FastifyInstance {
    ctx: AppContext;
    turns: RequestTurns;
    /** Response serializers, compiled at first use (serializers.ts). */
    serializers: LazySerializers;
  }
}

export type App = FastifyInstance;

export interface BuildAppOptions {
  logger?: FastifyServerOptions['logger'];
}

export async function buildApp(ctx: AppContext, options: BuildAppOptions = {}) {
  const turns = new RequestTurns(ctx.config.turnBudgetUs / 1000);
  const serializers = new LazySerializers();
  const app = Fastify({
    // Requests take turns with the event loop: src/http/request-turns.ts.
    serverFactory: turns.serverFactory(),
    logger: options.logger ?? loggerOptions(ctx.config),
    // One line per request only where it helps: src/http/request-log.ts.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyChildLogger,
    genReqId: requestId,
    bodyLimit: 1024 * 1024,
    trustProxy: fastifyTrustProxy(ctx.config.trustProxy),
    frameworkErrors,
    clientErrorHandler: clientErrors,
    // Each route's response serializers are compiled when first used: src/http/serializers.ts.
    schemaController: { compilersFactory: { buildSerializer: serializers.buildSerializer } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('ctx', ctx);
  app.decorate('turns', turns);
  app.decorate('serializers', serializers);
  ctx.storage.setLogger(app.log);
  registerErrorHandling(app);
  // One onRequest and one onResponse hook for what every request goes through (request-hooks.ts),
  // before any route, so every route has them: security headers, request id, load shedding,
  // session; then metrics and the log line.
  registerRequestHooks(app, {
    headers: securityHeaders(),
    shed: await registerOverload(app, ctx.config),
    authenticate: registerAuth(app),
    metrics: registerRequestMetrics(app),
    log: requestLogger(ctx.config),
  });
  registerInputPolicy(app);

  await app.register(swagger, {
    openapi: {
      info: { title: 'Chinook music store API', version: '0.1.0', description: 'Catalog, search, similarity and store on SQLite.' },
      tags: [{ name: 'catalog' }, { name: 'reports' }, { name: 'system' }, { name: 'search' }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  auditAdminWrites(app);
  // Route modules join the root scope (fastify-plugin) and write their whole URL ('/api/tracks/:id'),
  // so a route is found by grepping its address. Why not one `register` with a prefix each:
  // Fastify 5 gives every encapsulated scope its own Request class once the root's is decorated
  // (ours is: `request.auth`), so a worker that has served a dozen scopes' routes reads request
  // fields through megamorphic property caches everywhere. After the full store mix a cached track
  // page took 1.33x the CPU of a fresh server's with a scope per module and 1.11x with one class;
  // this change took 6 % off it (bench:paired, docs/benchmarks-http.md "One Request class";
  // test/http/request-class.test.ts keeps it). fastify-plugin marks the module's function itself,
  // so a module registered elsewhere with a prefix would lose the prefix: write whole URLs.
  // /api/admin keeps its scope: its guard hook must reach its routes and only them, and nothing
  // on the hot path goes there.
  for (const routes of [
    healthRoutes,
    authRoutes,
    sessionRoutes,
    meRoutes,
    storeRoutes,
    trackRoutes,
    popularRoutes,
    similarRoutes,
    recommendationRoutes,
    playlistContinueRoutes,
    artistRoutes,
    taxonomyRoutes,
    reportRoutes,
    searchRoutes,
    metricsRoutes,
  ]) {
    await app.register(fastifyPlugin(routes));
  }
  await app.register(adminRoutes, { prefix: '/api/admin' });
  await app.register(fastifyPlugin(webRoutes));
  return app;
}
