// Integrity checks of the primary file: SQLite's own (every b-tree page, every index entry
// against its row) for `chinook doctor --integrity`, and a cheap one at start.
//
// Measured on this 2-core host (docs/operations.md): quick_check costs ~22–27 ms per MiB
// (Chinook, 5.8 MiB: 158 ms; a 1M-track synthetic catalog, 794 MiB: 17.4 s) and
// integrity_check ~3× that (51.2 s at 1M). So start-up runs quick_check only on files up to
// START_CHECK_AUTO_MAX_MIB (about 1.5 s at most) unless told otherwise (CHINOOK_START_CHECK).

import { Worker } from 'node:worker_threads';
import { fileBytes } from './connection.ts';

export type StartCheck = 'auto' | 'quick' | 'full' | 'off';
export const START_CHECK_AUTO_MAX_MIB = 64;

export interface IntegrityResult {
  ok: boolean;
  mode: 'quick' | 'full';
  problems: string[];
  ms: number;
  bytes: number;
}

export class IntegrityError extends Error {
  constructor(
    readonly dbPath: string,
    readonly result: IntegrityResult,
  ) {
    super(
      `The database ${dbPath} failed ${result.mode === 'quick' ? 'quick_check' : 'integrity_check'}: ${result.problems.slice(0, 5).join('; ')}` +
        `${result.problems.length > 5 ? ` (and ${result.problems.length - 5} more)` : ''}. ` +
        'Run `chinook doctor --integrity` for the full report, restore a backup with `chinook restore FILE`, ' +
        'or start anyway with CHINOOK_START_CHECK=off.',
    );
    this.name = 'IntegrityError';
  }
}

/** The database and its WAL: what a check reads. */
const checkedBytes = (dbPath: string) => fileBytes(dbPath) + fileBytes(`${dbPath}-wal`);

/**
 * Runs the check on its own read-only connection in a worker thread (integrity-worker.mjs).
 * A full check reports `onProgress(done, total, table)` in pages before each table.
 */
export async function checkIntegrity(
  dbPath: string,
  options: { mode?: 'quick' | 'full'; maxProblems?: number; busyTimeoutMs?: number; onProgress?: (done: number, total: number, label: string) => void } = {},
): Promise<IntegrityResult> {
  const mode = options.mode ?? 'full';
  const started = performance.now();
  const worker = new Worker(new URL('./integrity-worker.mjs', import.meta.url), {
    workerData: { dbPath, mode, maxProblems: options.maxProblems ?? 100, busyTimeoutMs: options.busyTimeoutMs ?? 10_000 },
  });
  try {
    const problems = await new Promise<string[]>((resolve, reject) => {
      worker.on('message', (m: { progress?: { done: number; total: number; label: string }; problems?: string[] }) => {
        if (m.progress) options.onProgress?.(m.progress.done, m.progress.total, m.progress.label);
        if (m.problems) resolve(m.problems);
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the integrity check stopped (exit ${code})`)));
    });
    return { ok: problems.length === 0, mode, problems, ms: performance.now() - started, bytes: checkedBytes(dbPath) };
  } finally {
    await worker.terminate();
  }
}

/** What start-up checks: `auto` is quick_check on files up to START_CHECK_AUTO_MAX_MIB, nothing above. */
export function startCheckMode(setting: StartCheck, dbPath: string): 'quick' | 'full' | null {
  if (setting === 'off') return null;
  if (setting === 'quick' || setting === 'full') return setting;
  return checkedBytes(dbPath) <= START_CHECK_AUTO_MAX_MIB * 1024 * 1024 ? 'quick' : null;
}
