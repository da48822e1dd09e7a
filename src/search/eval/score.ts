// Scores search engines on generated queries: MRR@10, nDCG@10 (binary gains), success@1 and
// the zero-result rate, per kind and overall, plus each engine's call time per kind (in
// process, one call per query: p50/p95/p99).
import type { EvalQuery, QueryKind } from './generate.ts';

/** An engine answers a query with its first (up to) 10 track ids, best first. */
export interface Engine {
  name: string;
  search(q: string): number[];
}

export interface Scores {
  queries: number;
  mrr: number;
  ndcg: number;
  success1: number;
  zeroRate: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export interface EngineReport {
  engine: string;
  overall: Scores;
  byKind: Map<QueryKind, Scores>;
  /** Queries with no relevant track in the first 10 (for a look at what goes wrong). */
  misses: { kind: QueryKind; q: string; firstHit: number | null }[];
}

interface QueryScore {
  rr: number;
  ndcg: number;
  s1: number;
  zero: number;
  ms: number;
}

export function scoreHits(hits: readonly number[], relevant: ReadonlySet<number>): Omit<QueryScore, 'ms'> {
  const top = hits.slice(0, 10);
  const first = top.findIndex((id) => relevant.has(id));
  let dcg = 0;
  top.forEach((id, i) => {
    if (relevant.has(id)) dcg += 1 / Math.log2(i + 2);
  });
  let idcg = 0;
  for (let i = 0; i < Math.min(10, relevant.size); i++) idcg += 1 / Math.log2(i + 2);
  return { rr: first < 0 ? 0 : 1 / (first + 1), ndcg: idcg > 0 ? dcg / idcg : 0, s1: first === 0 ? 1 : 0, zero: top.length === 0 ? 1 : 0 };
}

/** The p-th percentile (nearest rank) of ascending values; 0 for none. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function summarize(scores: QueryScore[]): Scores {
  const n = scores.length || 1;
  const sum = (f: (s: QueryScore) => number) => scores.reduce((a, s) => a + f(s), 0) / n;
  const ms = scores.map((s) => s.ms).sort((a, b) => a - b);
  return {
    queries: scores.length,
    mrr: sum((s) => s.rr),
    ndcg: sum((s) => s.ndcg),
    success1: sum((s) => s.s1),
    zeroRate: sum((s) => s.zero),
    p50Ms: percentile(ms, 50),
    p95Ms: percentile(ms, 95),
    p99Ms: percentile(ms, 99),
  };
}

/** Runs every query through `engine` once (after `warmup` untimed calls) and scores it. */
export function evaluateEngine(engine: Engine, queries: readonly EvalQuery[], onProgress?: (done: number, total: number) => void, warmup = 50): EngineReport {
  for (const q of queries.slice(0, warmup)) engine.search(q.q);
  const byKind = new Map<QueryKind, QueryScore[]>();
  const all: QueryScore[] = [];
  const misses: EngineReport['misses'] = [];
  for (const q of queries) {
    const t0 = performance.now();
    const hits = engine.search(q.q);
    const ms = performance.now() - t0;
    const relevant = new Set(q.relevant);
    const s = { ...scoreHits(hits, relevant), ms };
    all.push(s);
    const list = byKind.get(q.kind) ?? [];
    list.push(s);
    byKind.set(q.kind, list);
    if (s.rr === 0) misses.push({ kind: q.kind, q: q.q, firstHit: hits[0] ?? null });
    if (onProgress && all.length % 250 === 0) onProgress(all.length, queries.length);
  }
  return { engine: engine.name, overall: summarize(all), byKind: new Map([...byKind].map(([k, v]) => [k, summarize(v)])), misses };
}

const f3 = (x: number) => x.toFixed(3);
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const ms = (x: number) => (x >= 1 ? `${x.toFixed(2)} ms` : `${(x * 1000).toFixed(0)} µs`);

/** One markdown table per metric: kinds down, engines across; the last row is overall. */
export function formatReports(reports: EngineReport[]): string {
  const kinds = [...(reports[0]?.byKind.keys() ?? [])];
  const metric = (title: string, get: (s: Scores) => string) => {
    const head = `| ${title} | ${reports.map((r) => r.engine).join(' | ')} |`;
    const rule = `|---|${reports.map(() => '---').join('|')}|`;
    const rows = kinds.map((k) => `| ${k} (${reports[0]?.byKind.get(k)?.queries ?? 0}) | ${reports.map((r) => get(r.byKind.get(k) as Scores)).join(' | ')} |`);
    rows.push(`| **overall** (${reports[0]?.overall.queries ?? 0}) | ${reports.map((r) => `**${get(r.overall)}**`).join(' | ')} |`);
    return [head, rule, ...rows].join('\n');
  };
  return [
    metric('MRR@10', (s) => f3(s.mrr)),
    metric('nDCG@10', (s) => f3(s.ndcg)),
    metric('success@1', (s) => f3(s.success1)),
    metric('zero results', (s) => pct(s.zeroRate)),
    metric('p50 / p95 / p99', (s) => `${ms(s.p50Ms)} / ${ms(s.p95Ms)} / ${ms(s.p99Ms)}`),
  ].join('\n\n');
}
