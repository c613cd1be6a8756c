/**
 * What the supply step reads of a commodity's network and holdings that depends only on the
 * scenario (and the time axis): the loop layout (flattened holding-route pairs, leg lists, learning
 * slots), built once per compiled network and cached (it is about 7% of a run); and what is built
 * per run from it: lever leg selections, seizure-noise groups, cultivation input (caching those
 * saved 0-2% of a run each, under the 5% bar: bench --baseline).
 */

import type { TimeAxis } from '../../core/time.js';
import { monthlyFromYearly } from '../series.js';
import type { CompiledCommodity, CompiledSupply } from './network.js';

/**
 * What the monthly loop reads of one commodity's network and holdings. It depends only on the
 * scenario, so it is built once per compiled network (`layoutOf`), not once per run.
 */
export interface Layout {
  m: number;
  H: number;
  R: number;
  /** Flattened (holding, route) pairs: pairs of holding h are hrStart[h] .. hrStart[h + 1]. */
  hrStart: Int32Array;
  hrRoute: Int32Array;
  hrHolding: Int32Array;
  hrOrg: Int32Array;
  hrEdgeA: Int32Array;
  hrEdgeB: Int32Array;
  hrMarket: Int32Array;
  hrCost: Float64Array;
  /** Routes some holding ships on (the others never carry flow), ascending. */
  activeRoutes: Int32Array;
  /** The legs of the active routes, flat in route order: each one's route and edge. */
  activeLegRoute: Int32Array;
  activeLegEdge: Int32Array;
  /** Market index (into the market arrays), production cost at the origin (USD/kg) by route. */
  routeMarket: Int32Array;
  routeProdCost: Float64Array;
  /** Market index of each market node (-1 for other nodes). */
  marketOf: Int32Array;
  /** Legs of each holding's route set (CSR): the legs its organisation uses when it ships. */
  holdLegStart: Int32Array;
  holdLegs: Int32Array;
  /** For each leg of each pair's route (aligned with hrEdgeA .. hrEdgeB), its slot in holdLegs. */
  hrLegSlot: Int32Array;
  /** Precursor legs feeding each holding's node (CSR). */
  preStart: Int32Array;
  preEdges: Int32Array;
  holdOrg: Int32Array;
  holdShare: Float64Array;
  /** Transport legs (not precursor supply), ascending, and each one's seizure-noise group. */
  transport: Int32Array;
  noiseKey: string[];
  /**
   * The (organisation, leg) pairs learnt each month, flat: for each organisation with holdings here,
   * the legs it may use (the union of its holdings' route sets, ascending); index o * m + e into
   * perceived risk, and the leg e.
   */
  learnSlot: Int32Array;
  learnLeg: Int32Array;
  /** Cost paid per kg on each leg (transport cost, USD/kg entering the leg). */
  legCost: Float64Array;
  /** Detection at baseline enforcement, 1 - (1 - base) (what the hazard formula gives at zero). */
  detBase: Float64Array;
}

const layoutCache = new WeakMap<CompiledCommodity, Layout>();

/** The loop layout of a compiled commodity (cached: compiled networks are cached per scenario). */
export function layoutOf(c: CompiledCommodity): Layout {
  const hit = layoutCache.get(c);
  if (hit) return hit;
  const m = c.net.edges.length;
  const H = c.holdings.length;
  const hrStart = new Int32Array(H + 1);
  c.holdings.forEach((h, i) => {
    hrStart[i + 1] = hrStart[i] + h.routes.length;
  });
  const P = hrStart[H];
  const hrRoute = new Int32Array(P);
  const hrHolding = new Int32Array(P);
  c.holdings.forEach((h, i) => {
    hrRoute.set(h.routes, hrStart[i]);
    hrHolding.fill(i, hrStart[i], hrStart[i + 1]);
  });
  const marketOf = new Int32Array(c.net.nodes.length).fill(-1);
  c.markets.forEach((node, i) => {
    marketOf[node] = i;
  });
  const holdLegStart = new Int32Array(H + 1);
  const holdLegList: number[] = [];
  c.holdings.forEach((h, i) => {
    const legs = new Set<number>();
    for (const r of h.routes) for (const e of c.routes[r].edges) legs.add(e);
    holdLegList.push(...[...legs].sort((a, b) => a - b));
    holdLegStart[i + 1] = holdLegList.length;
  });
  // Slot of each pair's legs in its holding's leg list, in route-leg order (CSR offsets of the
  // pairs' legs start at 0 and follow the pairs: pair k's legs are at hrLegStart(k) below).
  const hrLegSlotList: number[] = [];
  c.holdings.forEach((h, i) => {
    const slotOf = new Map<number, number>();
    for (let j = holdLegStart[i]; j < holdLegStart[i + 1]; j++) slotOf.set(holdLegList[j], j);
    for (const r of h.routes) for (const e of c.routes[r].edges) hrLegSlotList.push(slotOf.get(e)!);
  });
  const preStart = new Int32Array(H + 1);
  c.holdings.forEach((h, i) => {
    preStart[i + 1] = preStart[i] + c.precursorIn[h.node].length;
  });
  const preEdges = new Int32Array(preStart[H]);
  c.holdings.forEach((h, i) => {
    preEdges.set(c.precursorIn[h.node], preStart[i]);
  });
  const transport: number[] = [];
  for (let e = 0; e < m; e++) if (!c.isPrecursor[e]) transport.push(e);
  // Seizure noise is drawn by enforcement group: the maritime corridor, else the US border
  // checkpoint, else the leg's sovereignty (see step (i)); groups are shared across commodities.
  const noiseKey = Array.from(transport, (e) => {
    const edge = c.net.edges[e];
    if (edge.corridor) return `corridor:${edge.corridor}`;
    return edge.checkpoint ? `checkpoint:${edge.checkpoint}` : `sovereignty:${edge.sovereignty}`;
  });
  const nOrgs = c.holdings.reduce((a, h) => Math.max(a, h.org + 1), 0);
  const orgLegStart = new Int32Array(nOrgs + 1);
  const orgLegList: number[] = [];
  for (let o = 0; o < nOrgs; o++) {
    const legs = new Set<number>();
    c.holdings.forEach((h, i) => {
      if (h.org !== o) return;
      for (let j = holdLegStart[i]; j < holdLegStart[i + 1]; j++) legs.add(holdLegList[j]);
    });
    orgLegList.push(...[...legs].sort((a, b) => a - b));
    orgLegStart[o + 1] = orgLegList.length;
  }
  const orgsHere = Int32Array.from(new Set(c.holdings.map((h) => h.org)));
  const learnSlot: number[] = [];
  const learnLeg: number[] = [];
  for (const o of orgsHere) {
    for (let j = orgLegStart[o]; j < orgLegStart[o + 1]; j++) {
      learnSlot.push(o * m + orgLegList[j]);
      learnLeg.push(orgLegList[j]);
    }
  }
  const activeRoutes = Int32Array.from(new Set(hrRoute)).sort();
  const activeLegRoute: number[] = [];
  const activeLegEdge: number[] = [];
  for (const r of activeRoutes) {
    for (const e of c.routes[r].edges) {
      activeLegRoute.push(r);
      activeLegEdge.push(e);
    }
  }
  const layout: Layout = {
    m,
    H,
    R: c.routes.length,
    hrStart,
    hrRoute,
    hrHolding,
    hrOrg: Int32Array.from(hrHolding, (h) => c.holdings[h].org),
    hrEdgeA: Int32Array.from(hrRoute, (r) => c.routeEdgeStart[r]),
    hrEdgeB: Int32Array.from(hrRoute, (r) => c.routeEdgeStart[r + 1]),
    hrMarket: Int32Array.from(hrRoute, (r) => marketOf[c.routeMarket[r]]),
    hrCost: Float64Array.from(hrRoute, (r) => c.routeCost[r]),
    activeRoutes,
    activeLegRoute: Int32Array.from(activeLegRoute),
    activeLegEdge: Int32Array.from(activeLegEdge),
    routeMarket: Int32Array.from(c.routeMarket, (node) => marketOf[node]),
    routeProdCost: Float64Array.from(c.routes, (r) => c.net.nodes[r.origin].productionCostUsdPerKg ?? 0),
    marketOf,
    holdLegStart,
    holdLegs: Int32Array.from(holdLegList),
    hrLegSlot: Int32Array.from(hrLegSlotList),
    preStart,
    preEdges,
    holdOrg: Int32Array.from(c.holdings, (h) => h.org),
    holdShare: Float64Array.from(c.holdings, (h) => h.nodeShare),
    transport: Int32Array.from(transport),
    noiseKey,
    legCost: Float64Array.from(c.net.edges, (e) => e.transportCostUsdPerKg),
    learnSlot: Int32Array.from(learnSlot),
    learnLeg: Int32Array.from(learnLeg),
    detBase: Float64Array.from(c.baseDetection, (b) => 1 - (1 - b)),
  };
  layoutCache.set(c, layout);
  return layout;
}

const cultivationCache = new WeakMap<
  CompiledCommodity,
  { start: number; steps: number; out: (Float64Array | null)[] }
>();

/**
 * Monthly cultivation input (kg) of each node (null for nodes without cultivation), cached per
 * network and time axis (read-only: shared by every run of the scenario). Caching saves about 2% of a
 * run's time and, more, its garbage: built per run, these arrays lived through each run and were
 * copied by every young-generation collection (measured: GC time per run about halved).
 */
export function cultivationInput(axis: TimeAxis, c: CompiledCommodity): (Float64Array | null)[] {
  const hit = cultivationCache.get(c);
  if (hit && hit.start === axis.start && hit.steps === axis.steps) return hit.out;
  const out = buildCultivationInput(axis, c);
  cultivationCache.set(c, { start: axis.start, steps: axis.steps, out });
  return out;
}

function buildCultivationInput(axis: TimeAxis, c: CompiledCommodity): (Float64Array | null)[] {
  const steps = axis.steps;
  return c.net.nodes.map((node) => {
    if (node.input?.kind !== 'cultivation') return null;
    const area = monthlyFromYearly(axis, node.input.areaHa);
    const yieldKg = monthlyFromYearly(axis, node.input.yieldKgPerHa);
    const out = new Float64Array(steps);
    for (let t = 0; t < steps; t++) out[t] = (area[t] * yieldKg[t]) / 12;
    return out;
  });
}

/**
 * Legs whose `field` equals `value` (maritime legs only if asked). Scanned per run: caching the
 * selections saved nothing measurable (bench --baseline).
 */
export function selectEdges(
  c: CompiledCommodity,
  field: string,
  value: string,
  maritimeOnly: boolean,
): Int32Array {
  const out: number[] = [];
  c.net.edges.forEach((e, i) => {
    const v =
      field === 'fromCountry'
        ? c.net.nodes[c.edgeFrom[i]].country
        : (e as unknown as Record<string, string | undefined>)[field];
    if (v === value && (!maritimeOnly || c.isMaritime[i])) out.push(i);
  });
  return Int32Array.from(out);
}

/**
 * Seizure-noise group of each transport leg, by commodity, numbered over both (built per run:
 * caching it saved nothing measurable).
 */
export function noiseGroupsOf(compiled: CompiledSupply): { groups: Int32Array[]; count: number } {
  const index = new Map<string, number>();
  const groups = compiled.commodities.map((c) =>
    Int32Array.from(layoutOf(c).noiseKey, (key) => {
      let gi = index.get(key);
      if (gi === undefined) {
        gi = index.size;
        index.set(key, gi);
      }
      return gi;
    }),
  );
  return { groups, count: index.size };
}
