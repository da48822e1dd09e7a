// Where the official Chinook file comes from, in order: --source, $CHINOOK_SOURCE,
// ../shared/datasets/chinook next to the project, then the official v1.4.5 release.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../config.ts';

export const CHINOOK_RELEASE = {
  version: '1.4.5',
  url: 'https://github.com/lerocha/chinook-database/releases/download/v1.4.5/Chinook_Sqlite.sqlite',
  sha256: '7651ba378ac2fcd0dfc3c66fb101f7a7eed3ba39a612ec642b96e20702061f15',
} as const;

export class SourceNotFoundError extends Error {
  constructor(readonly tried: string[]) {
    super(
      [
        'Could not find the Chinook v1.4.5 SQLite file. Tried:',
        ...tried.map((t) => `  - ${t}`),
        'Ways out:',
        '  - chinook import --source /path/to/Chinook_Sqlite.sqlite  (or set CHINOOK_SOURCE)',
        '  - chinook import --synthetic --tracks 10000  (a generated Chinook-shaped catalog, offline)',
      ].join('\n'),
    );
    this.name = 'SourceNotFoundError';
  }
}

export function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

export interface ResolvedSource {
  path: string;
  origin: 'flag' | 'env' | 'shared' | 'download';
  sha256: string;
  verified: boolean;
}

export interface ResolveOptions {
  flag?: string | undefined;
  env?: string | undefined;
  sharedPath?: string;
  downloadDir?: string;
  download?: (url: string) => Promise<Uint8Array>;
  log?: (line: string) => void;
}

export const sharedDatasetPath = path.resolve(projectRoot, '..', 'shared', 'datasets', 'chinook', 'Chinook_Sqlite.sqlite');

async function fetchRelease(url: string): Promise<Uint8Array> {
  const res = await fetch(url, { signal: AbortSignal.timeout(30_000), redirect: 'follow' });
  if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
  return new Uint8Array(await res.arrayBuffer());
}

export async function resolveSource(options: ResolveOptions): Promise<ResolvedSource> {
  const tried: string[] = [];
  const local: [string | undefined, ResolvedSource['origin'], string][] = [
    [options.flag, 'flag', '--source'],
    [options.env, 'env', '$CHINOOK_SOURCE'],
    [options.sharedPath ?? sharedDatasetPath, 'shared', 'shared dataset'],
  ];
  for (const [candidate, origin, label] of local) {
    if (!candidate) {
      tried.push(`${label}: not given`);
      continue;
    }
    const file = path.resolve(candidate);
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
      // An explicit path that does not exist is an error, not a reason to look elsewhere.
      if (origin !== 'shared') throw new SourceNotFoundError([...tried, `${label} ${file}: no such file`]);
      tried.push(`${label} ${file}: no such file`);
      continue;
    }
    const sha256 = sha256File(file);
    const verified = sha256 === CHINOOK_RELEASE.sha256;
    if (!verified) {
      if (origin === 'shared') {
        tried.push(`${label} ${file}: SHA-256 ${sha256} is not the v1.4.5 release's`);
        continue;
      }
      options.log?.(`warning: ${file} is not the official v1.4.5 file (SHA-256 ${sha256}); importing it as given`);
    }
    return { path: file, origin, sha256, verified };
  }
  const downloadDir = options.downloadDir ?? path.join(projectRoot, 'data', 'downloads');
  const target = path.join(downloadDir, 'Chinook_Sqlite.sqlite');
  if (fs.existsSync(target) && sha256File(target) === CHINOOK_RELEASE.sha256) {
    return { path: target, origin: 'download', sha256: CHINOOK_RELEASE.sha256, verified: true };
  }
  try {
    options.log?.(`downloading ${CHINOOK_RELEASE.url}`);
    const bytes = await (options.download ?? fetchRelease)(CHINOOK_RELEASE.url);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (sha256 !== CHINOOK_RELEASE.sha256) {
      tried.push(`download ${CHINOOK_RELEASE.url}: wrong SHA-256 ${sha256} (expected ${CHINOOK_RELEASE.sha256}); file discarded`);
      throw new SourceNotFoundError(tried);
    }
    fs.mkdirSync(downloadDir, { recursive: true });
    fs.writeFileSync(`${target}.part`, bytes);
    fs.renameSync(`${target}.part`, target);
    return { path: target, origin: 'download', sha256, verified: true };
  } catch (err) {
    if (err instanceof SourceNotFoundError) throw err;
    const reason = err instanceof Error ? (err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message) : String(err);
    tried.push(`download ${CHINOOK_RELEASE.url}: ${reason}`);
    throw new SourceNotFoundError(tried);
  }
}
