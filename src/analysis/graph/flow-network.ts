/**
 * Compact residual network for the flow algorithms in this folder (max-flow, min-cost flow).
 *
 * Layout (the classic paired-arc representation, e.g. Ahuja, Magnanti & Orlin, "Network Flows", 1993,
 * §2.3): input edge i becomes forward arc 2i and reverse arc 2i+1, so the partner of arc a is `a ^ 1`
 * and the tail of arc a is `arcHead[a ^ 1]`. When several sources or sinks are given, a super-source
 * and a super-sink are appended as the last two nodes, joined to the terminals by arcs placed after the
 * input arcs. Arcs are grouped by tail in a CSR index (`arcStart`, `adjacency`), all in typed arrays.
 *
 * Input rules (checked before anything is built, errors are CrossroadsErrors naming the calling module):
 * - capacity: a finite number >= 0; cost (optional, default 0): a finite number;
 * - from / to: non-empty strings; self loops (from === to) are accepted and never carry flow
 *   (a negative-cost self loop with positive capacity is a negative cycle, which min-cost flow rejects);
 * - parallel and antiparallel edges are accepted and kept separate;
 * - every source and sink must appear in some edge; sources and sinks must be disjoint; repeated
 *   names within `sources` or within `sinks` are merged.
 */

import { fail } from '../../core/errors.js';

/** One directed edge of a flow problem, as given by the caller. */
export interface FlowEdge {
  from: string;
  to: string;
  capacity: number;
  /** Cost per unit of flow; only min-cost flow reads it. Defaults to 0. */
  cost?: number;
}

/** Residual network built from a list of edges. Arrays are owned by the algorithm that built it. */
export interface FlowNetwork {
  /** Node ids of the input, in order of first appearance in the edge list (index = node number). */
  readonly nodeIds: readonly string[];
  /** Node id -> node number. */
  readonly nodeIndex: ReadonlyMap<string, number>;
  /** Number of nodes, including a super-source and super-sink when present. */
  readonly nodeCount: number;
  /** Number of input edges (input edge i is arc 2i). */
  readonly edgeCount: number;
  /** Number of arcs (forward and reverse, including super-terminal arcs). */
  readonly arcCount: number;
  /** Head node of each arc. */
  readonly arcHead: Int32Array;
  /** CSR offsets: arcs leaving node u are `adjacency[arcStart[u] .. arcStart[u + 1])`. */
  readonly arcStart: Int32Array;
  /** Arc numbers grouped by tail node. */
  readonly adjacency: Int32Array;
  /** Capacity of each arc (0 for reverse arcs). */
  readonly capacity: Float64Array;
  /** Residual capacity of each arc; starts equal to `capacity`. */
  readonly residual: Float64Array;
  /** Cost of each arc (reverse arc = minus the forward cost). */
  readonly cost: Float64Array;
  /** Largest input capacity (0 for an empty or all-zero network). */
  readonly maxCapacity: number;
  /** True when some input edge has a negative cost. */
  readonly hasNegativeCost: boolean;
  /** Node number where flow starts (a super-source when several sources were given). */
  readonly source: number;
  /** Node number where flow ends (a super-sink when several sinks were given). */
  readonly sink: number;
}

function describeEdge(edge: FlowEdge): string {
  return `${String(edge.from)}->${String(edge.to)}`;
}

function validateEdges(module: string, edges: readonly FlowEdge[]): void {
  if (!Array.isArray(edges)) fail(module, 'edges', edges, 'an array of { from, to, capacity, cost? }');
  for (let i = 0; i < edges.length; i++) {
    const e = edges[i];
    if (typeof e !== 'object' || e === null)
      fail(module, `edges[${i}]`, e, 'an object { from, to, capacity }');
    if (typeof e.from !== 'string' || e.from === '')
      fail(module, `edges[${i}].from`, e.from, 'a non-empty string');
    if (typeof e.to !== 'string' || e.to === '') fail(module, `edges[${i}].to`, e.to, 'a non-empty string');
    if (typeof e.capacity !== 'number' || !Number.isFinite(e.capacity) || e.capacity < 0) {
      fail(
        module,
        `edges[${i}].capacity`,
        e.capacity,
        `a finite number >= 0 (edge ${i}: ${describeEdge(e)})`,
      );
    }
    if (e.cost !== undefined && (typeof e.cost !== 'number' || !Number.isFinite(e.cost))) {
      fail(module, `edges[${i}].cost`, e.cost, `a finite number (edge ${i}: ${describeEdge(e)})`);
    }
  }
}

function resolveTerminals(
  module: string,
  kind: 'sources' | 'sinks',
  names: readonly string[],
  nodeIndex: ReadonlyMap<string, number>,
): number[] {
  if (!Array.isArray(names) || names.length === 0) fail(module, kind, names, 'a non-empty array of node ids');
  const out: number[] = [];
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    const at = typeof name === 'string' ? nodeIndex.get(name) : undefined;
    if (at === undefined) fail(module, `${kind}[${i}]`, name, 'the id of a node that appears in some edge');
    if (!out.includes(at)) out.push(at);
  }
  return out;
}

/**
 * Build a residual network from `edges`, with flow from `sources` to `sinks`.
 *
 * Validate the edges and terminals first and throw a CrossroadsError naming `module` on the first
 * problem. With exactly one source and one sink, use them directly; otherwise add a super-source and a
 * super-sink joined to the terminals by zero-cost arcs whose capacity exceeds the total input capacity
 * (so they are never saturated and never appear in a minimum cut).
 */
export function buildFlowNetwork(
  module: string,
  edges: readonly FlowEdge[],
  sources: readonly string[],
  sinks: readonly string[],
): FlowNetwork {
  validateEdges(module, edges);

  const nodeIds: string[] = [];
  const nodeIndex = new Map<string, number>();
  const m = edges.length;
  const edgeTail = new Int32Array(m);
  const edgeHead = new Int32Array(m);
  let maxCapacity = 0;
  let totalCapacity = 0;
  let hasNegativeCost = false;
  for (let i = 0; i < m; i++) {
    const e = edges[i];
    let u = nodeIndex.get(e.from);
    if (u === undefined) {
      u = nodeIds.length;
      nodeIds.push(e.from);
      nodeIndex.set(e.from, u);
    }
    let v = nodeIndex.get(e.to);
    if (v === undefined) {
      v = nodeIds.length;
      nodeIds.push(e.to);
      nodeIndex.set(e.to, v);
    }
    edgeTail[i] = u;
    edgeHead[i] = v;
    if (e.capacity > maxCapacity) maxCapacity = e.capacity;
    totalCapacity += e.capacity;
    if (e.cost !== undefined && e.cost < 0) hasNegativeCost = true;
  }

  const src = resolveTerminals(module, 'sources', sources, nodeIndex);
  const snk = resolveTerminals(module, 'sinks', sinks, nodeIndex);
  for (let i = 0; i < snk.length; i++) {
    if (src.includes(snk[i])) {
      fail(module, 'sinks', nodeIds[snk[i]], 'a node that is not also a source');
    }
  }

  const multi = src.length > 1 || snk.length > 1;
  const n = nodeIds.length + (multi ? 2 : 0);
  const source = multi ? n - 2 : src[0];
  const sink = multi ? n - 1 : snk[0];
  const extraEdges = multi ? src.length + snk.length : 0;
  const arcCount = 2 * (m + extraEdges);

  const arcHead = new Int32Array(arcCount);
  const capacity = new Float64Array(arcCount);
  const cost = new Float64Array(arcCount);
  for (let i = 0; i < m; i++) {
    const e = edges[i];
    arcHead[2 * i] = edgeHead[i];
    arcHead[2 * i + 1] = edgeTail[i];
    capacity[2 * i] = e.capacity;
    const c = e.cost ?? 0;
    cost[2 * i] = c;
    cost[2 * i + 1] = -c;
  }
  if (multi) {
    // Never binding: no flow can exceed the total input capacity.
    const big = 2 * totalCapacity + 1;
    let a = 2 * m;
    for (const s of src) {
      arcHead[a] = s;
      arcHead[a + 1] = source;
      capacity[a] = big;
      a += 2;
    }
    for (const t of snk) {
      arcHead[a] = sink;
      arcHead[a + 1] = t;
      capacity[a] = big;
      a += 2;
    }
  }

  const arcStart = new Int32Array(n + 1);
  for (let a = 0; a < arcCount; a++) arcStart[arcHead[a ^ 1] + 1]++;
  for (let u = 0; u < n; u++) arcStart[u + 1] += arcStart[u];
  const fill = arcStart.slice(0, n);
  const adjacency = new Int32Array(arcCount);
  for (let a = 0; a < arcCount; a++) adjacency[fill[arcHead[a ^ 1]]++] = a;

  return {
    nodeIds,
    nodeIndex,
    nodeCount: n,
    edgeCount: m,
    arcCount,
    arcHead,
    arcStart,
    adjacency,
    capacity,
    residual: capacity.slice(),
    cost,
    maxCapacity,
    hasNegativeCost,
    source,
    sink,
  };
}

/**
 * Read the flow on each input edge from the residual network, clamped to [0, capacity].
 * Self loops always report 0.
 */
export function inputEdgeFlows(net: FlowNetwork): Float64Array {
  const flows = new Float64Array(net.edgeCount);
  const { capacity, residual, arcHead } = net;
  for (let i = 0; i < net.edgeCount; i++) {
    const a = 2 * i;
    if (arcHead[a] === arcHead[a + 1]) continue;
    const f = capacity[a] - residual[a];
    flows[i] = f < 0 ? 0 : Math.min(f, capacity[a]);
  }
  return flows;
}

/** Check that `epsilon` is a finite number >= 0 and return it. */
export function checkEpsilon(module: string, epsilon: unknown): number {
  if (typeof epsilon !== 'number' || !Number.isFinite(epsilon) || epsilon < 0) {
    fail(module, 'options.epsilon', epsilon, 'a finite number >= 0');
  }
  return epsilon;
}
