// Import of external embeddings for one space from JSONL ({"trackId": 1, "vector": [...]} per
// line). Every line is validated inside one transaction; the first bad line aborts it, so a
// failed import leaves the table exactly as it was. The file is read in chunks, not whole.
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/connection.ts';
import { buildVectors } from './build.ts';
import { DIMS, type Space } from './spaces.ts';
import { VectorStore } from './store.ts';

export class EmbeddingImportError extends Error {
  constructor(
    message: string,
    readonly line: number | null,
  ) {
    super(line === null ? message : `line ${line}: ${message}`);
    this.name = 'EmbeddingImportError';
  }
}

/** Lines of a file, read synchronously in 1 MiB chunks (the import runs inside a synchronous transaction). */
function* readLines(file: string): Generator<string> {
  const fd = fs.openSync(file, 'r');
  try {
    const chunk = Buffer.alloc(1 << 20);
    let rest = '';
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      const text = rest + chunk.toString('utf8', 0, n);
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      yield* lines;
    }
    if (rest !== '') yield rest;
  } finally {
    fs.closeSync(fd);
  }
}

export interface ImportResult {
  space: Space;
  imported: number;
  ms: number;
}

export function importEmbeddings(db: Db, space: Space, file: string): ImportResult {
  const started = performance.now();
  if (!fs.existsSync(file)) throw new EmbeddingImportError(`${file} does not exist`, null);
  const store = new VectorStore(db);
  // The other two spaces of a row must exist before one can be replaced.
  if (store.count() === 0) buildVectors(db);
  const dims = DIMS[space];
  const trackExists = db.prepare('SELECT 1 FROM chinook_tracks WHERE id = ?');
  const seen = new Set<number>();
  const run = db.transaction(() => {
    let lineNo = 0;
    let batch: { ids: number[]; vectors: Float32Array[] } = { ids: [], vectors: [] };
    const flush = () => {
      if (batch.ids.length) store.write({ ids: batch.ids, vectors: { [space]: batch.vectors } });
      batch = { ids: [], vectors: [] };
    };
    for (const raw of readLines(file)) {
      lineNo++;
      const line = raw.trim();
      if (line === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new EmbeddingImportError('not valid JSON (truncated file?)', lineNo);
      }
      if (typeof parsed !== 'object' || parsed === null) throw new EmbeddingImportError('expected an object {"trackId", "vector"}', lineNo);
      const { trackId, vector } = parsed as { trackId?: unknown; vector?: unknown };
      if (typeof trackId !== 'number' || !Number.isSafeInteger(trackId) || trackId < 1)
        throw new EmbeddingImportError('trackId must be a positive integer', lineNo);
      if (!trackExists.get(trackId)) throw new EmbeddingImportError(`unknown trackId ${trackId}`, lineNo);
      if (seen.has(trackId)) throw new EmbeddingImportError(`trackId ${trackId} appears twice`, lineNo);
      if (!Array.isArray(vector)) throw new EmbeddingImportError('vector must be an array of numbers', lineNo);
      if (vector.length !== dims) throw new EmbeddingImportError(`vector has ${vector.length} dimensions, ${space} needs ${dims}`, lineNo);
      const v = new Float32Array(dims);
      let norm = 0;
      for (let i = 0; i < dims; i++) {
        const x = vector[i];
        if (typeof x !== 'number' || !Number.isFinite(x)) throw new EmbeddingImportError(`vector[${i}] is not a finite number`, lineNo);
        v[i] = x;
        norm += x * x;
      }
      // float32 overflow (|x| > 3.4e38) turns a finite JSON number into Infinity.
      if (v.some((x) => !Number.isFinite(x))) throw new EmbeddingImportError('vector has values outside the float32 range', lineNo);
      if (norm === 0) throw new EmbeddingImportError('vector is all zeros (cosine distance is undefined)', lineNo);
      seen.add(trackId);
      batch.ids.push(trackId);
      batch.vectors.push(v);
      if (batch.ids.length >= 1000) flush();
    }
    flush();
    if (seen.size === 0) throw new EmbeddingImportError('the file holds no vectors', null);
    store.recordSpace(space, `imported:${path.basename(file)}`, seen.size, { file: path.resolve(file) });
    db.prepare("DELETE FROM vector_similarity_cache WHERE similarity_type IN (?, 'blend')").run(space);
  });
  run.immediate();
  return { space, imported: seen.size, ms: performance.now() - started };
}
