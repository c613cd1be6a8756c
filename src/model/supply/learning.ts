/**
 * Learning and adaptation: organisations learn which routes are congested (after step (h)), how much
 * of their shipments they lose in transit and so how much to produce to replace it (step (j')), and
 * the risk of each leg from their own losses, with decaying memory; legs they stop using relax back
 * to baseline (step (k); in the spirit of NarcoLogic, Magliocca et al., PNAS 2019).
 */

import type { CommodityRt, StepContext } from './state.js';

/**
 * From the policy start organisations learn which routes are congested: a route cut back by a
 * saturated leg (step (h)) gets less of its market's shipments next time (at the risk-memory rate),
 * and the penalty fades at the forgetting rate when it is not (see shipToMarkets).
 */
export function learnCongestion(ctx: StepContext, rt: CommodityRt, t: number, clipped: boolean): void {
  if (!(t >= ctx.policyStep && ctx.policyStep > 0)) return;
  const activeRoutes = rt.L.activeRoutes;
  const { congest, routeScale } = rt.ship;
  for (let i = 0; i < activeRoutes.length; i++) {
    const r = activeRoutes[i];
    if (clipped && routeScale[r] < 1) congest[r] *= 1 - ctx.memory * (1 - routeScale[r]);
    else congest[r] += ctx.forgetting * (1 - congest[r]);
  }
}

/**
 * Step (j'): replacement. Each holding's smoothed loss share in transit; from the policy start
 * production aims at what the holding wants to ship (step (g), shipToMarkets), drawing more or less
 * on its coca or precursor supply (other sources, other chemicals) within a ceiling: a cut in that
 * supply is replaced like a loss in transit. Without shipments wanted it aims to deliver what it
 * delivered at the hand-over, (1 - lossRef) / (1 - loss).
 */
export function adaptReplacement(ctx: StepContext, rt: CommodityRt, t: number): void {
  const H = rt.L.H;
  const { shippedH, deliveredH, shipWanted } = rt.ship;
  const { lossEma, lossRef } = rt.learn;
  const { replace, rawInput } = rt.prod;
  const nM = rt.market.nMarkets;
  const replaceRate = ctx.replaceRate;
  for (let h = 0; h < H; h++) {
    if (shippedH[h] <= 0) continue;
    const lost = 1 - deliveredH[h] / shippedH[h];
    if (t === 0) lossEma[h] = lost;
    else lossEma[h] += replaceRate * (lost - lossEma[h]);
    if (t === ctx.policyStep - 1) lossRef[h] = lossEma[h];
    if (t >= ctx.policyStep && ctx.policyStep > 0) {
      let wanted = 0;
      for (let j = 0; j < nM; j++) wanted += shipWanted[h * nM + j];
      const want =
        rawInput[h] > 0 && wanted > 0
          ? wanted / rawInput[h]
          : (1 - lossRef[h]) / Math.max(1e-9, 1 - lossEma[h]);
      const aim = Math.min(ctx.maxReplace, Math.max(1 / ctx.maxReplace, want));
      replace[h] += replaceRate * (aim - replace[h]);
    }
  }
}

/**
 * Step (k): perceived risk from own losses, with memory; unused legs relax to baseline. Legs outside
 * an organisation's route sets are skipped: their perceived risk stays at baseline. One flat loop
 * over (organisation, leg) slots: learnSlot is the index o * m + e into `perceived` and `used`,
 * learnLeg the leg e. `allShipped`: every holding shipped this month (step (j)), so every slot is used.
 */
export function learnRisk(ctx: StepContext, rt: CommodityRt, allShipped: boolean): void {
  const { perceived, used } = rt.learn;
  const { loss, strikeLoss } = rt.legs;
  const struckAtSea = rt.legs.strikeDirty;
  const baseDetection = rt.c.baseDetection;
  const memory = ctx.memory;
  const forgetting = ctx.forgetting;
  const deterrence = ctx.deterrence;
  const learnSlot = rt.L.learnSlot;
  const learnLeg = rt.L.learnLeg;
  const nLearn = learnSlot.length;
  for (let j = 0; j < nLearn; j++) {
    const k = learnSlot[j];
    const e = learnLeg[j];
    const q = perceived[k];
    if (allShipped || used[k]) {
      // Without strikes the observed loss is the seizure share itself (<= 1).
      const observed = struckAtSea
        ? Math.min(1, loss[e] + deterrence * (1 - loss[e]) * strikeLoss[e])
        : loss[e];
      perceived[k] = q + memory * (observed - q);
    } else perceived[k] = q + forgetting * (baseDetection[e] - q);
  }
}
