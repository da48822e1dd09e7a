// GET /metrics for the whole cluster: a request lands on one worker, which asks the primary;
// the primary gathers every worker's registry with prom-client's AggregatorRegistry (counters
// and histograms summed, gauges by their `aggregator`) and answers. A single process answers
// with its own registry. If the primary does not answer in time the worker answers with its
// own numbers and says so (x-metrics-scope: worker).

import type { Worker } from 'node:cluster';
import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

interface MetricsRequest {
  chinook: 'metrics';
  id: string;
}
interface MetricsReply {
  chinook: 'metrics-reply';
  id: string;
  text?: string;
  contentType?: string;
  error?: string;
}

const isReply = (m: unknown): m is MetricsReply => typeof m === 'object' && m !== null && (m as { chinook?: unknown }).chinook === 'metrics-reply';
const TIMEOUT_MS = 6_000; // prom-client gives up on a silent worker after 5 s

let seq = 0;

/** In a worker: the registry this process reports when the primary gathers (call once per process). */
export function reportToCluster(registry: Registry): void {
  if (!cluster.isWorker) return;
  new AggregatorRegistry(); // installs prom-client's worker-side listener
  AggregatorRegistry.setRegistries([registry]);
}

/** In the cluster primary: answers workers' requests for the aggregated metrics. */
export function serveClusterMetrics(c: typeof cluster): void {
  const aggregator = new AggregatorRegistry();
  c.on('message', (worker: Worker, m: unknown) => {
    if (typeof m !== 'object' || m === null || (m as { chinook?: unknown }).chinook !== 'metrics') return;
    const { id } = m as MetricsRequest;
    aggregator.clusterMetrics().then(
      (text) => worker.isConnected() && worker.send({ chinook: 'metrics-reply', id, text, contentType: aggregator.contentType } satisfies MetricsReply),
      (err: Error) => worker.isConnected() && worker.send({ chinook: 'metrics-reply', id, error: err.message } satisfies MetricsReply),
    );
  });
}

/** The metrics text to serve: the cluster's when this is a worker, else this process's. */
export async function metricsText(registry: Registry): Promise<{ text: string; contentType: string; scope: 'cluster' | 'process' | 'worker' }> {
  const own = async (scope: 'process' | 'worker') => ({ text: await registry.metrics(), contentType: registry.contentType, scope });
  const send = process.send?.bind(process);
  if (!cluster.isWorker || !send) return own('process');
  const id = `${process.pid}-${++seq}`;
  const reply = await new Promise<MetricsReply | null>((resolve) => {
    const timer = setTimeout(() => finish(null), TIMEOUT_MS);
    const onMessage = (m: unknown) => {
      if (isReply(m) && m.id === id) finish(m);
    };
    function finish(r: MetricsReply | null) {
      clearTimeout(timer);
      process.off('message', onMessage);
      resolve(r);
    }
    process.on('message', onMessage);
    send({ chinook: 'metrics', id } satisfies MetricsRequest);
  });
  if (!reply || reply.error || reply.text === undefined) return own('worker');
  return { text: reply.text, contentType: reply.contentType ?? registry.contentType, scope: 'cluster' };
}
