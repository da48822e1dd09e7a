// Reads the source tree for the architecture tests: each file's relative imports (parsed with
// the TypeScript compiler, no regexes over code) and its string literals (where the SQL is),
// and the rules written in docs/ARCHITECTURE.md (layers, table owners, read-only joins).
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export const root = path.resolve(import.meta.dirname, '../..');

export interface Import {
  /** Repo-relative path of the imported file. */
  target: string;
  typeOnly: boolean;
  /** An `import()` call: loaded when that line runs, not with the file. */
  dynamic: boolean;
  line: number;
}

export interface SourceFile {
  /** Repo-relative path (src/cache/index.ts). */
  file: string;
  lines: number;
  imports: Import[];
  /** Every string and template literal, `${…}` parts replaced by `?`. */
  strings: string[];
}

const CODE = /\.(ts|tsx|mts|mjs|js)$/;

export function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...listFiles(rel));
    else if (CODE.test(e.name) && !e.name.endsWith('.d.ts')) out.push(rel);
  }
  return out.sort();
}

function resolve(from: string, spec: string): string {
  return path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
}

export function readSource(file: string): SourceFile {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : undefined);
  const imports: Import[] = [];
  const strings: string[] = [];
  const lineOf = (node: ts.Node) => sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
  const add = (spec: ts.Expression | undefined, typeOnly: boolean, node: ts.Node, dynamic = false) => {
    if (spec && ts.isStringLiteralLike(spec) && spec.text.startsWith('.'))
      imports.push({ target: resolve(file, spec.text), typeOnly, dynamic, line: lineOf(node) });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      // `import { type A, type B }` is as type-only as `import type { A, B }`.
      const allTypes =
        !!clause &&
        (clause.isTypeOnly ||
          (!clause.name && !!clause.namedBindings && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier, allTypes, node);
      return;
    }
    if (ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier, node.isTypeOnly, node);
      return;
    }
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node.arguments[0], false, node, true);
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) strings.push(node.text);
    if (ts.isTemplateExpression(node)) strings.push(node.head.text + node.templateSpans.map((s) => `?${s.literal.text}`).join(''));
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { file, lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0), imports, strings };
}

/**
 * The unit a src/ file belongs to: the longest folder of the layer order that holds it
 * (`web/pages/` before `web/`), else its top folder (`cache/`), or at the top the file itself
 * (`context.ts`).
 */
export function unitOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] !== 'src') throw new Error(`${file} is not under src/`);
  const inner = parts.slice(1).join('/');
  const listed = [...layers().keys()].filter((u) => u.endsWith('/') && inner.startsWith(u)).sort((a, b) => b.length - a.length)[0];
  if (listed) return listed;
  return parts.length > 2 ? `${parts[1]}/` : parts[1]!;
}

/** The file other units must import a unit through. */
export function frontDoorOf(unit: string): string {
  return unit.endsWith('/') ? `src/${unit}index.ts` : `src/${unit}`;
}

// ---- docs/ARCHITECTURE.md --------------------------------------------------------------------

const architecture = () => fs.readFileSync(path.join(root, 'docs/ARCHITECTURE.md'), 'utf8');

/** The rows of the markdown table that follows a heading. */
function tableAfter(heading: string): string[][] {
  const text = architecture();
  const at = text.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`docs/ARCHITECTURE.md has no "${heading}" section`);
  const rows: string[][] = [];
  let inTable = false;
  for (const line of text.slice(at + heading.length + 2).split('\n')) {
    if (line.startsWith('|')) {
      inTable = true;
      const cells = line.split('|').slice(1, -1);
      if (!cells.every((c) => /^[\s:-]+$/.test(c))) rows.push(cells.map((c) => c.trim()));
    } else if (inTable || line.startsWith('#')) break;
  }
  return rows.slice(1); // the header
}

const ticked = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

let layerCache: Map<string, number> | undefined;

/** Layer number of each unit, 1 = top (docs/ARCHITECTURE.md, "### Layer order"). */
export function layers(): Map<string, number> {
  if (layerCache) return layerCache;
  const out = new Map<string, number>();
  for (const [n, units] of tableAfter('### Layer order')) for (const u of ticked(units!)) out.set(u, Number(n));
  layerCache = out;
  return out;
}

/** Which unit owns each table (docs/ARCHITECTURE.md, "## Who owns which tables"); a name ending in * is a prefix. */
export function tableOwners(): { name: string; prefix: boolean; owner: string }[] {
  const out: { name: string; prefix: boolean; owner: string }[] = [];
  for (const [folder, owns] of tableAfter('## Who owns which tables')) {
    for (const t of ticked(owns!)) {
      if (!/^[a-z_][a-z0-9_]*\*?$/.test(t)) continue;
      out.push({ name: t.replace(/\*$/, ''), prefix: t.endsWith('*'), owner: ticked(folder!)[0]! });
    }
  }
  return out;
}

/** Tables a unit may read without owning them (docs/ARCHITECTURE.md, "### Read-only joins across folders"). */
export function allowedReads(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [folder, reads] of tableAfter('### Read-only joins across folders')) {
    const set = out.get(ticked(folder!)[0]!) ?? new Set<string>();
    for (const t of ticked(reads!)) set.add(t);
    out.set(ticked(folder!)[0]!, set);
  }
  return out;
}
