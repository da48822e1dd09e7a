// The front door of http/: what other folders may import.
import type { buildApp as build } from './app.ts';

export type { App, BuildAppOptions } from './app.ts';
export { serveClusterMetrics } from './cluster-metrics.ts';

/**
 * The Fastify app over a context (app.ts). Its module graph (Fastify, every route, and through
 * them every capability) loads at the first call, not with this front door: a cluster primary
 * imports it for the workers' metrics and never builds an app, and the graph was 20 MiB of its
 * RSS (84 → 65 MiB with two workers on Chinook).
 */
export async function buildApp(...args: Parameters<typeof build>): ReturnType<typeof build> {
  const { buildApp: buildNow } = await import('./app.ts');
  return buildNow(...args);
}
