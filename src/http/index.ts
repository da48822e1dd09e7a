// The front door of http/: what other folders may import.
export { buildApp } from './app.ts';
export { serveClusterMetrics } from './cluster-metrics.ts';
