/**
 * Minimum-cost flow by successive shortest paths with node potentials: Edmonds & Karp, "Theoretical
 * improvements in algorithmic efficiency for network flow problems", J. ACM 19 (1972) 248-264, and
 * Tomizawa, "On some techniques useful for solution of transportation network problems", Networks 1
 * (1971) 173-194; as presented by Ahuja, Magnanti & Orlin, "Network Flows" (1993), §9.7.
 *
 * Potentials start from Bellman-Ford (1958) shortest distances from a virtual root joined to every
 * node, which makes every reduced cost non-negative and detects negative cycles; each round then runs
 * Dijkstra (1959) on reduced costs with an indexed binary heap in typed arrays, adds the distances to
 * the potentials and augments along the cheapest source-sink path.
 *
 * Negative costs are supported as long as no cycle of positive-capacity edges has negative total cost
 * (such a cycle makes the zero flow non-optimal; it is rejected with an error). Floating capacities use
 * the same relative tolerance as max-flow; reduced costs that come out slightly negative from rounding
 * are treated as 0.
 */

import { CrossroadsError, fail } from '../../core/errors.js';
import {
  buildFlowNetwork,
  checkEpsilon,
  type FlowEdge,
  type FlowNetwork,
  inputEdgeFlows,
} from './flow-network.js';

const MODULE = 'analysis/graph/min-cost-flow';

/** Default options of {@link minCostFlow} and {@link minCostFlowMulti}. */
export const DEFAULTS = {
  /** Relative tolerance: residuals at or below `epsilon * max capacity` count as saturated. */
  epsilon: 1e-12,
} as const;

/** Options of {@link minCostFlow} and {@link minCostFlowMulti}. */
export interface MinCostFlowOptions {
  /** Flow value to send; omitted means the maximum flow (min-cost max-flow). */
  amount?: number;
  /** Relative tolerance for residual comparisons (see {@link DEFAULTS}). */
  epsilon?: number;
}

/** Result of a minimum-cost flow computation. */
export interface MinCostFlowResult {
  /** Flow value sent. */
  value: number;
  /** Total cost: sum over input edges of flow * cost. */
  cost: number;
  /** Flow on each input edge, aligned with the input list. */
  edgeFlows: Float64Array;
}

/**
 * Compute a cheapest flow of `options.amount` from `source` to `sink`, or a cheapest maximum flow when
 * no amount is given.
 *
 * Throw a CrossroadsError (module `analysis/graph/min-cost-flow`) when an edge is invalid, a terminal
 * does not appear in any edge, source equals sink, a negative-cost cycle exists, or the amount exceeds
 * the maximum flow.
 */
export function minCostFlow(
  edges: readonly FlowEdge[],
  source: string,
  sink: string,
  options: MinCostFlowOptions = {},
): MinCostFlowResult {
  return minCostFlowMulti(edges, [source], [sink], options);
}

/**
 * Compute a cheapest flow of `options.amount` (or a cheapest maximum flow) from any of `sources` to
 * any of `sinks`, through a zero-cost super-source and super-sink.
 *
 * Throw a CrossroadsError for the same reasons as {@link minCostFlow}, or when a list is empty or a
 * node is both a source and a sink.
 */
export function minCostFlowMulti(
  edges: readonly FlowEdge[],
  sources: readonly string[],
  sinks: readonly string[],
  options: MinCostFlowOptions = {},
): MinCostFlowResult {
  const epsilon = checkEpsilon(MODULE, options.epsilon ?? DEFAULTS.epsilon);
  const amount = options.amount;
  if (amount !== undefined && (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0)) {
    fail(MODULE, 'options.amount', amount, 'a finite number >= 0, or nothing for the maximum flow');
  }
  const net = buildFlowNetwork(MODULE, edges, sources, sinks);
  const tolerance = epsilon * net.maxCapacity;
  const potential = new Float64Array(net.nodeCount);
  if (net.hasNegativeCost) initialPotentials(net, tolerance, potential);

  const target = amount ?? Number.POSITIVE_INFINITY;
  const value = successiveShortestPaths(net, tolerance, potential, target);
  if (amount !== undefined && amount - value > tolerance) {
    throw new CrossroadsError(
      MODULE,
      [{ path: 'options.amount', value: amount, expected: `at most the maximum flow ${value}` }],
      'the requested amount cannot be sent',
    );
  }
  const edgeFlows = inputEdgeFlows(net);
  let cost = 0;
  for (let i = 0; i < edgeFlows.length; i++) cost += edgeFlows[i] * net.cost[2 * i];
  return { value, cost, edgeFlows };
}

/**
 * Bellman-Ford from a virtual root at distance 0 to every node, over arcs with positive residual.
 * Fill `potential` with the distances; throw when a negative cycle remains after n passes.
 */
function initialPotentials(net: FlowNetwork, tolerance: number, potential: Float64Array): void {
  const { nodeCount: n, arcCount, arcHead, residual, cost } = net;
  potential.fill(0);
  for (let pass = 0; pass < n; pass++) {
    let changed = false;
    for (let a = 0; a < arcCount; a++) {
      if (residual[a] <= tolerance) continue;
      const u = arcHead[a ^ 1];
      const v = arcHead[a];
      const d = potential[u] + cost[a];
      if (d < potential[v]) {
        potential[v] = d;
        changed = true;
      }
    }
    if (!changed) return;
  }
  fail(
    MODULE,
    'edges',
    `${net.edgeCount} edges`,
    'no cycle of positive-capacity edges with negative total cost',
  );
}

/** Augment along cheapest paths until `target` is sent or the sink is cut off; return the value sent. */
function successiveShortestPaths(
  net: FlowNetwork,
  tolerance: number,
  potential: Float64Array,
  target: number,
): number {
  const { nodeCount: n, arcHead, arcStart, adjacency, residual, cost, source: s, sink: t } = net;
  const dist = new Float64Array(n);
  const prevArc = new Int32Array(n);
  const done = new Uint8Array(n);
  // Indexed binary min-heap on dist: heap[i] = node, pos[node] = slot or -1.
  const heap = new Int32Array(n);
  const pos = new Int32Array(n);
  const INF = Number.POSITIVE_INFINITY;
  let value = 0;

  while (target - value > tolerance) {
    dist.fill(INF);
    prevArc.fill(-1);
    done.fill(0);
    pos.fill(-1);
    let size = 0;
    dist[s] = 0;
    heap[size] = s;
    pos[s] = size++;

    while (size > 0) {
      // Pop the minimum.
      const u = heap[0];
      pos[u] = -1;
      size--;
      if (size > 0) {
        const last = heap[size];
        const key = dist[last];
        let i = 0;
        for (;;) {
          let c = 2 * i + 1;
          if (c >= size) break;
          if (c + 1 < size && dist[heap[c + 1]] < dist[heap[c]]) c++;
          if (dist[heap[c]] >= key) break;
          heap[i] = heap[c];
          pos[heap[i]] = i;
          i = c;
        }
        heap[i] = last;
        pos[last] = i;
      }
      done[u] = 1;
      const du = dist[u];
      const pu = potential[u];
      const end = arcStart[u + 1];
      for (let k = arcStart[u]; k < end; k++) {
        const a = adjacency[k];
        if (residual[a] <= tolerance) continue;
        const v = arcHead[a];
        if (done[v] === 1) continue;
        let rc = cost[a] + pu - potential[v];
        if (rc < 0) rc = 0;
        const nd = du + rc;
        if (nd >= dist[v]) continue;
        dist[v] = nd;
        prevArc[v] = a;
        // Insert or decrease key, then sift up.
        let i = pos[v];
        if (i < 0) i = size++;
        while (i > 0) {
          const p = (i - 1) >> 1;
          if (dist[heap[p]] <= nd) break;
          heap[i] = heap[p];
          pos[heap[i]] = i;
          i = p;
        }
        heap[i] = v;
        pos[v] = i;
      }
    }
    if (dist[t] === INF) break;

    // Keep reduced costs non-negative; unreached nodes stay unreachable for the rest of the run.
    for (let v = 0; v < n; v++) if (dist[v] !== INF) potential[v] += dist[v];

    let push = target - value;
    for (let v = t; v !== s; ) {
      const a = prevArc[v];
      if (residual[a] < push) push = residual[a];
      v = arcHead[a ^ 1];
    }
    for (let v = t; v !== s; ) {
      const a = prevArc[v];
      residual[a] -= push;
      residual[a ^ 1] += push;
      v = arcHead[a ^ 1];
    }
    value += push;
  }
  return value;
}
