// One progress reporter for long CLI work: a bar on a terminal, a line per phase elsewhere
// (CI logs, pipes), nothing when quiet. cli-progress is loaded only for a bar, so a server
// started in the background does not carry it.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface Progress {
  update(done: number, total: number, label: string): void;
  stop(): void;
}

export function createProgress(title: string, options: { quiet?: boolean } = {}): Progress {
  if (options.quiet) return { update() {}, stop() {} };
  if (!process.stderr.isTTY) {
    let lastLabel = '';
    return {
      update(done, total, label) {
        if (label !== lastLabel) {
          lastLabel = label;
          process.stderr.write(`${title}: ${label} (${done}/${total})\n`);
        }
      },
      stop() {},
    };
  }
  const cliProgress = require('cli-progress') as typeof import('cli-progress');
  const bar = new cliProgress.SingleBar(
    { format: `${title} [{bar}] {percentage}% | {value}/{total} | {label} | {duration_formatted}`, stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, label) {
      if (!started) {
        bar.start(total, done, { label });
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(done, { label });
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
