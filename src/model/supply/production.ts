/**
 * Production and capacity (steps (c)-(e)): each holding produces from its lab capacity and its coca
 * or precursor supply; labs follow the coca supply (cocaine) or grow while the market pays a premium
 * (fentanyl); from the policy start they are also built up to what replacement wants to ship.
 * Rebuilding and building are funded by the organisation's capital.
 */

import { type CommodityRt, DEFAULTS, type StepContext } from './state.js';

/**
 * Steps (c, d, e) for one month. From the policy start organisations replace product lost in
 * transit: the coca or precursor supply they draw on grows with the replacement multiplier, and lab
 * capacity follows as capital allows (supply is elastic in the long run; Caulkins & Reuter 1998).
 */
export function produce(ctx: StepContext, rt: CommodityRt, t: number): void {
  const L = rt.L;
  const H = L.H;
  const prod = rt.prod;
  const { cap, inv, target, outstanding, replace, rawInput, prodThisMonth, holdCult } = prod;
  const { det, capNow } = rt.legs;
  const shipWanted = rt.ship.shipWanted;
  const rec = rt.rec;
  const budget = ctx.budget;
  const capital = ctx.capital;
  let produced = 0;
  const grow = rt.market.mk.premium[rt.market.usIndex] > 1 + ctx.hurdle;
  const headroom = ctx.headroom;
  const rebuildRate = ctx.rebuildRate;
  const capex = prod.capex;
  const preStart = L.preStart;
  const preEdges = L.preEdges;
  const nMk = rt.market.nMarkets;
  const buildForShipments = t > ctx.policyStep && ctx.policyStep > 0;
  for (let h = 0; h < H; h++) {
    const cult = holdCult[h];
    let input: number;
    if (cult) input = cult[t] * L.holdShare[h];
    else {
      let pre = 0;
      for (let j = preStart[h], je = preStart[h + 1]; j < je; j++) {
        const e = preEdges[j];
        pre += capNow[e] * (1 - det[e]);
      }
      // History: the precursor controls of 2023-2025 (history.precursorSupply), held after.
      input = pre * L.holdShare[h] * (ctx.precursorHistory ? ctx.precursorHistory[t] : 1);
    }
    rawInput[h] = input;
    input *= replace[h];
    const p = Math.min(cap[h] / 12, input);
    prodThisMonth[h] = p;
    inv[h] += p;
    produced += p;
    // (e) Capacity: cocaine labs follow the coca supply; fentanyl labs grow while the market pays a
    // premium and labs are busy. Rebuilding and building are funded by capital.
    if (cult) target[h] = headroom * input * 12;
    else if (grow && p >= DEFAULTS.utilisationForGrowth * (cap[h] / 12)) target[h] *= ctx.growthFactor;
    // From the policy start labs are also built up to what replacement wants to ship (last month's
    // shipments wanted, step (g)), funded by capital like rebuilding.
    if (buildForShipments) {
      let wanted = 0;
      for (let j = 0; j < nMk; j++) wanted += shipWanted[h * nMk + j];
      if (12 * wanted > target[h]) target[h] = 12 * wanted;
    }
    const gap = target[h] - cap[h];
    if (gap > 0) {
      const o = L.holdOrg[h];
      // Financial sanctions slow and raise the cost of moving revenue into (re)building (conflict module).
      const unitCost = capex * ctx.finance[1];
      const build = Math.min(gap * rebuildRate * ctx.finance[0], budget[o] / unitCost);
      if (build > 0) {
        cap[h] += build;
        budget[o] -= build * unitCost;
        capital[o] -= build * unitCost;
        const rebuilt = Math.min(build, outstanding[h]);
        outstanding[h] -= rebuilt;
        rec.capacityRebuilt[t] += rebuilt;
      }
    }
  }
  rec.produced[t] = produced;
}
