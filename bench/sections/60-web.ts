// The storefront's performance budget in a real Chromium (the same measurements as the e2e
// run, test/e2e/budget.ts), beside the API round trip of the same searches from Node in the
// same run: the gap is debounce + fetch in the browser + render + paint.
import os from 'node:os';
import { buildVectors } from '../../src/vectors/build.ts';
import { ensureWebBuild } from '../../src/web/build.ts';
import { DEBOUNCE_MS } from '../../src/web/pages/storefront/timing.ts';
import { launch } from '../../test/e2e/browser.ts';
import { BUDGET, homeReady, keystrokeToResults, shellReady } from '../../test/e2e/budget.ts';
import { startServer } from '../../test/helpers.ts';
import { type BenchEnv, fmtMs, measure, table } from '../lib.ts';

export const title = 'Storefront budget (Chromium, through HTTP)';

const WORDS = ['metal', 'blues', 'queen', 'jazz', 'love', 'night', 'rock', 'dance', 'fire', 'heart', 'rain', 'sun'];

export async function run(env: BenchEnv): Promise<string> {
  const load = os.loadavg()[0] ?? 0;
  const token = 'bench-web-token-0123456789';
  const server = await startServer({ adminToken: token });
  buildVectors(server.ctx.db);
  const e2e = await launch();
  try {
    const manifest = await ensureWebBuild();
    const flush = async () => {
      await fetch(`${server.url}/api/admin/cache/flush`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{}',
      });
    };
    env.log('home page on a cold cache');
    const runs = env.quick ? 3 : 7;
    const home = await homeReady(await e2e.newContext(), server.url, flush, runs);
    const shell = await shellReady(await e2e.newContext(), server.url, flush, runs);
    env.log('keystroke to results');
    const page = await (await e2e.newContext()).newPage();
    const keys = await keystrokeToResults(page, server.url, WORDS);
    // Baseline: the same searches' API round trips from Node (cached, as after typing).
    let i = 0;
    const api = await measure(() => fetch(`${server.url}/api/search?q=${WORDS[i++ % WORDS.length]}&limit=20`).then((r) => r.arrayBuffer()), {
      iterations: 200,
      warmup: 24,
    });
    const sf = manifest.bundles.storefront;
    const ok = (v: number, budget: number) => (v < budget ? 'within' : 'over');
    return [
      `Chromium ${(await e2e.browser.version()).split('.')[0]} headless (Debian's), one server in the bench process on the official Chinook catalog. Home: navigation start → the shelves filled (\`data-ready\`), beside the store's 404 page measured the same way (the shell, the bundle and one session request: the floor on this machine), server cache flushed and browser cache disabled before each of ${home.samples.length} loads. Search: last keydown → first animation frame after that word's results are in the DOM, ${keys.samples.length} words typed 30 ms apart on the search page; the debounce (${DEBOUNCE_MS} ms) is included. The API row is the same searches fetched from Node (cache warm), the floor under the browser figure. Load average at the start: ${load.toFixed(1)} on ${os.cpus().length} cores (browser, server and other work share them).`,
      '',
      table(
        ['measure', 'budget', 'median', 'max', 'samples', 'verdict'],
        [
          [
            'first results after the last keystroke',
            `${BUDGET.keystrokeToResultsMs} ms`,
            fmtMs(keys.median),
            fmtMs(keys.max),
            keys.samples.length,
            ok(keys.median, BUDGET.keystrokeToResultsMs),
          ],
          ['  of which debounce', '', fmtMs(DEBOUNCE_MS), '', '', ''],
          ['  API round trip of the same searches (Node, baseline)', '', fmtMs(api.medianMs), fmtMs(api.p99Ms) + ' (p99)', api.iterations, ''],
          [
            'home ready, cold cache',
            `${BUDGET.homeReadyMs} ms`,
            fmtMs(home.median),
            fmtMs(Math.max(...home.samples)),
            home.samples.length,
            ok(home.median, BUDGET.homeReadyMs),
          ],
          ['  empty page (404 shell, no data; baseline)', '', fmtMs(shell.median), fmtMs(Math.max(...shell.samples)), shell.samples.length, ''],
          [
            'storefront JavaScript, gzipped',
            `${BUDGET.storefrontJsGzipBytes / 1024} KB`,
            `${(sf.jsGzipBytes / 1024).toFixed(1)} KB`,
            '',
            '',
            ok(sf.jsGzipBytes, BUDGET.storefrontJsGzipBytes),
          ],
          ['admin dashboard JavaScript, gzipped (Chart.js; not budgeted)', '', `${(manifest.bundles.admin.jsGzipBytes / 1024).toFixed(1)} KB`, '', '', ''],
        ],
      ),
    ].join('\n');
  } finally {
    await e2e.close();
    await server.close();
  }
}
