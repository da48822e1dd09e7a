// The fast-moving panels: requests, cache, write queue.
import { useState } from 'preact/hooks';
import { post } from '../shared/api.ts';
import { bytes } from '../shared/format.ts';
import { ChartCanvas, isolatedPointRadius, PALETTE } from './charts.tsx';
import { usePoll } from './poll.ts';
import { clock } from './time.ts';
import type { CacheStats, MetricsSummary, WriteStats } from './types.ts';
import { Figures, Gauge, ms, num, Panel, percent } from './widgets.tsx';

export function RequestsPanel() {
  const { data, error } = usePoll<MetricsSummary>('/api/admin/metrics/summary?minutes=5');
  const series = data?.series ?? [];
  const labels = series.map((p) => clock(p.at));
  return (
    <Panel title="Requests (last 5 minutes, this worker)" id="requests" wide>
      {error && <p class="note note-error">{error}</p>}
      <Figures
        items={[
          ['Requests/s now', data ? (series.at(-1)?.ratePerSecond ?? 0).toFixed(1) : '…', 'rate'],
          ['p50', ms(data?.window.p50Ms ?? null), 'p50'],
          ['p95', ms(data?.window.p95Ms ?? null), 'p95'],
          ['p99', ms(data?.window.p99Ms ?? null), 'p99'],
          ['Requests in window', data ? num(data.window.requests) : '…', 'requests'],
          ['5xx/s', data ? data.window.errorRatePerSecond.toFixed(2) : '…'],
        ]}
      />
      <div class="charts-2">
        <ChartCanvas
          label="Requests per second"
          config={{
            type: 'line',
            data: {
              labels,
              datasets: [
                {
                  label: 'requests/s',
                  data: series.map((p) => p.ratePerSecond),
                  borderColor: PALETTE[0],
                  backgroundColor: 'rgb(91 61 245 / 12%)',
                  fill: true,
                  pointRadius: isolatedPointRadius,
                  cubicInterpolationMode: 'monotone',
                },
              ],
            },
            options: {
              scales: { y: { beginAtZero: true, title: { display: true, text: 'req/s' } }, x: { ticks: { maxTicksLimit: 6 } } },
              plugins: { legend: { display: false } },
            },
          }}
        />
        <ChartCanvas
          label="Latency percentiles"
          config={{
            type: 'line',
            data: {
              labels,
              datasets: (['p50Ms', 'p95Ms', 'p99Ms'] as const).map((k, i) => ({
                label: k.replace('Ms', ''),
                data: series.map((p) => p[k]),
                borderColor: PALETTE[i],
                pointRadius: isolatedPointRadius,
                spanGaps: true,
                cubicInterpolationMode: 'monotone',
              })),
            },
            options: { scales: { y: { beginAtZero: true, title: { display: true, text: 'ms' } }, x: { ticks: { maxTicksLimit: 6 } } } },
          }}
        />
      </div>
      <details>
        <summary>Busiest routes</summary>
        <table class="plain compact">
          <thead>
            <tr>
              <th>Route</th>
              <th class="right">Requests</th>
              <th class="right">req/s</th>
              <th class="right">p50</th>
              <th class="right">p99</th>
            </tr>
          </thead>
          <tbody>
            {data?.routes.slice(0, 12).map((r) => (
              <tr key={r.route}>
                <td>
                  <code>{r.route}</code>
                </td>
                <td class="right">{num(r.requests)}</td>
                <td class="right">{r.ratePerSecond.toFixed(2)}</td>
                <td class="right">{ms(r.p50Ms)}</td>
                <td class="right">{ms(r.p99Ms)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </Panel>
  );
}

export function CachePanel() {
  const { data, error, refresh } = usePoll<CacheStats>('/api/admin/cache/stats');
  const [flushed, setFlushed] = useState<string | null>(null);
  const flush = async () => {
    const r = await post<{ removed: number; workers: number }>('/api/admin/cache/flush', {});
    setFlushed(`Flushed ${num(r.removed)} entries in ${r.workers} worker(s).`);
    refresh();
  };
  return (
    <Panel
      title="Cache database"
      id="cache"
      actions={
        <button type="button" class="btn btn-sm" onClick={flush}>
          Flush
        </button>
      }
    >
      {error && <p class="note note-error">{error}</p>}
      {flushed && (
        <p class="note note-ok" role="status">
          {flushed}
        </p>
      )}
      {data && (
        <>
          <Figures
            items={[
              ['Hit rate', percent(data.total.hitRate), 'hit-rate'],
              ['Entries', num(data.total.entries)],
              ['Hits / misses', `${num(data.total.hits)} / ${num(data.total.misses)}`, 'hits'],
              ['Evictions', num(data.total.evictions)],
            ]}
          />
          <p class="gauge-label">
            {bytes(data.total.bytes)} of {bytes(data.maxBytes)} budget
          </p>
          <Gauge value={data.total.bytes} max={data.maxBytes} label="Cache bytes against the budget" />
          <table class="plain compact" aria-label="Cache tables">
            <thead>
              <tr>
                <th>Table</th>
                <th class="right">Entries</th>
                <th class="right">Bytes</th>
                <th class="right">Hit rate</th>
                <th class="right">Evictions</th>
                <th class="right">Expired</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(data.tables).map(([name, t]) => (
                <tr key={name}>
                  <th scope="row">{name}</th>
                  <td class="right">{num(t.entries)}</td>
                  <td class="right">{bytes(t.bytes)}</td>
                  <td class="right">{percent(t.hitRate)}</td>
                  <td class="right">{num(t.evictions)}</td>
                  <td class="right">{num(t.expirations)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Panel>
  );
}

export function WritesPanel() {
  const { data, error, history } = usePoll<WriteStats>('/api/admin/writes/stats');
  // Batches and operations per poll interval, from successive counters.
  const deltas = history.slice(1).map((h, i) => {
    const prev = history[i] as WriteStats;
    const batches = h.queue.batches - prev.queue.batches;
    return { ops: h.queue.operations - prev.queue.operations, batch: batches > 0 ? (h.queue.operations - prev.queue.operations) / batches : 0 };
  });
  return (
    <Panel title="Write queue" id="writes">
      {error && <p class="note note-error">{error}</p>}
      {data && (
        <>
          <Figures
            items={[
              ['Mean batch', data.queue.meanBatchSize.toFixed(1), 'batch'],
              ['Largest batch', num(data.queue.maxBatchSeen)],
              ['Mean commit', ms(data.queue.meanCommitMs), 'commit'],
              ['Mean queue wait', ms(data.queue.meanQueueWaitMs)],
              ['Operations', num(data.queue.operations), 'operations'],
              ['Pending', num(data.queue.pending)],
              ['Failed', num(data.queue.failedOperations)],
              ['Busy retries', num(data.queue.busyRetries)],
            ]}
          />
          <ChartCanvas
            label="Writes per poll interval"
            height={140}
            config={{
              type: 'bar',
              data: {
                labels: deltas.map(() => ''),
                datasets: [{ label: 'writes per 2 s', data: deltas.map((d) => d.ops), backgroundColor: PALETTE[2] }],
              },
              options: { scales: { y: { beginAtZero: true } }, plugins: { legend: { display: true } } },
            }}
          />
          <table class="plain compact" aria-label="Deferred index lag">
            <caption>Deferred indexes (rows not yet folded)</caption>
            <tbody>
              {data.deferredIndexes.lag.map((l) => (
                <tr key={l.name}>
                  <th scope="row">{l.name}</th>
                  <td class="right">{num(l.behind)} behind</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Panel>
  );
}
