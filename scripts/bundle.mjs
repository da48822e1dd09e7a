// `npm start` serves one bundle of dist/ and its dependencies (dist/server/main.js), made here by
// esbuild after tsc: whitespace and syntax minified, names kept (stack traces still name each
// function), the code that only other commands run split into chunks loaded by import().
//
// Why: V8 keeps the source text of every module it loads, and a serving process loaded ~600 of
// them (ours and node_modules', comments and all), each also with its own module records and
// loader cache entries. Bundled, the same server held 18.9 MiB of live V8 heap instead of 23.1
// after the same requests (minifying the names too would take 0.3 MiB more, and readable stack
// traces), its RSS after start was 6–9 MiB lower, and under bench:load one worker's peak fell
// from 145 to 133–138 MiB (docs/benchmarks-http.md, "One bundle").
//
// Paths stay what each file expects: `import.meta.url` in a bundled file becomes that file's own
// URL, computed from the bundle's, and a CommonJS dependency that reads `__dirname` (swagger-ui's
// static files, commander) gets its own directory. Native addons and the modules loaded at first
// use by `createRequire` stay in node_modules. `CHINOOK_BUNDLE=off` serves dist/ unbundled.
//
// Usage: node scripts/bundle.mjs (after `tsc -p tsconfig.build.json`); `npm run build` runs both.
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const bundleDir = path.join(root, 'dist', 'server');

/**
 * Packages left to node_modules: native addons; what is required at first use or in a thread; and
 * prom-client, whose default collectors src/http/runtime-metrics.ts requires by name from
 * node_modules: bundled too, its metric classes were loaded twice (a copy in the bundle for the
 * registry, another beside the collectors).
 */
const external = [
  'better-sqlite3',
  'sqlite-vec',
  'usearch',
  'hnswlib-node',
  'esbuild',
  'pino-pretty',
  'thread-stream',
  '@zxcvbn-ts/*',
  'cli-progress',
  'prom-client',
];

/** `./x` relative to the bundle directory, as a URL path. */
const fromBundle = (file) => {
  const relative = path.relative(bundleDir, file).split(path.sep).join('/');
  return relative.startsWith('.') ? relative : `./${relative}`;
};

const keepPaths = {
  name: 'keep-paths',
  setup(build) {
    build.onLoad({ filter: /\.[cm]?js$/ }, async (args) => {
      let text = await fs.readFile(args.path, 'utf8');
      if (text.includes('import.meta.url')) {
        text = text.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromBundle(args.path))}, import.meta.url).href`);
      }
      const commonJs = /\brequire\(|\bmodule\.exports\b|\bexports\./.test(text);
      if (commonJs && /\b__(dirname|filename)\b/.test(text) && !/\b(var|let|const)\s+__(dirname|filename)\b/.test(text)) {
        text = `var __dirname = __bundledPath(${JSON.stringify(fromBundle(path.dirname(args.path)))}), __filename = __bundledPath(${JSON.stringify(fromBundle(args.path))});\n${text}`;
      }
      return { contents: text, loader: 'js' };
    });
  },
};

export async function bundle() {
  // Built beside and swapped in, so a server starting meanwhile loads the old bundle or the new
  // one, not half of each (paths inside are relative to dist/server, so the name must not change).
  const building = `${bundleDir}.${process.pid}.tmp`;
  await fs.rm(building, { recursive: true, force: true });
  const result = await esbuild.build({
    entryPoints: [path.join(root, 'dist', 'cli', 'main.js')],
    outdir: building,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minifyWhitespace: true,
    minifySyntax: true,
    external,
    plugins: [keepPaths],
    logLevel: 'warning',
    // Bundled CommonJS calls `require` for Node's built-ins; __bundledPath is the plugin's helper.
    banner: {
      js: [
        "import { createRequire as __bundleRequire } from 'node:module';",
        "import { fileURLToPath as __bundleFileURLToPath } from 'node:url';",
        'const require = __bundleRequire(import.meta.url);',
        'const __bundledPath = (relative) => __bundleFileURLToPath(new URL(relative, import.meta.url));',
      ].join(''),
    },
  });
  if (result.errors.length > 0) throw new Error('bundle failed');
  const old = `${bundleDir}.${process.pid}.old`;
  await fs.rename(bundleDir, old).catch(() => {});
  await fs.rename(building, bundleDir);
  await fs.rm(old, { recursive: true, force: true });
  return path.join(bundleDir, 'main.js');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const main = await bundle();
  console.error(`bundled dist/ into ${path.relative(root, main)} in ${Math.round(performance.now() - started)} ms`);
}
