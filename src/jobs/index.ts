// The front door of jobs/: background maintenance run in a worker thread.
export { JobRunner } from './runner.ts';
export type { TaskName } from './tasks.ts';
