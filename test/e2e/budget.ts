// The storefront's performance budget, measured in a real Chromium against a real server:
// first results painted after the last keystroke (debounce included), home ready on a cold
// cache, and the JavaScript the storefront ships (gzipped). Used by the e2e run (which
// writes dist/e2e/budget.json) and by `npm run bench -- web` (which writes the table).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';

export const BUDGET = { keystrokeToResultsMs: 150, homeReadyMs: 500, storefrontJsGzipBytes: 100 * 1024 };

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.floor((s.length - 1) / 2)] ?? 0) : Number.NaN;
};

/**
 * Types `word` into the search box on the search page and measures, in the page's own clock,
 * from the last keydown to the first animation frame after the results for that word are in
 * the DOM. One sample per word; the box is cleared in between.
 */
export async function keystrokeToResults(page: Page, origin: string, words: string[]): Promise<{ samples: number[]; median: number; max: number }> {
  await page.goto(`${origin}/search?q=a`);
  await page.locator('.results[data-query="a"]').waitFor();
  const samples: number[] = [];
  for (const word of words) {
    await page.locator('#q').fill('');
    await page.evaluate((w) => {
      const state = { last: 0, painted: 0 };
      (window as unknown as { __budget: typeof state }).__budget = state;
      document.getElementById('q')?.addEventListener('keydown', (e) => {
        state.last = e.timeStamp;
      });
      // The whole page is watched: a re-rendered results section is a new element.
      const observer = new MutationObserver(() => {
        if (document.querySelector(`.results[data-query="${CSS.escape(w)}"]`) && !state.painted) {
          requestAnimationFrame(() => {
            state.painted = performance.now();
          });
          observer.disconnect();
        }
      });
      observer.observe(document.body, { attributes: true, childList: true, subtree: true });
    }, word);
    await page.locator('#q').pressSequentially(word, { delay: 30 });
    try {
      await page.waitForFunction(() => (window as unknown as { __budget: { painted: number } }).__budget.painted > 0, null, { timeout: 20_000 });
    } catch (err) {
      const state = await page.evaluate(() => ({
        url: location.href,
        box: (document.getElementById('q') as HTMLInputElement | null)?.value,
        shown: document.querySelector('.results')?.getAttribute('data-query'),
      }));
      throw new Error(`no results painted for "${word}": ${JSON.stringify(state)} (${(err as Error).message})`);
    }
    const b = await page.evaluate(() => (window as unknown as { __budget: { last: number; painted: number } }).__budget);
    samples.push(b.painted - b.last);
  }
  return { samples, median: median(samples), max: Math.max(...samples) };
}

/** Navigation start → the home page marked data-ready (its shelves filled), in a context with an empty HTTP cache. */
export function homeReady(
  context: BrowserContext,
  origin: string,
  flushServerCache: () => Promise<void>,
  runs = 3,
): Promise<{ samples: number[]; median: number }> {
  return pageReady(context, `${origin}/`, '.home[data-ready="true"]', flushServerCache, runs);
}

/**
 * The same clock on the store's 404 page: the shell, bundle and first render with no API data
 * (one session request). The floor under the home figure on this machine, in the same run.
 */
export function shellReady(
  context: BrowserContext,
  origin: string,
  flushServerCache: () => Promise<void>,
  runs = 3,
): Promise<{ samples: number[]; median: number }> {
  return pageReady(context, `${origin}/no-such-page`, '[data-not-found="true"]', flushServerCache, runs);
}

async function pageReady(
  context: BrowserContext,
  url: string,
  selector: string,
  flushServerCache: () => Promise<void>,
  runs: number,
): Promise<{ samples: number[]; median: number }> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    await flushServerCache();
    const page = await context.newPage();
    // Timestamped in the page (not when the test notices), from navigation start.
    await page.addInitScript((sel) => {
      const w = window as unknown as { __ready?: number };
      new MutationObserver((_, observer) => {
        if (document.querySelector(sel)) {
          w.__ready = performance.now();
          observer.disconnect();
        }
      }).observe(document, { subtree: true, childList: true, attributes: true });
    }, selector);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.clearBrowserCache');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await page.goto(url);
    await page.locator(selector).waitFor();
    samples.push(await page.evaluate(() => (window as unknown as { __ready: number }).__ready));
    await cdp.detach();
    await page.close();
  }
  return { samples, median: median(samples) };
}

export function writeBudget(result: object): string {
  const file = path.resolve(import.meta.dirname, '../../dist/e2e/budget.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(
    file,
    JSON.stringify({ measuredAt: new Date().toISOString(), loadAverage: os.loadavg(), cpus: os.cpus().length, budget: BUDGET, ...result }, null, 2),
  );
  return file;
}

/** Starts summing layout shifts (Chromium's CLS entries, not those right after input) from the next navigation on. */
export async function watchLayoutShift(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __cls: number };
    w.__cls = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[]) if (!e.hadRecentInput) w.__cls += e.value;
    }).observe({ type: 'layout-shift', buffered: true });
  });
}

export const layoutShift = (page: Page): Promise<number> => page.evaluate(() => (window as unknown as { __cls: number }).__cls);
