/**
 * Network analysis for `crossroads network`: flows by route and leg over one year of a run, seizures,
 * and the minimum cut between production and the US market (max-flow / min-cut on leg capacities,
 * src/analysis/graph). Pure: the CLI formats the result.
 */

import type { RunOutput } from '../engine/run.js';
import type { CommodityNetwork } from '../spec/supply.js';
import { type FlowEdge, maxFlowMulti } from './graph/index.js';

/** One commodity's analysis. */
export interface CommodityAnalysis {
  commodity: string;
  year: number;
  graph: CommodityNetwork;
  routes: { path: string[]; market: string; corridor: string; shippedKg: number; deliveredKg: number }[];
  edges: {
    id: string;
    from: string;
    to: string;
    capacityKgPerYear: number;
    flowKg: number;
    seizedKg: number;
  }[];
  flowUsKg: number;
  seizedKg: number;
  minCut: { capacityKgPerYear: number; edges: string[]; sourceSide: string[] };
}

/** Analyse a run's network over calendar `year`. */
export function analyseNetwork(out: RunOutput, year: number): CommodityAnalysis[] {
  const s = out.supply.state;
  // Flows by route and leg are recorded by year.
  const y = year - out.axis.firstYear;
  return s.compiled.commodities.map((c) => {
    const rec = s.records[c.commodity];
    const R = c.routes.length;
    const m = c.net.edges.length;
    const routes = c.routes.map((r, k) => {
      const shipped = rec.routeShipped[y * R + k];
      const delivered = rec.routeDelivered[y * R + k];
      return {
        path: [c.net.nodes[r.origin].id, ...Array.from(r.edges, (e) => c.net.nodes[c.edgeTo[e]].id)],
        market: c.net.nodes[r.market].id,
        corridor: r.corridor,
        shippedKg: shipped,
        deliveredKg: delivered,
      };
    });
    const edges = c.net.edges.map((e, i) => {
      const flow = rec.edgeFlow[y * m + i];
      const seized = rec.edgeSeized[y * m + i];
      return {
        id: e.id,
        from: e.from,
        to: e.to,
        capacityKgPerYear: e.capacityKgPerYear,
        flowKg: flow,
        seizedKg: seized,
      };
    });
    const transport = c.net.edges.filter((e) => e.mode !== 'precursor');
    const flowEdges: FlowEdge[] = transport.map((e) => ({
      from: e.from,
      to: e.to,
      capacity: e.capacityKgPerYear,
    }));
    const usId = c.net.nodes[c.usMarket].id;
    const sources = c.productionNodes
      .map((n) => c.net.nodes[n].id)
      .filter((id) => transport.some((e) => e.from === id));
    const mf = maxFlowMulti(flowEdges, sources, [usId]);
    let flowUs = 0;
    let seized = 0;
    for (let t = y * 12; t < y * 12 + 12; t++) {
      flowUs += rec.flowUs[t];
      seized += rec.seized[t];
    }
    return {
      commodity: c.commodity,
      year,
      graph: c.net,
      routes: routes.sort((a, b) => b.shippedKg - a.shippedKg),
      edges,
      flowUsKg: flowUs,
      seizedKg: seized,
      minCut: {
        capacityKgPerYear: mf.minCut.capacity,
        edges: mf.minCut.edges.map((i) => transport[i].id),
        sourceSide: mf.minCut.sourceSide,
      },
    };
  });
}
