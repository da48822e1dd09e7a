// The import rules of docs/ARCHITECTURE.md, checked on every file of src/ (and bench/baselines):
// layers import downward only, another folder is reached through its front door (index.ts),
// no import cycle between folders, migrations import no live code, benchmark baselines do not
// import the live code they are compared with. A known exception is listed below with its
// reason; fixing one takes it off the list (a listed exception that no longer happens fails).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { frontDoorOf, layers, listFiles, readSource, root, type SourceFile, unitOf } from './source.ts';

interface Exception {
  from: string;
  to: string;
  reason: string;
}

/** Imports that break a rule today, each with who is fixing it. */
const knownExceptions: Exception[] = [
  {
    from: 'bench/baselines/search-strict.ts',
    to: 'src/search/suggest.ts',
    reason: 'issue 18 did not change suggestions: the strict baseline answers them with the live suggester, so the bench compares search alone',
  },
  ...[
    ['src/web/pages/shared/types.ts', 'src/http/schemas.ts'],
    ['src/web/pages/admin/types.ts', 'src/http/routes/api/admin/ops-schemas.ts'],
  ].map(([from, to]) => ({
    from: from!,
    to: to!,
    reason:
      "browser code: type-only imports of the API's TypeBox schemas, erased from the bundle; http/index.ts would pull the server's types into the pages' DOM-only typecheck",
  })),
];

const files = listFiles('src').map(readSource);
const layerOf = layers();
const isException = (from: string, to: string) => knownExceptions.some((e) => e.from === from && e.to === to);

interface Edge {
  from: string;
  to: string;
  line: number;
  typeOnly: boolean;
}

/** Imports from one unit of src/ to another, excepted ones left out. */
function crossUnitEdges(): Edge[] {
  return files.flatMap((f) =>
    f.imports
      .filter((i) => i.target.startsWith('src/') && unitOf(i.target) !== unitOf(f.file) && !isException(f.file, i.target))
      .map((i) => ({ from: f.file, to: i.target, line: i.line, typeOnly: i.typeOnly })),
  );
}

describe('import rules (docs/ARCHITECTURE.md)', () => {
  it('every import resolves to a file', () => {
    const missing = files.flatMap((f) => f.imports.filter((i) => !fs.existsSync(path.join(root, i.target))).map((i) => `${f.file}:${i.line} → ${i.target}`));
    assert.deepEqual(missing, []);
  });

  it('every unit of src/ has a place in the layer order', () => {
    const units = [...new Set(files.map((f) => unitOf(f.file)))];
    assert.deepEqual(
      units.filter((u) => !layerOf.has(u)),
      [],
      'add the unit to "### Layer order" in docs/ARCHITECTURE.md',
    );
  });

  it('layers import downward only (a unit imports only units on lower layers)', () => {
    const upward = crossUnitEdges()
      .filter((e) => layerOf.get(unitOf(e.to))! <= layerOf.get(unitOf(e.from))!)
      .map((e) => `${e.from}:${e.line} (${unitOf(e.from)}, layer ${layerOf.get(unitOf(e.from))}) → ${e.to} (layer ${layerOf.get(unitOf(e.to))})`);
    assert.deepEqual(upward, []);
  });

  it('another folder is imported through its front door (index.ts), never its internals', () => {
    const internals = crossUnitEdges()
      .filter((e) => e.to !== frontDoorOf(unitOf(e.to)))
      .map((e) => `${e.from}:${e.line} → ${e.to} (use ${frontDoorOf(unitOf(e.to))})`);
    assert.deepEqual(internals, []);
  });

  it('no import cycle between folders (exceptions included)', () => {
    const graph = new Map<string, Set<string>>();
    for (const f of files) {
      for (const i of f.imports) {
        if (!i.target.startsWith('src/') || unitOf(i.target) === unitOf(f.file)) continue;
        const to = graph.get(unitOf(f.file)) ?? new Set<string>();
        to.add(unitOf(i.target));
        graph.set(unitOf(f.file), to);
      }
    }
    const cycles = stronglyConnected(graph).filter((c) => c.length > 1);
    const excused = (cycle: string[]) =>
      knownExceptions.some((e) => cycle.includes(unitOf(e.from)) && cycle.includes(unitOf(e.to)) && unitOf(e.from) !== unitOf(e.to));
    assert.deepEqual(
      cycles.filter((c) => !excused(c)).map((c) => c.join(' ↔ ')),
      [],
    );
  });

  it('a migration imports only the Migration type (its DDL is frozen text, no live code)', () => {
    const live = files
      .filter((f) => f.file.startsWith('src/db/migrations/'))
      .flatMap((f) =>
        f.imports
          .filter((i) => !(i.target === 'src/db/migration.ts' || (i.target === 'src/db/migrations.ts' && i.typeOnly)) && !isException(f.file, i.target))
          .map((i) => `${f.file}:${i.line} → ${i.target}`),
      );
    assert.deepEqual(live, []);
  });

  it('benchmark baselines import no live code of src/ (types and errors.ts only)', () => {
    const baselines = listFiles('bench/baselines').map(readSource);
    const live = baselines.flatMap((f) =>
      f.imports
        .filter((i) => i.target.startsWith('src/') && !i.typeOnly && i.target !== 'src/errors.ts' && !isException(f.file, i.target))
        .map((i) => `${f.file}:${i.line} → ${i.target}`),
    );
    assert.deepEqual(live, []);
  });

  it('the offline evaluations and the synthetic generator are loaded only with import(), where they run: a serving process never holds them', () => {
    // Their generators, word lists, the MiniSearch peer and the throwaway-copy machinery are
    // memory in every worker otherwise (docs/benchmarks-http.md, "Response serializers at first use").
    const isEvaluation = (f: string) =>
      (f.startsWith('src/search/eval/') && f !== 'src/search/eval/defaults.ts') ||
      /^src\/recommend\/eval/.test(f) ||
      f === 'src/recommend/evaluation.ts' ||
      (f.startsWith('src/importer/synthetic') && f !== 'src/importer/synthetic-limits.ts');
    assert.ok(files.some((f) => f.file === 'src/search/eval/engines.ts'));
    const staticEdges = files
      .filter((f) => !isEvaluation(f.file))
      .flatMap((f) => f.imports.filter((i) => !i.typeOnly && !i.dynamic && isEvaluation(i.target)).map((i) => `${f.file}:${i.line} → ${i.target}`));
    assert.deepEqual(staticEdges, []);
  });

  it('every listed exception still happens (a fixed one comes off the list)', () => {
    const all = [...files, ...listFiles('bench/baselines').map(readSource)];
    const happening = (e: Exception) => all.some((f: SourceFile) => f.file === e.from && f.imports.some((i) => i.target === e.to));
    assert.deepEqual(
      knownExceptions.filter((e) => !happening(e)).map((e) => `${e.from} → ${e.to}`),
      [],
    );
  });
});

/** Tarjan's strongly connected components. */
function stronglyConnected(graph: Map<string, Set<string>>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const nodes = new Set([...graph.keys(), ...[...graph.values()].flatMap((s) => [...s])]);
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      out.push(component.sort());
    }
  };
  for (const v of [...nodes].sort()) if (!index.has(v)) visit(v);
  return out;
}
