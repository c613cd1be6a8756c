/** Step (n) of the monthly supply step: the month's records of one commodity (records.ts). */

import type { CommodityRt } from './state.js';

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
