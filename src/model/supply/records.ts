/**
 * The supply side's records: per commodity, monthly series and flows by corridor, route and leg
 * summed by year; shared monthly event series (strikes, deaths aboard) for the risk module; and the
 * records stage of the monthly step (step (n)).
 */

import type { Float64Arena } from '../../core/arena.js';
import type { CommodityRt } from './state.js';

/**
 * Records of one commodity: one value per month (typed arrays), except the flows by corridor, route
 * and leg, which are summed by year (only annual outcomes and the network analysis read them).
 */
export interface CommodityRecords {
  produced: Float64Array;
  seized: Float64Array;
  destroyed: Float64Array;
  consumed: Float64Array;
  /** Inventories at the end of the month (labs + distribution stocks). */
  inventory: Float64Array;
  /** Arrivals at the US market. */
  flowUs: Float64Array;
  consumedUs: Float64Array;
  /** Seized on legs crossing the US border. */
  seizedUsBorder: Float64Array;
  retailUs: Float64Array;
  wholesaleUs: Float64Array;
  purityUs: Float64Array;
  /** Flow entering the documented maritime corridors (cocaine), and removed on them. */
  documentedIn: Float64Array;
  documentedRemoved: Float64Array;
  easternPacificIn: Float64Array;
  caribbeanIn: Float64Array;
  labCapacity: Float64Array;
  capacityDestroyed: Float64Array;
  capacityRebuilt: Float64Array;
  /** US-bound kg shipped by corridor label (row-major: year x corridor; year 0 = first year). */
  corridorFlow: Float64Array;
  /** Shipped and delivered by route (row-major: year x route). */
  routeShipped: Float64Array;
  routeDelivered: Float64Array;
  /** Flow entering and seized on each leg (row-major: year x edge). */
  edgeFlow: Float64Array;
  edgeSeized: Float64Array;
}

/** Monthly records shared by both commodities (for the risk module). */
export interface EventRecords {
  strikesAtSea: Float64Array;
  strikesOnLand: Float64Array;
  deathsAboard: Float64Array;
  leadershipLosses: Float64Array;
  /** Strikes by sovereignty ('international-waters' or a country code), at sea and on land. */
  strikesBySovereignty: Map<string, Float64Array>;
}

const RECORD_SERIES = [
  'produced',
  'seized',
  'destroyed',
  'consumed',
  'inventory',
  'flowUs',
  'consumedUs',
  'seizedUsBorder',
  'retailUs',
  'wholesaleUs',
  'purityUs',
  'documentedIn',
  'documentedRemoved',
  'easternPacificIn',
  'caribbeanIn',
  'labCapacity',
  'capacityDestroyed',
  'capacityRebuilt',
] as const;

/** All records of one commodity as views into one buffer (one allocation per run and commodity). */
export function emptyRecords(
  arena: Float64Arena,
  steps: number,
  corridors: number,
  routes: number,
  edges: number,
): CommodityRecords {
  const years = Math.ceil(steps / 12);
  const sizes = [
    ...RECORD_SERIES.map(() => steps),
    years * Math.max(1, corridors),
    years * routes,
    years * routes,
    years * edges,
    years * edges,
  ];
  const buffer = arena.zeros(sizes.reduce((a, b) => a + b, 0));
  let at = 0;
  const views = sizes.map((n) => {
    const v = buffer.subarray(at, at + n);
    at += n;
    return v;
  });
  const out: Record<string, Float64Array> = {};
  RECORD_SERIES.forEach((name, i) => {
    out[name] = views[i];
  });
  const k = RECORD_SERIES.length;
  out.corridorFlow = views[k];
  out.routeShipped = views[k + 1];
  out.routeDelivered = views[k + 2];
  out.edgeFlow = views[k + 3];
  out.edgeSeized = views[k + 4];
  return out as unknown as CommodityRecords;
}

/**
 * Step (n): the month's records. Seizures and strike losses are summed by leg from what entered
 * it; strike losses on production (step (b)) are already in `destroyed`, production (step (c)) in
 * `produced`, consumption (step (m)) in `consumed`. `stocks`: the markets' stocks after step (m).
 */
export function recordMonth(rt: CommodityRt, t: number, stocks: number): void {
  const c = rt.c;
  const L = rt.L;
  const rec = rt.rec;
  const m = L.m;
  const H = L.H;
  const { inv, cap } = rt.prod;
  const { edgeIn, loss, strikeLoss } = rt.legs;
  const struckAtSea = rt.legs.strikeDirty;
  const year = (t / 12) | 0;
  let inventory = stocks;
  let labCap = 0;
  for (let h = 0; h < H; h++) {
    inventory += inv[h];
    labCap += cap[h];
  }
  let seized = 0;
  let destroyed = rec.destroyed[t];
  let seizedBorder = 0;
  let docRemoved = 0;
  let docIn = 0;
  let ep = 0;
  let cb = 0;
  const isBorder = c.isBorder;
  const isDocumented = c.isDocumented;
  const entersDocumented = c.entersDocumented;
  const corridorCode = c.maritimeCorridorCode;
  const edgeFlow = rec.edgeFlow;
  const edgeSeized = rec.edgeSeized;
  const edgeRow = year * m;
  for (let e = 0; e < m; e++) {
    const flow = edgeIn[e];
    if (flow === 0) continue;
    const se = flow * loss[e];
    const de = struckAtSea ? (flow - se) * strikeLoss[e] : 0;
    seized += se;
    destroyed += de;
    edgeFlow[edgeRow + e] += flow;
    edgeSeized[edgeRow + e] += se;
    if (isBorder[e]) seizedBorder += se;
    if (isDocumented[e]) docRemoved += se + de;
    if (!entersDocumented[e]) continue;
    docIn += flow;
    const code = corridorCode[e];
    if (code === 1) ep += flow;
    else if (code === 2) cb += flow;
  }
  rec.seized[t] = seized;
  rec.destroyed[t] = destroyed;
  rec.inventory[t] = inventory;
  rec.seizedUsBorder[t] = seizedBorder;
  rec.labCapacity[t] = labCap;
  // US-bound kg by corridor: summed from the routes' kg once a year (and at the last step).
  if (t % 12 === 11 || t === rec.produced.length - 1) {
    const nc = c.corridors.length;
    const routeCorridor = c.routeCorridor;
    const routeShipped = rec.routeShipped;
    const routeRow = year * L.R;
    const corridorRow = year * nc;
    for (let r = 0; r < L.R; r++) {
      const ci = routeCorridor[r];
      if (ci >= 0) rec.corridorFlow[corridorRow + ci] += routeShipped[routeRow + r];
    }
  }
  rec.documentedIn[t] = docIn;
  rec.documentedRemoved[t] = docRemoved;
  rec.easternPacificIn[t] = ep;
  rec.caribbeanIn[t] = cb;
}
