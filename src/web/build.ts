// Bundles the browser pages (src/web/pages) with esbuild into content-hashed files under
// dist/web/assets, plus .gz and .br copies that @fastify/static serves pre-compressed. Nothing
// built is committed: the server calls ensureWebBuild() at start, which rebuilds only when the
// fingerprint of the sources (every file under pages/, the esbuild version, these options)
// differs from the manifest's. A check takes ~3 ms; a build of both bundles 1–3 s on a 2-core machine.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

// From the project root, so this file finds the sources whether it runs as src/web/build.ts
// (tsx) or as dist/web/build.js (`npm run build`, which does not copy the pages).
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PAGES_DIR = path.join(ROOT, 'src/web/pages');
export const DEFAULT_WEB_DIR = path.join(ROOT, 'dist/web');
const ENTRIES = { storefront: 'storefront/main.tsx', admin: 'admin/main.tsx' } as const;
// Bump when the options below change in a way the sources' hash cannot see.
const BUILD_FORMAT = 3;

export type BundleName = keyof typeof ENTRIES;

export interface BundleFiles {
  js: string;
  css: string | null;
  /** Bytes the browser downloads for this bundle's JavaScript, gzipped (what the 100 KB budget counts). */
  jsGzipBytes: number;
  jsBytes: number;
  cssGzipBytes: number;
}

export interface WebManifest {
  fingerprint: string;
  builtAt: string;
  favicon: string;
  bundles: Record<BundleName, BundleFiles>;
}

function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

export function sourceFingerprint(): string {
  const hash = createHash('sha256');
  hash.update(`format ${BUILD_FORMAT}\n`);
  const esbuildPkg = fileURLToPath(import.meta.resolve('esbuild/package.json'));
  hash.update(`esbuild ${JSON.parse(fs.readFileSync(esbuildPkg, 'utf8')).version}\n`);
  for (const file of listFiles(PAGES_DIR)) {
    hash.update(path.relative(PAGES_DIR, file));
    hash.update(fs.readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

function readManifest(webDir: string): WebManifest | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(webDir, 'manifest.json'), 'utf8')) as WebManifest;
  } catch {
    return null;
  }
}

/** Writes through a temp file and a rename, so a concurrent reader or builder never sees half a file. */
function writeAtomic(file: string, data: Uint8Array | string): void {
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

function writeAsset(dir: string, name: string, contents: Uint8Array): void {
  const file = path.join(dir, name);
  // Content-hashed: a file that exists already has these bytes.
  if (fs.existsSync(file)) return;
  writeAtomic(`${file}.gz`, gzipSync(contents, { level: 9 }));
  writeAtomic(`${file}.br`, brotliCompressSync(contents, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
  writeAtomic(file, contents);
}

const shortHash = (data: Uint8Array) => createHash('sha256').update(data).digest('hex').slice(0, 10).toUpperCase();

/** Builds running in this process: esbuild's service is stopped when the last one ends. */
let buildsRunning = 0;

/**
 * Bundles both entry points now (minified, hashed names) and writes the manifest last. esbuild
 * runs its bundler as a child process (its "service") that outlives the build until stop(): a
 * server that built its pages at start carried an idle esbuild process of 21–32 MiB RSS for
 * as long as it ran (bench:load's process table, 2026-11-30), so it is stopped once no build
 * in this process needs it; a later build starts it again.
 */
export async function buildWeb(webDir = DEFAULT_WEB_DIR): Promise<WebManifest> {
  const esbuild = await import('esbuild');
  buildsRunning++;
  try {
    return await bundle(esbuild, webDir);
  } finally {
    if (--buildsRunning === 0) await esbuild.stop();
  }
}

async function bundle(esbuild: typeof import('esbuild'), webDir: string): Promise<WebManifest> {
  const assets = path.join(webDir, 'assets');
  fs.mkdirSync(assets, { recursive: true });
  const result = await esbuild.build({
    absWorkingDir: PAGES_DIR,
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, file]) => [name, path.join(PAGES_DIR, file)])),
    bundle: true,
    format: 'esm',
    minify: true,
    target: ['chrome110', 'firefox110', 'safari16'],
    outdir: assets,
    entryNames: '[name]-[hash]',
    metafile: true,
    write: false,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  const bundles = {} as Record<BundleName, BundleFiles>;
  for (const file of result.outputFiles) writeAsset(assets, path.basename(file.path), file.contents);
  for (const [outPath, meta] of Object.entries(result.metafile.outputs)) {
    const name = meta.entryPoint && (Object.keys(ENTRIES) as BundleName[]).find((n) => meta.entryPoint?.endsWith(ENTRIES[n]));
    if (!name) continue;
    const js = fs.readFileSync(path.join(PAGES_DIR, outPath));
    const css = meta.cssBundle ? path.basename(meta.cssBundle) : null;
    bundles[name] = {
      js: path.basename(outPath),
      css,
      jsBytes: js.length,
      jsGzipBytes: gzipSync(js, { level: 9 }).length,
      cssGzipBytes: css ? fs.statSync(path.join(assets, `${css}.gz`)).size : 0,
    };
  }
  const faviconBytes = fs.readFileSync(path.join(PAGES_DIR, 'favicon.svg'));
  const favicon = `favicon-${shortHash(faviconBytes)}.svg`;
  writeAsset(assets, favicon, faviconBytes);
  const manifest: WebManifest = { fingerprint: sourceFingerprint(), builtAt: new Date().toISOString(), favicon, bundles };
  writeAtomic(path.join(webDir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return manifest;
}

const inProcess = new Map<string, Promise<WebManifest>>();

/** The current manifest, building first when the sources changed since the last build (once per process and folder). */
export function ensureWebBuild(webDir = DEFAULT_WEB_DIR): Promise<WebManifest> {
  let pending = inProcess.get(webDir);
  if (!pending) {
    pending = (async () => {
      const existing = readManifest(webDir);
      const fresh =
        existing?.fingerprint === sourceFingerprint() && Object.values(existing.bundles).every((b) => fs.existsSync(path.join(webDir, 'assets', b.js)));
      return fresh && existing ? existing : buildWeb(webDir);
    })();
    inProcess.set(webDir, pending);
    pending.catch(() => inProcess.delete(webDir));
  }
  return pending;
}

// `npm run build:web`: build now and print what the browser downloads.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const m = await buildWeb();
  for (const [name, b] of Object.entries(m.bundles)) {
    console.log(
      `${name.padEnd(10)} ${b.js} ${(b.jsGzipBytes / 1024).toFixed(1)} KB gzipped JS (${(b.jsBytes / 1024).toFixed(1)} KB raw), CSS ${(b.cssGzipBytes / 1024).toFixed(1)} KB gzipped`,
    );
  }
}
