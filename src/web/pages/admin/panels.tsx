// The dashboard's panels, one per part of the server.
import { useState } from 'preact/hooks';
import { get, post } from '../shared/api.ts';
import { bytes, dateTime } from '../shared/format.ts';
import { ChartCanvas, PALETTE } from './charts.tsx';
import { usePoll } from './poll.ts';
import type { Activity, CacheStats, DatabaseStats, Job, MetricsSummary, SearchStats, VectorStats, WriteStats } from './types.ts';
import { Figures, Gauge, JobButton, ms, num, Panel, percent } from './widgets.tsx';

const clock = (iso: string) => new Date(iso).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const ago = (iso: string | null) => {
  if (!iso) return 'never';
  const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  return s < 90 ? `${s} s ago` : s < 5400 ? `${Math.round(s / 60)} min ago` : dateTime(iso);
};

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
                  pointRadius: 0,
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
                pointRadius: 0,
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

// SQLite reads some pragmas back as numbers; the names are what the docs and settings use.
const PRAGMA_NAMES: Record<string, string[]> = { synchronous: ['OFF', 'NORMAL', 'FULL', 'EXTRA'], temp_store: ['DEFAULT', 'FILE', 'MEMORY'] };
function pragmaText(name: string, value: unknown): string {
  const named = PRAGMA_NAMES[name]?.[Number(value)];
  if (named) return `${named} (${String(value)})`;
  if (name === 'mmap_size') return bytes(Number(value));
  if (name === 'cache_size' && Number(value) < 0) return `${bytes(-Number(value) * 1024)}`;
  if (name === 'busy_timeout') return `${String(value)} ms`;
  return String(value);
}

export function DatabasePanel() {
  const { data, error } = usePoll<DatabaseStats>('/api/admin/database/stats', 5_000);
  return (
    <Panel title="Primary database" id="database">
      {error && <p class="note note-error">{error}</p>}
      {data && (
        <>
          <Figures
            items={[
              ['File', bytes(data.fileBytes), 'file'],
              ['WAL', bytes(data.walBytes), 'wal'],
              ['Pages', `${num(data.pageCount)} × ${bytes(data.pageSize)}`],
              ['Last checkpoint', data.checkpoints ? ago(data.checkpoints.lastAt) : 'no checkpointer', 'checkpoint'],
            ]}
          />
          <p class="path" title="database file">
            <code>{data.path}</code>
          </p>
          <div class="two">
            <table class="plain compact" aria-label="Pragmas read back">
              <caption>Pragmas (read back)</caption>
              <tbody>
                {Object.entries(data.pragmas).map(([k, v]) => (
                  <tr key={k}>
                    <th scope="row">{k}</th>
                    <td class="right">{pragmaText(k, v)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <table class="plain compact" aria-label="Row counts">
              <caption>Rows</caption>
              <tbody>
                {Object.entries(data.rowCounts).map(([k, v]) => (
                  <tr key={k}>
                    <th scope="row">{k.replace(/^chinook_/, '')}</th>
                    <td class="right">{num(v)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
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

function useRunningJob(prefix: string): Job | undefined {
  const { data } = usePoll<{ items: Job[] }>('/api/admin/jobs', 10_000);
  return data?.items.find((j) => j.state === 'running' && j.task.startsWith(prefix));
}

export function SearchPanel() {
  const { data, error, refresh } = usePoll<SearchStats>('/api/admin/search/stats', 5_000);
  const running = useRunningJob('search');
  return (
    <Panel title="Search index" id="search">
      {error && <p class="note note-error">{error}</p>}
      {data && (
        <Figures
          items={[
            ['Indexed', `${num(data.indexedTracks)} / ${num(data.totalTracks)} (${data.coveragePercent}%)`, 'indexed'],
            ['Index size', bytes(data.indexBytes)],
            ['Suggestions', `${num(data.suggestEntries)} · ${bytes(data.suggestBytes)}`],
            ['Vocabulary', `${num(data.vocabularyTerms)} terms`],
            ['Triggers', `${data.triggers.present} / ${data.triggers.expected}`],
            ['Last rebuild', ago(data.lastRebuild), 'last-rebuild'],
            ['Last optimize', ago(data.lastOptimize)],
          ]}
        />
      )}
      <div class="jobs">
        <JobButton label="Rebuild index" url="/api/admin/search/rebuild" onDone={refresh} running={running?.task === 'search-rebuild' ? running : undefined} />
        <JobButton label="Optimize" url="/api/admin/search/optimize" onDone={refresh} running={running?.task === 'search-optimize' ? running : undefined} />
      </div>
    </Panel>
  );
}

export function VectorsPanel() {
  const { data, error, refresh } = usePoll<VectorStats>('/api/admin/vectors/stats', 5_000);
  const running = useRunningJob('vectors');
  return (
    <Panel title="Vectors" id="vectors">
      {error && <p class="note note-error">{error}</p>}
      {data && (
        <>
          <Figures
            items={[
              ['Coverage', `${num(data.vectorRows)} / ${num(data.totalTracks)} (${data.coveragePercent}%)`],
              ['Similarity cache', `${num(data.similarityCache.rows)} rows`],
              ['In memory', data.vectorMemory ? `${num(data.vectorMemory.tracks)} tracks · ${bytes(data.vectorMemory.bytes)}` : 'not loaded'],
            ]}
          />
          <table class="plain compact" aria-label="Vector spaces">
            <thead>
              <tr>
                <th>Space</th>
                <th>Learns from</th>
                <th class="right">Dims</th>
                <th class="right">Tracks</th>
                <th class="right">Built</th>
              </tr>
            </thead>
            <tbody>
              {data.spaces.map((s) => (
                <tr key={s.space}>
                  <th scope="row">{s.space}</th>
                  <td>{SPACE_MEANS[s.space] ?? s.provider}</td>
                  <td class="right">{s.dims}</td>
                  <td class="right">{num(s.trackCount)}</td>
                  <td class="right" data-built-at={s.builtAt}>
                    {ago(s.builtAt)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <div class="jobs">
        <JobButton label="Rebuild all spaces" url="/api/admin/vectors/rebuild" onDone={refresh} running={running} />
      </div>
    </Panel>
  );
}

const SPACE_MEANS: Record<string, string> = {
  audio: 'listens-alike: co-occurrence in playlists and purchases',
  lyric: 'text: words and letter patterns of names',
  metadata: 'genre, media type, length, price, composer, album',
};

export function SalesPanel() {
  const countries = usePoll<{ items: { country: string; revenue: number; invoices: number }[] }>('/api/reports/sales-by-country?limit=12', 10_000);
  const tracks = usePoll<{ items: { name: string; artist: string | null; unitsSold: number }[] }>('/api/reports/top-tracks?limit=10', 10_000);
  const c = countries.data?.items ?? [];
  const t = tracks.data?.items ?? [];
  return (
    <Panel title="Sales" id="sales" wide>
      <div class="charts-2">
        <div>
          <h3>Revenue by country (USD)</h3>
          <ChartCanvas
            label="Revenue by country"
            height={260}
            config={{
              type: 'bar',
              data: { labels: c.map((x) => x.country), datasets: [{ label: 'revenue', data: c.map((x) => x.revenue), backgroundColor: PALETTE[0] }] },
              options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } },
            }}
          />
        </div>
        <div>
          <h3>Top tracks (units sold)</h3>
          <ChartCanvas
            label="Top tracks by units sold"
            height={260}
            config={{
              type: 'bar',
              data: {
                labels: t.map((x) => (x.name.length > 28 ? `${x.name.slice(0, 27)}…` : x.name)),
                datasets: [{ label: 'units sold', data: t.map((x) => x.unitsSold), backgroundColor: PALETTE[1] }],
              },
              options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
            }}
          />
        </div>
      </div>
    </Panel>
  );
}

// What the log records as subjects: accounts (user), orders (invoice), plays (track), and admin
// writes by the URL segment after /api/admin/.
const SUBJECT_TYPES = ['user', 'invoice', 'track', 'tracks', 'albums', 'artists', 'cache', 'search', 'vectors'];

export function ActivityPanel() {
  const [filters, setFilters] = useState({ subjectType: '', causerId: '', since: '' });
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const params = new URLSearchParams({ limit: '15' });
  if (filters.subjectType) params.set('subjectType', filters.subjectType);
  if (/^\d+$/.test(filters.causerId)) params.set('causerId', filters.causerId);
  if (filters.since) params.set('since', filters.since);
  if (cursor) params.set('cursor', cursor);
  const { data, error } = usePoll<{ items: Activity[]; nextCursor: string | null }>(`/api/admin/activity?${params}`, 5_000);
  const set = (k: keyof typeof filters) => (e: Event) => {
    setCursors([]);
    setFilters({ ...filters, [k]: (e.target as HTMLInputElement).value });
  };
  return (
    <Panel title="Activity log" id="activity" wide>
      <form class="filters-row" onSubmit={(e) => e.preventDefault()}>
        <label>
          <span>Subject</span>
          <select value={filters.subjectType} onChange={set('subjectType')}>
            <option value="">any</option>
            {SUBJECT_TYPES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>Causer (user id)</span>
          <input inputMode="numeric" value={filters.causerId} onChange={set('causerId')} placeholder="any" />
        </label>
        <label>
          <span>Since</span>
          <input type="date" value={filters.since} onChange={set('since')} />
        </label>
      </form>
      {error && <p class="note note-error">{error}</p>}
      <table class="plain compact activity" aria-label="Activity">
        <thead>
          <tr>
            <th>When</th>
            <th>Log</th>
            <th>What</th>
            <th>Subject</th>
            <th>By</th>
          </tr>
        </thead>
        <tbody>
          {data?.items.map((a) => (
            <tr key={a.id}>
              <td>{dateTime(a.createdAt)}</td>
              <td>{a.logName}</td>
              <td>{a.description}</td>
              <td>{a.subjectType ? `${a.subjectType}${a.subjectId !== null ? ` #${a.subjectId}` : ''}` : '—'}</td>
              <td>{a.causerType ? `${a.causerType}${a.causerId !== null ? ` #${a.causerId}` : ''}` : '—'}</td>
            </tr>
          ))}
          {data && data.items.length === 0 && (
            <tr>
              <td colSpan={5} class="muted">
                Nothing matches these filters.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <nav class="pager" aria-label="Activity pages">
        <button type="button" class="btn btn-sm" disabled={!cursors.length} onClick={() => setCursors(cursors.slice(0, -1))}>
          ← Newer
        </button>
        <button type="button" class="btn btn-sm" disabled={!data?.nextCursor} onClick={() => data?.nextCursor && setCursors([...cursors, data.nextCursor])}>
          Older →
        </button>
      </nav>
    </Panel>
  );
}

/** Who is looking, for the header. */
export async function whoAmI(): Promise<string> {
  const s = await get<{ user: { displayName: string } | null; csrfToken: string | null }>('/api/auth/session');
  return s.user?.displayName ?? '';
}
