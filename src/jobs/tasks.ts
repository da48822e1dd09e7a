// The maintenance tasks a job can run (in a worker thread; see worker.mjs), each on a fresh
// connection to the primary file with the server's pragmas.
import { openPrimary, type PrimarySettings } from '../db/index.ts';
import { optimizeSearchIndex, rebuildSearchIndex } from '../search/index.ts';
import { buildVectors } from '../vectors/index.ts';

export const TASKS = ['search-rebuild', 'search-optimize', 'vectors-rebuild'] as const;
export type TaskName = (typeof TASKS)[number];
export type Progress = (done: number, total: number, label: string) => void;

export async function runTask(task: TaskName, settings: PrimarySettings, progress: Progress): Promise<Record<string, unknown>> {
  const db = openPrimary(settings, { skipMigrations: true });
  try {
    switch (task) {
      case 'search-rebuild': {
        const r = rebuildSearchIndex(db, progress);
        return { tracks: r.tracks, ms: Math.round(r.ms) };
      }
      case 'search-optimize': {
        progress(0, 1, 'merging segments');
        const r = optimizeSearchIndex(db);
        progress(1, 1, 'done');
        return { ms: Math.round(r.ms) };
      }
      case 'vectors-rebuild': {
        const r = buildVectors(db, { onProgress: progress });
        return { tracks: r.trackCount, spaces: r.spaces, ms: Math.round(r.ms) };
      }
    }
  } finally {
    db.close();
  }
}
