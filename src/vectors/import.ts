// Import of external embeddings for one space, from JSONL ({"trackId": 1, "vector": [...]} per
// line) or from a NumPy .npy matrix (float32/float64, one row per track) paired with a file of
// track ids. Every row is validated inside one transaction; the first bad one aborts it, so a
// failed import leaves the table exactly as it was. Files are read in chunks, not whole.
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/index.ts';
import { buildVectors } from './build.ts';
import { DIMS, type Space } from './spaces.ts';
import { VectorStore } from './store.ts';

export class EmbeddingImportError extends Error {
  constructor(
    message: string,
    /** Where the problem is: "line 2" (JSONL), "row 2" (.npy), "ids line 3"; null for the file as a whole. */
    readonly location: string | null,
  ) {
    super(location === null ? message : `${location}: ${message}`);
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

/** One candidate row: where it came from (for the error), its id and its values as read. */
interface RawRow {
  location: string;
  trackId: unknown;
  vector: unknown;
}

function* jsonlRows(file: string): Generator<RawRow> {
  let lineNo = 0;
  for (const raw of readLines(file)) {
    lineNo++;
    const line = raw.trim();
    if (line === '') continue;
    const location = `line ${lineNo}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new EmbeddingImportError('not valid JSON (truncated file?)', location);
    }
    if (typeof parsed !== 'object' || parsed === null) throw new EmbeddingImportError('expected an object {"trackId", "vector"}', location);
    const { trackId, vector } = parsed as { trackId?: unknown; vector?: unknown };
    yield { location, trackId, vector };
  }
}

export interface NpyHeader {
  /** Bytes per element and byte order, from `descr`. */
  itemSize: 4 | 8;
  littleEndian: boolean;
  rows: number;
  cols: number;
  /** Offset of the first data byte. */
  dataOffset: number;
}

/**
 * Parses the header of a .npy file (format versions 1–3: magic, version, header length, then a
 * Python dict literal with descr, fortran_order and shape). Only what an embedding matrix can
 * be is accepted: a 2-D, C-ordered float32 or float64 array.
 */
export function readNpyHeader(fd: number, fileSize: number): NpyHeader {
  const fixed = Buffer.alloc(12);
  const got = fs.readSync(fd, fixed, 0, 12, 0);
  if (got < 10 || fixed.toString('latin1', 0, 6) !== '\x93NUMPY') throw new EmbeddingImportError('not a .npy file (bad magic)', null);
  const major = fixed[6] as number;
  if (major < 1 || major > 3) throw new EmbeddingImportError(`unsupported .npy format version ${major}`, null);
  const headerLen = major === 1 ? fixed.readUInt16LE(8) : fixed.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  if (start + headerLen > fileSize) throw new EmbeddingImportError('.npy header is truncated', null);
  const headerBuf = Buffer.alloc(headerLen);
  fs.readSync(fd, headerBuf, 0, headerLen, start);
  const header = headerBuf.toString(major === 3 ? 'utf8' : 'latin1');
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shape === undefined) throw new EmbeddingImportError('.npy header is not a valid dict', null);
  const types: Record<string, { itemSize: 4 | 8; littleEndian: boolean }> = {
    '<f4': { itemSize: 4, littleEndian: true },
    '>f4': { itemSize: 4, littleEndian: false },
    '<f8': { itemSize: 8, littleEndian: true },
    '>f8': { itemSize: 8, littleEndian: false },
  };
  const type = types[descr];
  if (!type) throw new EmbeddingImportError(`.npy dtype ${descr} is not supported (float32 or float64 only)`, null);
  if (fortran === 'True') throw new EmbeddingImportError('.npy array is in Fortran order; save np.ascontiguousarray(x) instead', null);
  const dims = shape
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (dims.length !== 2 || dims.some((d) => !Number.isSafeInteger(d) || d < 0))
    throw new EmbeddingImportError(`.npy array must be 2-D (tracks × dims), found shape (${shape})`, null);
  const [rows, cols] = dims as [number, number];
  const dataOffset = start + headerLen;
  const expected = dataOffset + rows * cols * type.itemSize;
  if (fileSize < expected)
    throw new EmbeddingImportError(`.npy file is truncated: shape (${rows}, ${cols}) needs ${expected} bytes, the file has ${fileSize}`, null);
  if (fileSize > expected) throw new EmbeddingImportError(`.npy file has ${fileSize - expected} bytes after the data`, null);
  return { ...type, rows, cols, dataOffset };
}

/** Track ids for the rows of a .npy file: a JSON array, or plain text with one id per line. */
export function readIds(file: string): unknown[] {
  if (!fs.existsSync(file)) throw new EmbeddingImportError(`${file} does not exist`, null);
  const text = fs.readFileSync(file, 'utf8');
  if (text.trimStart().startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new EmbeddingImportError(`${path.basename(file)} is not a valid JSON array (truncated file?)`, null);
    }
    if (!Array.isArray(parsed)) throw new EmbeddingImportError(`${path.basename(file)} must hold a JSON array of track ids`, null);
    return parsed;
  }
  const lines = text.split('\n');
  if (lines.at(-1)?.trim() === '') lines.pop();
  return lines.map((l, i) => {
    const s = l.trim();
    if (!/^\d+$/.test(s)) throw new EmbeddingImportError(`not a track id: ${JSON.stringify(s.slice(0, 40))}`, `ids line ${i + 1}`);
    return Number(s);
  });
}

function* npyRows(file: string, idsFile: string): Generator<RawRow> {
  const ids = readIds(idsFile);
  const fd = fs.openSync(file, 'r');
  try {
    const h = readNpyHeader(fd, fs.fstatSync(fd).size);
    if (h.rows !== ids.length) throw new EmbeddingImportError(`the .npy array has ${h.rows} rows but ${path.basename(idsFile)} lists ${ids.length} ids`, null);
    const rowBytes = h.cols * h.itemSize;
    const perRead = Math.max(1, Math.floor((1 << 20) / Math.max(1, rowBytes)));
    const buf = Buffer.alloc(perRead * rowBytes);
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    for (let first = 0; first < h.rows; first += perRead) {
      const n = Math.min(perRead, h.rows - first);
      const got = fs.readSync(fd, buf, 0, n * rowBytes, h.dataOffset + first * rowBytes);
      if (got < n * rowBytes)
        throw new EmbeddingImportError('.npy file ended early (truncated while reading)', `row ${first + Math.floor(got / rowBytes) + 1}`);
      for (let r = 0; r < n; r++) {
        const vector = new Float64Array(h.cols);
        const base = r * rowBytes;
        for (let j = 0; j < h.cols; j++)
          vector[j] = h.itemSize === 4 ? view.getFloat32(base + j * 4, h.littleEndian) : view.getFloat64(base + j * 8, h.littleEndian);
        // Rows are numbered from 1 like lines; the error also names the id it was meant for.
        yield { location: `row ${first + r + 1}`, trackId: ids[first + r], vector };
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

export interface ImportResult {
  space: Space;
  imported: number;
  ms: number;
}

export interface ImportOptions {
  /** For .npy input: the file of track ids, one per row of the array. */
  ids?: string;
}

/** Replaces one space's vectors for the tracks in FILE (.jsonl, or .npy with `ids`); all or nothing. */
export function importEmbeddings(db: Db, space: Space, file: string, options: ImportOptions = {}): ImportResult {
  const started = performance.now();
  if (!fs.existsSync(file)) throw new EmbeddingImportError(`${file} does not exist`, null);
  const isNpy = file.toLowerCase().endsWith('.npy');
  if (isNpy && !options.ids) throw new EmbeddingImportError('a .npy file needs --ids FILE (a JSON array or one track id per line, in row order)', null);
  if (!isNpy && options.ids) throw new EmbeddingImportError('--ids only applies to .npy files', null);
  const store = new VectorStore(db);
  // The other two spaces of a row must exist before one can be replaced.
  if (store.count() === 0) buildVectors(db);
  const dims = DIMS[space];
  const trackExists = db.prepare('SELECT 1 FROM chinook_tracks WHERE id = ?');
  const seen = new Set<number>();
  const run = db.transaction(() =>
    store.bulk(() => {
      let batch: { ids: number[]; vectors: Float32Array[] } = { ids: [], vectors: [] };
      const flush = () => {
        if (batch.ids.length) store.write({ ids: batch.ids, vectors: { [space]: batch.vectors } });
        batch = { ids: [], vectors: [] };
      };
      const rows = isNpy ? npyRows(file, options.ids as string) : jsonlRows(file);
      for (const { location, trackId, vector } of rows) {
        const fail = (message: string) => new EmbeddingImportError(message, location);
        if (typeof trackId !== 'number' || !Number.isSafeInteger(trackId) || trackId < 1) throw fail('trackId must be a positive integer');
        if (!trackExists.get(trackId)) throw fail(`unknown trackId ${trackId}`);
        if (seen.has(trackId)) throw fail(`trackId ${trackId} appears twice`);
        const values = vector as ArrayLike<unknown>;
        if (!Array.isArray(vector) && !(vector instanceof Float64Array)) throw fail('vector must be an array of numbers');
        if (values.length !== dims) throw fail(`vector has ${values.length} dimensions, ${space} needs ${dims}`);
        const v = new Float32Array(dims);
        let norm = 0;
        for (let i = 0; i < dims; i++) {
          const x = values[i];
          if (typeof x !== 'number' || !Number.isFinite(x)) throw fail(`vector[${i}] is not a finite number`);
          v[i] = x;
          norm += x * x;
        }
        // float32 overflow (|x| > 3.4e38) turns a finite float64 into Infinity.
        if (v.some((x) => !Number.isFinite(x))) throw fail('vector has values outside the float32 range');
        if (norm === 0) throw fail('vector is all zeros (cosine distance is undefined)');
        seen.add(trackId);
        batch.ids.push(trackId);
        batch.vectors.push(v);
        if (batch.ids.length >= 1000) flush();
      }
      flush();
      if (seen.size === 0) throw new EmbeddingImportError('the file holds no vectors', null);
      store.recordSpace(space, `imported:${path.basename(file)}`, seen.size, {
        file: path.resolve(file),
        ...(options.ids ? { ids: path.resolve(options.ids) } : {}),
      });
      db.prepare("DELETE FROM vector_similarity_cache WHERE similarity_type IN (?, 'blend')").run(space);
    }),
  );
  run.immediate();
  return { space, imported: seen.size, ms: performance.now() - started };
}
