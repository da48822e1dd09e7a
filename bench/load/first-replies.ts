// New visitors during a load run: `n` fresh connections opened together `delayMs` into the run,
// each asking for one track page, timed to its first reply. wrk cannot say this: its timeout
// counter counts late replies, not connections that get none (a server that never answered 90
// of 100 connections for 7 s showed 0 timeouts), and at 1,000 connections the cluster primary
// once held 613 connections no worker had taken after 11 s (src/http/request-turns.ts).
import http from 'node:http';

export interface FirstReplies {
  visitors: number;
  p50Ms: number;
  p90Ms: number;
  maxMs: number;
  /** Visitors with no reply within the cap. */
  unanswered: number;
}

export async function firstReplies(url: string, options: { visitors: number; delayMs: number; capMs: number }): Promise<FirstReplies> {
  await new Promise((r) => setTimeout(r, options.delayMs));
  const agent = new http.Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  const started = performance.now();
  const times = await Promise.all(
    Array.from(
      { length: options.visitors },
      (_, i) =>
        new Promise<number>((resolve) => {
          const req = http.get(`${url}/api/tracks/${1 + ((i * 53) % 3000)}`, { agent, timeout: options.capMs }, (res) => {
            res.resume();
            res.on('end', () => resolve(performance.now() - started));
          });
          req.on('timeout', () => {
            req.destroy();
            resolve(Number.POSITIVE_INFINITY);
          });
          req.on('error', () => resolve(Number.POSITIVE_INFINITY));
        }),
    ),
  );
  agent.destroy();
  const answered = times.filter(Number.isFinite).sort((a, b) => a - b);
  const at = (q: number) => answered[Math.min(answered.length - 1, Math.floor(q * answered.length))] ?? Number.NaN;
  return { visitors: options.visitors, p50Ms: at(0.5), p90Ms: at(0.9), maxMs: answered.at(-1) ?? Number.NaN, unanswered: times.length - answered.length };
}
