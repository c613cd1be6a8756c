import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  type FlowEdge,
  type MaxFlowResult,
  type MinCostFlowResult,
  maxFlow,
  maxFlowMulti,
  minCostFlow,
  minCostFlowMulti,
} from '../src/analysis/graph/index.js';

/** The Python with networkx that regenerates the oracle's answers (Debian's by default). */
const PYTHON = process.env.CROSSROADS_PYTHON ?? '/usr/bin/python3';
const ORACLE = fileURLToPath(new URL('./oracle/flow_oracle.py', import.meta.url));
const TOL = 1e-6;

/** Mulberry32: a tiny seeded PRNG for test data (no Math.random). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Problem {
  edges: FlowEdge[];
  sources: string[];
  sinks: string[];
}

interface GraphSpec {
  nodes: number;
  density: number;
  maxCapacity: number;
  /** Capacities are multiples of 1/capacityDenominator (dyadic, so exact in binary). */
  capacityDenominator?: number;
  minCost: number;
  maxCost: number;
  /** Only edges from lower to higher node number (no cycles, so negative costs are safe). */
  acyclic?: boolean;
  sources?: number;
  sinks?: number;
}

/** Random simple digraph (no self loops, no repeated pairs) with every terminal on some edge. */
function randomProblem(rand: () => number, spec: GraphSpec): Problem {
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const ns = spec.sources ?? 1;
  const nt = spec.sinks ?? 1;
  const n = Math.max(spec.nodes, ns + nt);
  const name = (i: number) => `n${i}`;
  const edges: FlowEdge[] = [];
  const used = new Set<string>();
  const add = (u: number, v: number) => {
    const key = `${u},${v}`;
    if (u === v || used.has(key)) return;
    used.add(key);
    const den = spec.capacityDenominator ?? 1;
    edges.push({
      from: name(u),
      to: name(v),
      capacity: int(0, spec.maxCapacity * den) / den,
      cost: int(spec.minCost, spec.maxCost),
    });
  };
  for (let u = 0; u < n; u++) {
    for (let v = 0; v < n; v++) {
      if (spec.acyclic && v <= u) continue;
      if (rand() < spec.density) add(u, v);
    }
  }
  const sources = Array.from({ length: ns }, (_, i) => name(i));
  const sinks = Array.from({ length: nt }, (_, i) => name(n - 1 - i));
  const seen = new Set(edges.flatMap((e) => [e.from, e.to]));
  for (let i = 0; i < ns; i++) if (!seen.has(name(i))) add(i, int(ns, n - 1));
  for (let i = 0; i < nt; i++) if (!seen.has(name(n - 1 - i))) add(int(0, n - 1 - nt), n - 1 - i);
  return { edges, sources, sinks };
}

/** Assert 0 <= flow <= capacity, conservation at inner nodes, and `value` leaving/entering terminals. */
function expectFeasible(p: Problem, edgeFlows: Float64Array, value: number): void {
  expect(edgeFlows.length).toBe(p.edges.length);
  const net = new Map<string, number>();
  p.edges.forEach((e, i) => {
    const f = edgeFlows[i];
    expect(f).toBeGreaterThanOrEqual(0);
    expect(f).toBeLessThanOrEqual(e.capacity + TOL);
    net.set(e.from, (net.get(e.from) ?? 0) + f);
    net.set(e.to, (net.get(e.to) ?? 0) - f);
  });
  let out = 0;
  let inflow = 0;
  for (const [node, excess] of net) {
    if (p.sources.includes(node)) out += excess;
    else if (p.sinks.includes(node)) inflow -= excess;
    else expect(Math.abs(excess), `conservation at ${node}`).toBeLessThan(TOL);
  }
  expect(out).toBeCloseTo(value, 6);
  expect(inflow).toBeCloseTo(value, 6);
}

/** Assert the cut separates terminals, is exactly the positive edges S -> T, saturated, and = value. */
function expectMinCut(p: Problem, r: MaxFlowResult): void {
  const side = new Set(r.minCut.sourceSide);
  for (const s of p.sources) expect(side.has(s)).toBe(true);
  for (const t of p.sinks) expect(side.has(t)).toBe(false);
  const expected: number[] = [];
  let capacity = 0;
  p.edges.forEach((e, i) => {
    const crosses = side.has(e.from) && !side.has(e.to);
    if (crosses && e.capacity > 0) {
      expected.push(i);
      capacity += e.capacity;
      expect(r.edgeFlows[i]).toBeCloseTo(e.capacity, 6);
    }
    if (!side.has(e.from) && side.has(e.to)) expect(r.edgeFlows[i]).toBeCloseTo(0, 6);
  });
  expect(r.minCut.edges).toEqual(expected);
  expect(r.minCut.capacity).toBeCloseTo(capacity, 6);
  expect(r.minCut.capacity).toBeCloseTo(r.value, 6);
}

/** Optimality certificate: no negative-cost cycle in the residual network (Bellman-Ford). */
function expectNoNegativeResidualCycle(p: Problem, r: MinCostFlowResult): void {
  const arcs: [string, string, number][] = [];
  p.edges.forEach((e, i) => {
    const c = e.cost ?? 0;
    if (e.capacity - r.edgeFlows[i] > TOL) arcs.push([e.from, e.to, c]);
    if (r.edgeFlows[i] > TOL) arcs.push([e.to, e.from, -c]);
  });
  const dist = new Map<string, number>();
  for (const e of p.edges) {
    dist.set(e.from, 0);
    dist.set(e.to, 0);
  }
  let changed = true;
  for (let pass = 0; pass <= dist.size && changed; pass++) {
    changed = false;
    for (const [u, v, c] of arcs) {
      const d = (dist.get(u) ?? 0) + c;
      if (d < (dist.get(v) ?? 0) - 1e-9) {
        dist.set(v, d);
        changed = true;
      }
    }
  }
  expect(changed, 'residual network has a negative cycle').toBe(false);
}

function costOf(p: Problem, edgeFlows: Float64Array): number {
  return p.edges.reduce((sum, e, i) => sum + edgeFlows[i] * (e.cost ?? 0), 0);
}

const e = (from: string, to: string, capacity: number, cost?: number): FlowEdge =>
  cost === undefined ? { from, to, capacity } : { from, to, capacity, cost };

// CLRS 3rd ed., Figure 26.1: maximum flow 23.
const CLRS: FlowEdge[] = [
  e('s', 'v1', 16),
  e('s', 'v2', 13),
  e('v2', 'v1', 4),
  e('v1', 'v3', 12),
  e('v3', 'v2', 9),
  e('v2', 'v4', 14),
  e('v4', 'v3', 7),
  e('v3', 't', 20),
  e('v4', 't', 4),
];

describe('maxFlow on hand-checked graphs', () => {
  it('finds 23 on the CLRS example, with the cut {s,v1,v2,v4}', () => {
    const r = maxFlow(CLRS, 's', 't');
    expect(r.value).toBe(23);
    expect(r.minCut.capacity).toBe(23);
    expect(r.minCut.sourceSide).toEqual(['s', 'v1', 'v2', 'v4']);
    expect(r.minCut.edges).toEqual([3, 6, 8]);
    expectFeasible({ edges: CLRS, sources: ['s'], sinks: ['t'] }, r.edgeFlows, 23);
  });

  it('keeps parallel edges separate and ignores self loops', () => {
    const edges = [e('s', 't', 2), e('s', 's', 5), e('s', 't', 3), e('t', 't', 1)];
    const r = maxFlow(edges, 's', 't');
    expect(r.value).toBe(5);
    expect(Array.from(r.edgeFlows)).toEqual([2, 0, 3, 0]);
    expect(r.minCut.edges).toEqual([0, 2]);
  });

  it('returns 0 when the sink is unreachable, and leaves zero-capacity edges out of the cut', () => {
    const edges = [e('s', 'a', 4), e('a', 'b', 0), e('b', 't', 4), e('t', 's', 9)];
    const r = maxFlow(edges, 's', 't');
    expect(r.value).toBe(0);
    expect(r.minCut.sourceSide).toEqual(['s', 'a']);
    expect(r.minCut.edges).toEqual([]);
    expect(r.minCut.capacity).toBe(0);
  });

  it('handles non-integer capacities within tolerance', () => {
    const edges = [e('s', 'a', 0.1), e('s', 'b', 0.2), e('a', 't', 0.3), e('b', 'a', 0.7), e('b', 't', 0.05)];
    const r = maxFlow(edges, 's', 't');
    expect(r.value).toBeCloseTo(0.3, 12);
    expectFeasible({ edges, sources: ['s'], sinks: ['t'] }, r.edgeFlows, r.value);
    expectMinCut({ edges, sources: ['s'], sinks: ['t'] }, r);
  });

  it('joins several sources and sinks', () => {
    const edges = [
      e('p1', 'hub', 5),
      e('p2', 'hub', 7),
      e('hub', 'm1', 4),
      e('hub', 'm2', 6),
      e('p2', 'm2', 1),
    ];
    const p = { edges, sources: ['p1', 'p2', 'p1'], sinks: ['m1', 'm2'] };
    const r = maxFlowMulti(edges, p.sources, p.sinks);
    expect(r.value).toBe(11);
    expect(r.minCut.sourceSide).toEqual(['p1', 'hub', 'p2']);
    expect(r.minCut.edges).toEqual([2, 3, 4]);
    expectFeasible(p, r.edgeFlows, 11);
  });
});

describe('maxFlow input validation', () => {
  it('names the module, the edge and the bad value', () => {
    const bad = [e('A', 'B', 1), e('B', 'C', -1)];
    expect(() => maxFlow(bad, 'A', 'C')).toThrow(
      'analysis/graph/max-flow: edges[1].capacity: got -1, expected a finite number >= 0 (edge 1: B->C)',
    );
    expect(() => maxFlow([e('A', 'B', Number.NaN)], 'A', 'B')).toThrow(/edges\[0\]\.capacity: got NaN/);
    expect(() => maxFlow([e('A', 'B', Number.POSITIVE_INFINITY)], 'A', 'B')).toThrow(/got Infinity/);
    expect(() => maxFlow([e('A', 'B', 1, Number.NaN)], 'A', 'B')).toThrow(/edges\[0\]\.cost/);
    expect(() => maxFlow([e('', 'B', 1)], 'A', 'B')).toThrow(/edges\[0\]\.from/);
  });

  it('rejects unknown, equal, overlapping or missing terminals and a bad epsilon', () => {
    expect(() => maxFlow(CLRS, 'x', 't')).toThrow(/max-flow: sources\[0\]: got "x"/);
    expect(() => maxFlow(CLRS, 's', 'y')).toThrow(/max-flow: sinks\[0\]: got "y"/);
    expect(() => maxFlow(CLRS, 's', 's')).toThrow(/not also a source/);
    expect(() => maxFlowMulti(CLRS, ['s', 'v1'], ['t', 'v1'])).toThrow(/not also a source/);
    expect(() => maxFlowMulti(CLRS, [], ['t'])).toThrow(/sources: got an array of 0/);
    expect(() => maxFlow(CLRS, 's', 't', { epsilon: -1 })).toThrow(/options\.epsilon/);
  });
});

describe('minCostFlow on hand-checked graphs', () => {
  const diamond = [
    e('s', 'a', 2, 1),
    e('s', 'b', 2, 2),
    e('a', 't', 1, 1),
    e('b', 't', 3, 1),
    e('a', 'b', 1, 0),
  ];

  it('sends the maximum flow at least cost', () => {
    const r = minCostFlow(diamond, 's', 't');
    expect(r.value).toBe(4);
    expect(r.cost).toBe(10);
    expect(Array.from(r.edgeFlows)).toEqual([2, 2, 1, 3, 1]);
  });

  it('sends a given amount at least cost', () => {
    expect(minCostFlow(diamond, 's', 't', { amount: 0 }).cost).toBe(0);
    expect(minCostFlow(diamond, 's', 't', { amount: 1 }).cost).toBe(2);
    expect(minCostFlow(diamond, 's', 't', { amount: 2 }).cost).toBe(4);
    expect(minCostFlow(diamond, 's', 't', { amount: 3 }).cost).toBe(7);
    expect(minCostFlow(diamond, 's', 't', { amount: 2.5 }).cost).toBe(5.5);
  });

  it('supports negative costs without negative cycles', () => {
    const edges = [e('s', 'a', 1, -5), e('a', 't', 1, 1), e('s', 't', 1, 0), e('t', 'a', 1, 2)];
    expect(minCostFlow(edges, 's', 't', { amount: 1 })).toMatchObject({ value: 1, cost: -4 });
    expect(minCostFlow(edges, 's', 't')).toMatchObject({ value: 2, cost: -4 });
  });

  it('routes several sources to several sinks', () => {
    const edges = [e('p1', 'm1', 3, 4), e('p1', 'm2', 3, 1), e('p2', 'm1', 3, 1), e('p2', 'm2', 3, 4)];
    const r = minCostFlowMulti(edges, ['p1', 'p2'], ['m1', 'm2'], { amount: 8 });
    expect(r).toMatchObject({ value: 8, cost: 14 });
  });

  it('rejects negative cycles, infeasible amounts and bad options', () => {
    const cyc = [e('s', 'a', 1, 1), e('a', 'b', 1, -3), e('b', 'a', 1, 1), e('a', 't', 1, 1)];
    expect(() => minCostFlow(cyc, 's', 't')).toThrow(/min-cost-flow: edges: .*negative total cost/);
    expect(() => minCostFlow([e('s', 't', 1), e('s', 's', 1, -1)], 's', 't')).toThrow(/negative total cost/);
    expect(minCostFlow([e('s', 't', 1), e('s', 's', 0, -1)], 's', 't').cost).toBe(0);
    expect(() => minCostFlow(diamond, 's', 't', { amount: 5 })).toThrow(
      /min-cost-flow: the requested amount cannot be sent\n.*options\.amount: got 5, expected at most the maximum flow 4/,
    );
    expect(() => minCostFlow(diamond, 's', 't', { amount: -1 })).toThrow(/options\.amount: got -1/);
    expect(() => minCostFlow([e('s', 't', -2)], 's', 't')).toThrow(
      /^analysis\/graph\/min-cost-flow: edges\[0\]/,
    );
  });
});

describe('flow properties on random graphs', () => {
  const rand = prng(20240611);
  const problems: Problem[] = [];
  for (let i = 0; i < 150; i++) {
    problems.push(
      randomProblem(rand, {
        nodes: 2 + Math.floor(rand() * 25),
        density: 0.05 + rand() * 0.4,
        maxCapacity: 1 + Math.floor(rand() * 30),
        capacityDenominator: i % 3 === 0 ? 1 : i % 3 === 1 ? 7 : 1000,
        minCost: 0,
        maxCost: 9,
        sources: 1 + (i % 4 === 3 ? Math.floor(rand() * 3) : 0),
        sinks: 1 + (i % 5 === 4 ? Math.floor(rand() * 3) : 0),
      }),
    );
  }

  it('max-flow: bounds, conservation, value == min-cut capacity', () => {
    for (const p of problems) {
      const r = maxFlowMulti(p.edges, p.sources, p.sinks);
      expectFeasible(p, r.edgeFlows, r.value);
      expectMinCut(p, r);
    }
  });

  it('min-cost flow: feasible, max value, cost consistent, no negative residual cycle', () => {
    for (const p of problems) {
      const mf = maxFlowMulti(p.edges, p.sources, p.sinks).value;
      const r = minCostFlowMulti(p.edges, p.sources, p.sinks);
      expect(r.value).toBeCloseTo(mf, 6);
      expectFeasible(p, r.edgeFlows, r.value);
      expect(r.cost).toBeCloseTo(costOf(p, r.edgeFlows), 6);
      expectNoNegativeResidualCycle(p, r);
      const half = minCostFlowMulti(p.edges, p.sources, p.sinks, { amount: mf / 2 });
      expect(half.value).toBeCloseTo(mf / 2, 6);
      expectFeasible(p, half.edgeFlows, half.value);
      expectNoNegativeResidualCycle(p, half);
    }
  });

  it('handles a large layered network quickly', () => {
    const big = randomProblem(prng(7), {
      nodes: 1500,
      density: 0.006,
      maxCapacity: 100,
      minCost: 0,
      maxCost: 20,
    });
    const t0 = performance.now();
    const r = maxFlowMulti(big.edges, big.sources, big.sinks);
    const m = minCostFlowMulti(big.edges, big.sources, big.sinks);
    expect(performance.now() - t0).toBeLessThan(10_000);
    expectMinCut(big, r);
    expect(m.value).toBeCloseTo(r.value, 6);
  });
});

interface OracleResult {
  maxFlow: number;
  minCut: number;
  minCostMaxFlow: { value: number; cost: number } | null;
  minCostAmount: number | null;
}

/**
 * networkx's answers for the 40 graphs are committed in test/oracle/flow-oracle-answers.json, so the
 * test needs no Python; `test/oracle/regenerate.sh` (where /usr/bin/python3 has networkx) rebuilds
 * them by running this test with CROSSROADS_REGENERATE_ORACLE=1. The committed graphs must equal the
 * ones generated here, so the answers always belong to the graphs checked.
 */
const ANSWERS = fileURLToPath(new URL('./oracle/flow-oracle-answers.json', import.meta.url));

describe('oracle: networkx', () => {
  it('agrees on max-flow, min-cut and min-cost flow for 40 random graphs', () => {
    const rand = prng(1970);
    const cases: { p: Problem; minCost: boolean; amount: number | null }[] = [];
    for (let i = 0; i < 40; i++) {
      let spec: GraphSpec;
      if (i < 22) {
        spec = {
          nodes: 2 + Math.floor(rand() * 13),
          density: 0.1 + rand() * 0.5,
          maxCapacity: 20,
          minCost: 0,
          maxCost: 9,
        };
      } else if (i < 28) {
        spec = {
          nodes: 3 + Math.floor(rand() * 12),
          density: 0.35,
          maxCapacity: 15,
          minCost: -9,
          maxCost: 9,
          acyclic: true,
        };
      } else if (i < 34) {
        spec = {
          nodes: 6 + Math.floor(rand() * 10),
          density: 0.3,
          maxCapacity: 12,
          minCost: 0,
          maxCost: 9,
          sources: 2,
          sinks: 3,
        };
      } else if (i < 38) {
        // Dyadic capacities: max-flow only (networkx's network simplex wants integers).
        spec = {
          nodes: 4 + Math.floor(rand() * 10),
          density: 0.4,
          maxCapacity: 9,
          capacityDenominator: 8,
          minCost: 0,
          maxCost: 0,
        };
      } else {
        spec = { nodes: 60, density: 0.1, maxCapacity: 50, minCost: 0, maxCost: 20 };
      }
      const p = randomProblem(rand, spec);
      const minCost = spec.capacityDenominator === undefined;
      const amount = minCost ? Math.floor(maxFlowMulti(p.edges, p.sources, p.sinks).value / 2) : null;
      cases.push({ p, minCost, amount });
    }

    const graphs = cases.map(({ p, minCost, amount }) => ({
      edges: p.edges.map((x) => [x.from, x.to, x.capacity, x.cost ?? 0]),
      sources: p.sources,
      sinks: p.sinks,
      amount,
      minCost,
    }));
    if (process.env.CROSSROADS_REGENERATE_ORACLE === '1') {
      const dir = mkdtempSync(join(tmpdir(), 'crossroads-flow-oracle-'));
      try {
        const file = join(dir, 'graphs.json');
        writeFileSync(file, JSON.stringify({ graphs }));
        const out = execFileSync(PYTHON, [ORACLE, file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
        const answers = JSON.parse(out) as { networkx: string; results: OracleResult[] };
        writeFileSync(
          ANSWERS,
          `${JSON.stringify({ $comment: 'networkx answers for the graphs of test/graph-flow.test.ts; regenerate with test/oracle/regenerate.sh', networkx: answers.networkx, graphs, results: answers.results })}\n`,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    const committed = JSON.parse(readFileSync(ANSWERS, 'utf8')) as {
      graphs: unknown;
      results: OracleResult[];
    };
    expect(committed.graphs, 'the committed answers are for these graphs').toEqual(graphs);
    const oracle = committed.results;
    expect(oracle).toHaveLength(cases.length);
    let nonTrivial = 0;
    cases.forEach(({ p, minCost, amount }, i) => {
      const want = oracle[i];
      const r = maxFlowMulti(p.edges, p.sources, p.sinks);
      if (r.value > 0) nonTrivial++;
      expect(Math.abs(r.value - want.maxFlow), `graph ${i}: max-flow value`).toBeLessThan(TOL);
      expect(Math.abs(r.minCut.capacity - want.minCut), `graph ${i}: min-cut capacity`).toBeLessThan(TOL);
      if (!minCost) return;
      const m = minCostFlowMulti(p.edges, p.sources, p.sinks);
      expect(want.minCostMaxFlow, `graph ${i}: oracle min-cost result`).not.toBeNull();
      expect(
        Math.abs(m.value - (want.minCostMaxFlow?.value ?? Number.NaN)),
        `graph ${i}: min-cost value`,
      ).toBeLessThan(TOL);
      expect(
        Math.abs(m.cost - (want.minCostMaxFlow?.cost ?? Number.NaN)),
        `graph ${i}: min cost`,
      ).toBeLessThan(TOL);
      const a = minCostFlowMulti(p.edges, p.sources, p.sinks, { amount: amount ?? 0 });
      expect(
        Math.abs(a.cost - (want.minCostAmount ?? Number.NaN)),
        `graph ${i}: cost of amount ${amount}`,
      ).toBeLessThan(TOL);
    });
    expect(nonTrivial).toBeGreaterThan(25);
  });
});
