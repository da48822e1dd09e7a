// Reply schemas of the dashboard's admin endpoints. Only TypeBox and the shared schemas here,
// so the dashboard's code can take its types from them (type-only imports, nothing bundled).
import { Type } from 'typebox';
import { Nullable } from '../../../schemas.ts';

const Latency = {
  requests: Type.Integer(),
  ratePerSecond: Type.Number(),
  errorRatePerSecond: Type.Number({ description: '5xx replies per second' }),
  p50Ms: Nullable(Type.Number()),
  p95Ms: Nullable(Type.Number()),
  p99Ms: Nullable(Type.Number()),
  meanMs: Nullable(Type.Number()),
};

export const LatencySchema = Type.Object(Latency);

export const MetricsSummarySchema = Type.Object({
  pid: Type.Integer(),
  intervalSeconds: Type.Number(),
  windowSeconds: Type.Number(),
  series: Type.Array(Type.Object({ at: Type.String(), ...Latency })),
  window: LatencySchema,
  routes: Type.Array(Type.Object({ route: Type.String(), ...Latency })),
});

export const JobSchema = Type.Object({
  id: Type.String(),
  task: Type.Union([Type.Literal('search-rebuild'), Type.Literal('search-optimize'), Type.Literal('vectors-rebuild')]),
  state: Type.Union([Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]),
  progress: Type.Object({ done: Type.Number(), total: Type.Number(), label: Type.String() }),
  startedAt: Type.String(),
  finishedAt: Nullable(Type.String()),
  result: Nullable(Type.Record(Type.String(), Type.Unknown())),
  error: Nullable(Type.String()),
  pid: Type.Integer({ description: 'the worker process running it: poll the same one' }),
});

export const DatabaseStatsSchema = Type.Object({
  path: Type.String(),
  fileBytes: Type.Integer(),
  walBytes: Type.Integer(),
  pageSize: Type.Integer(),
  pageCount: Type.Integer(),
  freelistCount: Type.Integer(),
  pragmas: Type.Record(Type.String(), Type.Unknown()),
  rowCounts: Type.Record(Type.String(), Type.Integer()),
  countedAt: Type.String(),
  checkpoints: Nullable(
    Type.Object({
      runs: Type.Integer(),
      pages: Type.Integer(),
      busy: Type.Integer(),
      lastAt: Nullable(Type.String({ description: 'the last checkpoint that copied pages' })),
      lastLog: Type.Integer({ description: 'WAL pages at that checkpoint' }),
    }),
  ),
});
