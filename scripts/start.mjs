// `npm start`: serve from compiled JavaScript. Running the TypeScript through tsx cost 45 MB
// of RSS per process (the loader, esbuild transforms and source maps held in memory) plus the
// tsx launcher process (49 MB) and its esbuild service (32 MB), measured in
// docs/benchmarks-http.md. dist/ is what `npm run build` emits; this rebuilds it first when a
// file under src/ is newer than the last build (a fresh clone, a pull, an edit), so
// `npm install && npm start` still just works. Plain JavaScript: it must run before any build.
//
// What `npm start` passes (package.json), each measured in docs/benchmarks-http.md ("Memory of
// a serving process"); cluster workers inherit all five (the node flags and the environment):
// - `--max-semi-space-size=2`: a 2 MiB young generation instead of up to 16 (−20 MiB RSS).
// - `--max-old-space-size=1024`: after a full GC, V8 lets the heap grow up to 4× the live heap
//   at its default limit (4 GB on this machine) and 1.3–2×, scaled with the limit, when the
//   limit is set lower (heap-controller.cc, MaxGrowingFactor). After the store mix the heap
//   held 48–51 MiB instead of 59–69 (~45 live). The limit itself is 20× the live heap; the
//   import and vector build of a first start run in a child process without it (src/cli/serve.ts).
// - `--heap-growing-percent=15`: the next full GC comes when the heap has grown 15 % past what the
//   last one left, instead of V8's ~40 % here (~35 MiB live when serving Chinook). It took
//   4–12 MiB off the store mix's peak, for 7–8 full GCs in 12 s of the full mix instead of 5–7,
//   ~1 µs a request (--trace-gc). The 2 MiB young generation's scavenges cost 26–32 µs a request.
// - `MALLOC_ARENA_MAX=1`: glibc gives each thread that allocates its own malloc arena (up to 8
//   per core: V8's compiler and GC threads, libuv's pool, the WAL checkpointer), and each keeps
//   its peak; two arenas took 15–20 MiB off the RSS after load, and one took 3–14 MiB more off
//   the peak: the second arena held 8 MiB of which 0.5 was in use (malloc_stats, V8's
//   background compiler), and the threads rarely allocate at once, so sharing one costs nothing
//   measurable (the same syscalls and page faults under perf stat).
// - `MALLOC_MMAP_THRESHOLD_=131072`: glibc serves allocations of 128 KiB and more with mmap, so
//   their memory goes back to the system when freed; by default it raises that threshold (up to
//   32 MiB) each time such a block is freed, after which large transient blocks come from the
//   heap and stay resident. It took 3–4 MiB off the full mix's peak (146–147 against 149–151 MiB)
//   and 4–6 MiB off the RSS after it, at the same CPU per request (247–256 against 253–261 µs;
//   bench/load/flags.ts, 2026-12-01 14:47 UTC). Fixing it also fixes the trim threshold at 128 KiB.
//
// First of all, tick-warmup.mjs settles V8's feedback for process.nextTick (~10 % of a
// request's CPU without it; the numbers are in that file).
import './tick-warmup.mjs';
import { spawnSync } from 'node:child_process';
import cluster from 'node:cluster';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stamp = path.join(root, 'dist', '.tsbuildinfo');

/** The newest modification time of the files tsc compiles (src/, without the browser pages). */
function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (full !== path.join(root, 'src', 'web', 'pages')) newest = Math.max(newest, newestSource(full));
    } else newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

const built = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : 0;
const tscBin = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const inputs = [path.join(root, 'tsconfig.json'), path.join(root, 'tsconfig.build.json')].map((f) => fs.statSync(f).mtimeMs);
const stale = Math.max(newestSource(path.join(root, 'src')), ...inputs) > built;
// An install without dev dependencies (`npm install --omit=dev`) has no tsc: run the
// TypeScript through tsx (a runtime dependency) as before, at tsx's memory cost.
if (stale && !fs.existsSync(tscBin)) {
  console.error('dist/ is missing or stale and TypeScript is not installed: serving src/ through tsx.');
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../src/cli/main.ts');
  await main([process.argv[0], 'chinook', 'serve', ...process.argv.slice(2)]);
} else {
  await serveCompiled();
}

async function serveCompiled() {
  // Cluster workers run this file again: only the first process builds.
  if (cluster.isPrimary && stale) build();
  const { main } = await import((await bundleReady()) ? '../dist/server/main.js' : '../dist/cli/main.js');
  await main([process.argv[0], 'chinook', 'serve', ...process.argv.slice(2)]);
}

/**
 * Whether to serve the bundle of dist/ and its dependencies (scripts/bundle.mjs: 4.2 MiB less live
 * V8 heap a process), made again here when it is older than the last tsc build, the last
 * `npm install` (it holds the dependencies' code too) or the bundler script itself.
 * `CHINOOK_BUNDLE=off` serves dist/ module by module; so does a bundling that fails, with a warning.
 */
async function bundleReady() {
  if (process.env.CHINOOK_BUNDLE === 'off') return false;
  const bundled = path.join(root, 'dist', 'server', 'main.js');
  if (!cluster.isPrimary) return fs.existsSync(bundled);
  const mtime = (file) => (fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0);
  const inputs = [stamp, path.join(root, 'package-lock.json'), path.join(root, 'node_modules', '.package-lock.json'), path.join(root, 'scripts', 'bundle.mjs')];
  if (mtime(bundled) >= Math.max(...inputs.map(mtime))) return true;
  try {
    const { bundle } = await import('./bundle.mjs');
    await bundle();
    return true;
  } catch (err) {
    console.error(`Bundling dist/ failed, serving it module by module: ${err instanceof Error ? err.message : err}`);
    process.env.CHINOOK_BUNDLE = 'off'; // cluster workers inherit it: none loads an older bundle
    return false;
  }
}

function build() {
  console.error('Compiling src/ to dist/ (npm run build) …');
  const tsc = spawnSync(process.execPath, [tscBin, '-p', path.join(root, 'tsconfig.build.json')], {
    stdio: 'inherit',
  });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  // tsc leaves the build-info file alone when nothing changed; its time is what the next start compares.
  const now = new Date();
  fs.utimesSync(stamp, now, now);
}
