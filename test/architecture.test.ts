/**
 * The one-way dependencies of docs/architecture.md, enforced: every import in `src/` is read, no file
 * or folder takes part in an import cycle, each folder imports only the layers its row allows, and the
 * pure folders import nothing from Node (a separate tsconfig type-checks them without Node's types).
 */

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');

/** What each part of `src/` may import (besides itself and npm packages); the order is the layering. */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  spec: ['core'],
  model: ['core', 'spec'],
  scenario: ['core', 'spec', 'model'],
  engine: ['core', 'spec', 'model'],
  runner: ['core', 'spec', 'model', 'scenario', 'engine', 'report', 'analysis', 'experiment'],
  analysis: ['core', 'spec', 'model', 'engine'],
  report: ['core', 'spec', 'model', 'scenario', 'engine'],
  calibration: ['core', 'spec', 'model', 'scenario', 'engine', 'analysis'],
  checks: ['core', 'spec', 'model', 'scenario', 'engine', 'report', 'calibration'],
  experiment: ['core', 'spec', 'model', 'scenario', 'engine', 'analysis', 'report'],
  cli: [
    'core',
    'spec',
    'model',
    'scenario',
    'engine',
    'runner',
    'analysis',
    'report',
    'calibration',
    'checks',
    'experiment',
    'index',
    'server',
  ],
  index: ['core', 'spec', 'model', 'scenario', 'engine', 'runner', 'analysis', 'report', 'experiment'],
  node: ['cli', 'experiment'],
  server: ['core', 'spec', 'model', 'scenario', 'engine', 'analysis', 'report', 'experiment'],
  version: [],
};

/** Folders whose code must run unchanged in Node, a worker and a browser. */
const PURE = ['core', 'spec', 'model', 'scenario', 'engine', 'runner', 'analysis', 'report'];

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** The part of `src/` a file belongs to: its first folder, or the file's own name at the top. */
function partOf(file: string): string {
  const rel = relative(SRC, file).split('/');
  return rel.length === 1 ? rel[0].replace(/\.ts$/, '') : rel[0];
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\b[^'"]*?\sfrom\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

interface Edge {
  from: string;
  to: string;
  spec: string;
}

function readGraph(): { nodes: string[]; edges: Edge[]; external: Edge[] } {
  const nodes = files(SRC);
  const edges: Edge[] = [];
  const external: Edge[] = [];
  for (const f of nodes) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2];
      if (spec.startsWith('.')) {
        const target = resolve(dirname(f), spec.replace(/\.js$/, '.ts'));
        if (target.startsWith(SRC)) edges.push({ from: f, to: target, spec });
      } else external.push({ from: f, to: spec, spec });
    }
  }
  return { nodes, edges, external };
}

/** Strongly connected components with more than one member, or a self-loop (Tarjan). */
function cycles(nodes: string[], next: (n: string) => string[]): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    on.add(v);
    for (const w of next(v)) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || next(v).includes(v)) out.push(comp);
    }
  };
  for (const n of nodes) if (!idx.has(n)) visit(n);
  return out;
}

describe('architecture: one-way dependencies', () => {
  const { nodes, edges, external } = readGraph();

  it('reads the imports (the parser sees the code)', () => {
    expect(nodes.length).toBeGreaterThan(40);
    expect(edges.length).toBeGreaterThan(100);
  });

  it('has no file-level import cycle', () => {
    const next = new Map<string, string[]>();
    for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
    const found = cycles(nodes, (n) => next.get(n) ?? []).map((c) => c.map((f) => relative(ROOT, f)));
    expect(found).toEqual([]);
  });

  it('has no folder-level import cycle', () => {
    const parts = [...new Set(nodes.map(partOf))];
    const next = new Map<string, Set<string>>();
    for (const e of edges) {
      const a = partOf(e.from);
      const b = partOf(e.to);
      if (a !== b) next.set(a, (next.get(a) ?? new Set()).add(b));
    }
    expect(cycles(parts, (p) => [...(next.get(p) ?? [])])).toEqual([]);
  });

  it('imports only what each layer allows', () => {
    const bad: string[] = [];
    for (const e of edges) {
      const a = partOf(e.from);
      const b = partOf(e.to);
      // src/version.ts holds constants every part may read.
      if (a === b || b === 'version') continue;
      const allowed = ALLOWED[a];
      if (!allowed) bad.push(`${relative(ROOT, e.from)}: part "${a}" has no row in ALLOWED`);
      else if (!allowed.includes(b)) bad.push(`${relative(ROOT, e.from)} imports ${e.spec} (part "${b}")`);
    }
    expect(bad).toEqual([]);
  });

  it('keeps the pure parts free of Node built-ins', () => {
    const bad = external
      .filter((e) => PURE.includes(partOf(e.from)))
      .filter(
        (e) => e.to.startsWith('node:') || ['fs', 'path', 'os', 'worker_threads', 'http'].includes(e.to),
      )
      .map((e) => `${relative(ROOT, e.from)} imports ${e.to}`);
    expect(bad).toEqual([]);
  });

  it('catches a forbidden import (the check can fail)', () => {
    const fake: Edge = {
      from: join(SRC, 'model/x.ts'),
      to: join(SRC, 'engine/run.ts'),
      spec: '../engine/run.js',
    };
    expect(ALLOWED[partOf(fake.from)].includes(partOf(fake.to))).toBe(false);
    const loop = cycles(['a', 'b', 'c'], (n) => ({ a: ['b'], b: ['c'], c: ['a'] })[n] ?? []);
    expect(loop.length).toBe(1);
  });

  it('type-checks the pure parts without Node types', () => {
    // tsconfig.pure.json includes only the pure folders and sets "types": [].
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.pure.json'],
      {
        cwd: ROOT,
        stdio: 'pipe',
      },
    );
  });
});
