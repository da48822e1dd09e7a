// Sales charts and the activity log.
import { useState } from 'preact/hooks';
import { dateTime } from '../shared/format.ts';
import { ChartCanvas, PALETTE } from './charts.tsx';
import { usePoll } from './poll.ts';
import type { Activity } from './types.ts';
import { Panel } from './widgets.tsx';

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
