// Runs one maintenance task in a worker thread, on its own database connection, so the event
// loop that serves requests never blocks on it. Plain JS (like the checkpointer): under tsx
// it registers the TypeScript loader first, then imports the task module.
import { parentPort, workerData } from 'node:worker_threads';

if (workerData.module.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
const { runTask } = await import(workerData.module);
try {
  const result = await runTask(workerData.task, workerData.settings, (done, total, label) => parentPort.postMessage({ type: 'progress', done, total, label }));
  parentPort.postMessage({ type: 'done', result });
} catch (err) {
  parentPort.postMessage({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
}
