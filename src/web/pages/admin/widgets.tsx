// Small pieces of the dashboard: panels, figures, bars, job buttons with progress.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { get, post } from '../shared/api.ts';
import type { Job } from './types.ts';

export function Panel({
  title,
  id,
  children,
  wide = false,
  actions,
}: {
  title: string;
  id: string;
  children: ComponentChildren;
  wide?: boolean;
  actions?: ComponentChildren;
}) {
  return (
    <section class={`panel ${wide ? 'panel-wide' : ''}`} aria-labelledby={`${id}-title`} id={id}>
      <header class="panel-head">
        <h2 id={`${id}-title`}>{title}</h2>
        {actions && <div class="panel-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

export function Figures({ items }: { items: [string, ComponentChildren, string?][] }) {
  return (
    <dl class="figures">
      {items.map(([label, value, testId]) => (
        <div key={label} class="figure" data-figure={testId}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A horizontal bar for "x of y" (bytes against a budget, coverage). */
export function Gauge({ value, max, label }: { value: number; max: number; label: string }) {
  const pct = max > 0 ? Math.min(100, (100 * value) / max) : 0;
  return (
    <div class="gauge">
      <progress max={100} value={pct} aria-label={label} />
      <span>{pct.toFixed(pct < 10 ? 1 : 0)}%</span>
    </div>
  );
}

export const percent = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);
export const ms = (n: number | null) => (n === null ? '—' : n < 10 ? `${n.toFixed(2)} ms` : `${n.toFixed(0)} ms`);
export const num = (n: number) => n.toLocaleString('en-US');

/**
 * Starts a background job (POST) and polls it every 500 ms until it ends, showing its
 * progress; `onDone` refreshes the panel's numbers.
 */
export function JobButton({ label, url, onDone, running }: { label: string; url: string; onDone: () => void; running?: Job | undefined }) {
  const [job, setJob] = useState<Job | null>(running ?? null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (running && !job) setJob(running);
  }, [running, job]);
  useEffect(() => {
    if (job?.state !== 'running') return;
    const timer = window.setInterval(async () => {
      try {
        const next = await get<Job>(`/api/admin/jobs/${job.id}`);
        setJob(next);
        if (next.state !== 'running') onDone();
      } catch (e) {
        setError((e as Error).message);
      }
    }, 500);
    return () => window.clearInterval(timer);
  }, [job, onDone]);
  const start = async () => {
    setError(null);
    try {
      setJob(await post<Job>(url));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const runningNow = job?.state === 'running';
  const p = job?.progress;
  return (
    <div class="job" data-job-state={job?.state}>
      <button type="button" class="btn" disabled={runningNow} onClick={start}>
        {runningNow ? `${label}…` : label}
      </button>
      {job && (
        <div class="job-status" role="status" aria-live="polite">
          {runningNow ? (
            <>
              <progress max={p && p.total > 0 ? p.total : undefined} value={p && p.total > 0 ? p.done : undefined} aria-label={`${label} progress`} />
              <span>
                {p?.label} {p && p.total > 0 ? `${Math.round((100 * p.done) / p.total)}%` : ''}
              </span>
            </>
          ) : job.state === 'done' ? (
            <span class="ok">
              Done in {String(job.result?.ms ?? '?')} ms{job.result?.tracks !== undefined ? ` (${num(Number(job.result.tracks))} tracks)` : ''}
            </span>
          ) : (
            <span class="bad">Failed: {job.error}</span>
          )}
        </div>
      )}
      {error && (
        <p class="note note-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
