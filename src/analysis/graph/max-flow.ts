/**
 * Maximum flow and minimum cut by Dinic's algorithm: E. A. Dinic, "Algorithm for solution of a problem
 * of maximum flow in a network with power estimation", Soviet Math. Doklady 11 (1970) 1277-1280, in the
 * form presented by S. Even, "Graph Algorithms" (1979), ch. 5: repeat { BFS levels from the source in
 * the residual network; push a blocking flow along level-increasing arcs with a current-arc pointer per
 * node } until the sink is unreachable. O(V^2 E) in general.
 *
 * The minimum cut is read off the final residual network (Ford & Fulkerson 1956): the source side is the
 * set of nodes still reachable from the source; the cut is every input edge with positive capacity from
 * that set to the rest, and its capacity equals the flow value.
 *
 * Floating capacities: a residual counts as positive only when it exceeds
 * `tolerance = options.epsilon * (largest input capacity)`. With integer capacities below 2^53 all
 * arithmetic is exact and the tolerance never matters.
 */

import {
  buildFlowNetwork,
  checkEpsilon,
  type FlowEdge,
  type FlowNetwork,
  inputEdgeFlows,
} from './flow-network.js';

const MODULE = 'analysis/graph/max-flow';

/** Default options of {@link maxFlow} and {@link maxFlowMulti}. */
export const DEFAULTS = {
  /** Relative tolerance: residuals at or below `epsilon * max capacity` count as saturated. */
  epsilon: 1e-12,
} as const;

/** Options of {@link maxFlow} and {@link maxFlowMulti}. */
export interface MaxFlowOptions {
  /** Relative tolerance for residual comparisons (see {@link DEFAULTS}). */
  epsilon?: number;
}

/** A minimum cut separating the sources from the sinks. */
export interface MinCut {
  /** Node ids on the source side (reachable from the sources in the final residual network), in input order. */
  sourceSide: string[];
  /** Indices of the input edges with positive capacity from the source side to the sink side, ascending. */
  edges: number[];
  /** Sum of the capacities of the cut edges; equals the flow value up to rounding. */
  capacity: number;
}

/** Result of a maximum-flow computation. */
export interface MaxFlowResult {
  /** Maximum flow value (net flow out of the sources). */
  value: number;
  /** Flow on each input edge, aligned with the input list. */
  edgeFlows: Float64Array;
  /** A minimum cut (the one with the smallest source side). */
  minCut: MinCut;
}

/**
 * Compute a maximum flow from `source` to `sink` and a minimum cut.
 *
 * Throw a CrossroadsError (module `analysis/graph/max-flow`) when an edge is invalid, a terminal does
 * not appear in any edge, or source equals sink.
 */
export function maxFlow(
  edges: readonly FlowEdge[],
  source: string,
  sink: string,
  options: MaxFlowOptions = {},
): MaxFlowResult {
  return maxFlowMulti(edges, [source], [sink], options);
}

/**
 * Compute a maximum flow from any of `sources` to any of `sinks` (through a super-source and a
 * super-sink of unbounded capacity) and a minimum cut separating them.
 *
 * Throw a CrossroadsError when an edge is invalid, a terminal does not appear in any edge, a list is
 * empty, or a node is both a source and a sink.
 */
export function maxFlowMulti(
  edges: readonly FlowEdge[],
  sources: readonly string[],
  sinks: readonly string[],
  options: MaxFlowOptions = {},
): MaxFlowResult {
  const epsilon = checkEpsilon(MODULE, options.epsilon ?? DEFAULTS.epsilon);
  const net = buildFlowNetwork(MODULE, edges, sources, sinks);
  const tolerance = epsilon * net.maxCapacity;
  const value = dinic(net, tolerance);
  return { value, edgeFlows: inputEdgeFlows(net), minCut: readMinCut(net, edges, tolerance) };
}

/** Run Dinic's algorithm on `net` (mutating its residuals) and return the flow value. */
function dinic(net: FlowNetwork, tolerance: number): number {
  const { nodeCount: n, arcHead, arcStart, adjacency, residual, source: s, sink: t } = net;
  const level = new Int32Array(n);
  const queue = new Int32Array(n);
  const current = new Int32Array(n);
  const path = new Int32Array(n);
  let total = 0;

  for (;;) {
    // BFS levels in the residual network.
    level.fill(-1);
    level[s] = 0;
    let qHead = 0;
    let qTail = 0;
    queue[qTail++] = s;
    while (qHead < qTail) {
      const u = queue[qHead++];
      const end = arcStart[u + 1];
      for (let k = arcStart[u]; k < end; k++) {
        const a = adjacency[k];
        const v = arcHead[a];
        if (level[v] < 0 && residual[a] > tolerance) {
          level[v] = level[u] + 1;
          queue[qTail++] = v;
        }
      }
    }
    if (level[t] < 0) return total;

    // Blocking flow by iterative DFS with current-arc pointers.
    for (let u = 0; u < n; u++) current[u] = arcStart[u];
    let u = s;
    let depth = 0;
    for (;;) {
      if (u === t) {
        let push = Number.POSITIVE_INFINITY;
        for (let i = 0; i < depth; i++) {
          const r = residual[path[i]];
          if (r < push) push = r;
        }
        let retreat = depth;
        for (let i = 0; i < depth; i++) {
          const a = path[i];
          residual[a] -= push;
          residual[a ^ 1] += push;
          if (retreat === depth && residual[a] <= tolerance) retreat = i;
        }
        total += push;
        depth = retreat;
        u = arcHead[path[depth] ^ 1];
        continue;
      }
      const end = arcStart[u + 1];
      const nextLevel = level[u] + 1;
      let k = current[u];
      while (k < end) {
        const a = adjacency[k];
        if (residual[a] > tolerance && level[arcHead[a]] === nextLevel) break;
        k++;
      }
      current[u] = k;
      if (k < end) {
        const a = adjacency[k];
        path[depth++] = a;
        u = arcHead[a];
      } else {
        // Dead end: drop u from this phase and step back.
        level[u] = -1;
        if (depth === 0) break;
        const a = path[--depth];
        u = arcHead[a ^ 1];
        current[u]++;
      }
    }
  }
}

function readMinCut(net: FlowNetwork, edges: readonly FlowEdge[], tolerance: number): MinCut {
  const { nodeCount: n, arcHead, arcStart, adjacency, residual, source: s } = net;
  const seen = new Uint8Array(n);
  const queue = new Int32Array(n);
  let qHead = 0;
  let qTail = 0;
  seen[s] = 1;
  queue[qTail++] = s;
  while (qHead < qTail) {
    const u = queue[qHead++];
    const end = arcStart[u + 1];
    for (let k = arcStart[u]; k < end; k++) {
      const a = adjacency[k];
      const v = arcHead[a];
      if (seen[v] === 0 && residual[a] > tolerance) {
        seen[v] = 1;
        queue[qTail++] = v;
      }
    }
  }
  const sourceSide: string[] = [];
  for (let v = 0; v < net.nodeIds.length; v++) if (seen[v] === 1) sourceSide.push(net.nodeIds[v]);
  const cutEdges: number[] = [];
  let capacity = 0;
  for (let i = 0; i < net.edgeCount; i++) {
    if (seen[arcHead[2 * i + 1]] === 1 && seen[arcHead[2 * i]] === 0 && edges[i].capacity > 0) {
      cutEdges.push(i);
      capacity += edges[i].capacity;
    }
  }
  return { sourceSide, edges: cutEdges, capacity };
}
