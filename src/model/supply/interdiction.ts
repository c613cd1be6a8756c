/**
 * Interdiction and strikes, the monthly response to the bound lever effects (lever-effects.ts):
 * step (a) detection and capacity of each leg, step (b) strikes on production capacity, step (b')
 * strikes on trafficking infrastructure (capacity of the legs leaving the struck nodes), step (i)
 * the realised seizure share of each leg (drawn around its detection), cargo destroyed by strikes
 * at sea and stocks destroyed at struck infrastructure.
 */

import { type CommodityRt, fillTo, type StepContext } from './state.js';
import { AT_SEA_SHARES } from './strike-settings.js';

/** Add `s` strikes to the settings rows at month t, split by `shares`. */
function recordSettings(ctx: StepContext, shares: readonly number[], s: number, t: number): void {
  const rows = ctx.settingRows;
  for (let k = 0; k < rows.length; k++) if (shares[k] > 0) rows[k][t] += s * shares[k];
}

/**
 * Record leadership losses caused by strikes in `country` at month t: the total and the country's row
 * (read by the conflict module: strikes kill, captures are its own lever).
 */
function recordLeadershipLoss(ctx: StepContext, country: string, loss: number, t: number): void {
  ctx.events.leadershipLosses[t] += loss;
  const byCountry = ctx.events.leadershipLossesByCountry;
  let row = byCountry.get(country);
  if (!row) {
    row = new Float64Array(ctx.axis.steps);
    byCountry.set(country, row);
  }
  row[t] += loss;
}

/**
 * Step (a): enforcement on legs, detection with diminishing returns and capacity cuts. Legs without
 * extra hazard keep their baseline detection (exp(-0) = 1, so the formula gives it exactly). Both
 * depend only on this month's lever intensities, so they are recomputed only when one changes
 * (intensities are flat between ramps), and reset only if a lever had changed them: about 3% of a
 * run (bench --baseline).
 */
export function enforceOnLegs(rt: CommodityRt, t: number): void {
  const fx = rt.fx;
  let leversMoved = t === 0;
  for (const d of fx.detection) if (!leversMoved && d.intensity[t] !== d.intensity[t - 1]) leversMoved = true;
  for (const d of fx.cuts) if (!leversMoved && d.intensity[t] !== d.intensity[t - 1]) leversMoved = true;
  if (!leversMoved) return;
  const m = rt.L.m;
  const legs = rt.legs;
  const { det, detBase, hazardSum, capMult, capNow } = legs;
  const baseDetection = rt.c.baseDetection;
  const capPerMonth = rt.c.capacityPerMonth;
  let anyHazard = false;
  for (const d of fx.detection) {
    const x = d.intensity[t];
    if (x === 0) continue;
    if (!anyHazard) fillTo(hazardSum, 0);
    anyHazard = true;
    const edges = d.edges;
    for (let i = 0; i < edges.length; i++) hazardSum[edges[i]] += d.hazard * x;
  }
  if (anyHazard) {
    for (let e = 0; e < m; e++)
      det[e] = hazardSum[e] === 0 ? detBase[e] : 1 - (1 - baseDetection[e]) * Math.exp(-hazardSum[e]);
    legs.detDirty = true;
  } else if (legs.detDirty) {
    det.set(detBase);
    legs.detDirty = false;
  }
  let anyCut = false;
  for (const d of fx.cuts) {
    const x = d.intensity[t];
    if (x === 0) continue;
    if (!anyCut) fillTo(capMult, 1);
    anyCut = true;
    const keep = 1 - d.maxCut * (1 - Math.exp(-d.rate * x));
    const edges = d.edges;
    for (let i = 0; i < edges.length; i++) capMult[edges[i]] *= keep;
  }
  if (anyCut) {
    for (let e = 0; e < m; e++) capNow[e] = capPerMonth[e] * capMult[e];
    legs.cutDirty = true;
  } else if (legs.cutDirty) {
    fillTo(capMult, 1);
    capNow.set(capPerMonth);
    legs.cutDirty = false;
  }
}

/**
 * Step (b): strikes on production capacity (country level) destroy lab capacity and stocks; a
 * country's strikes are counted once in the events even when both commodities have labs there.
 * Writes the month's capacity destroyed and the stocks destroyed so far (step (n) adds cargo).
 */
export function strikeProduction(ctx: StepContext, rt: CommodityRt, t: number): void {
  const { cap, inv, outstanding } = rt.prod;
  let destroyed = 0;
  let capDestroyed = 0;
  for (const fx of rt.fx.landStrikes) {
    const s = fx.intensity[t] / 12;
    if (s === 0) continue;
    if (!ctx.strikeCounted.has(fx.country)) {
      ctx.strikeCounted.add(fx.country);
      ctx.events.strikesOnLand[t] += s;
      ctx.sovereigntyRow(fx.country)[t] += s;
      recordLeadershipLoss(ctx, fx.country, s * fx.leadership, t);
      recordSettings(ctx, fx.setting, s, t);
    }
    let k = 0;
    for (const h of fx.holdings) k += cap[h];
    if (k <= 0) continue;
    const frac = 1 - Math.exp((-s * fx.perStrike) / k);
    for (const h of fx.holdings) {
      const lost = cap[h] * frac;
      cap[h] -= lost;
      outstanding[h] += lost;
      capDestroyed += lost;
      const invLost = inv[h] * frac;
      inv[h] -= invLost;
      destroyed += invLost;
    }
  }
  rt.rec.destroyed[t] = destroyed;
  rt.rec.capacityDestroyed[t] = capDestroyed;
}

/**
 * Step (b'): strikes on trafficking infrastructure (staging, airstrip and departure nodes of a
 * country). Each strike adds damage to the legs leaving the struck nodes; damage is rebuilt at a
 * monthly rate, and a leg keeps 1 - maxCut (1 - exp(-damage)) of its capacity (diminishing returns:
 * the sites that remain are the hardest to find, and new ones open). A country's strikes are counted
 * once in the events (on land, by sovereignty), with leadership losses and their settings: split over
 * the struck node kinds by last month's planned loads on the legs leaving them (equally when none).
 * The stocks destroyed are taken in step (i).
 */
export function strikeInfrastructure(ctx: StepContext, rt: CommodityRt, t: number): void {
  const fxs = rt.fx.infraStrikes;
  if (fxs.length === 0) return;
  const { capNow, capMult, infraDamage, plan } = rt.legs;
  const capPerMonth = rt.c.capacityPerMonth;
  for (const fx of fxs) {
    const s = fx.intensity[t] / 12;
    const edges = fx.edges;
    const add = s * fx.damage;
    const keepDamage = 1 - fx.rebuild;
    for (let i = 0; i < edges.length; i++) {
      const e = edges[i];
      const d = infraDamage[e] * keepDamage + add;
      infraDamage[e] = d;
      capNow[e] = capPerMonth[e] * capMult[e] * (1 - fx.maxCut * (1 - Math.exp(-d)));
    }
    if (s === 0) continue;
    const key = `infrastructure:${fx.country}`;
    if (ctx.strikeCounted.has(key)) continue;
    ctx.strikeCounted.add(key);
    ctx.events.strikesOnLand[t] += s;
    ctx.sovereigntyRow(fx.country)[t] += s;
    recordLeadershipLoss(ctx, fx.country, s * fx.leadership, t);
    let total = 0;
    for (let i = 0; i < edges.length; i++) total += plan[edges[i]];
    for (let i = 0; i < edges.length; i++) {
      const w = total > 0 ? plan[edges[i]] / total : 1 / edges.length;
      if (w > 0) recordSettings(ctx, fx.setting[i], s * w, t);
    }
  }
}

/**
 * Step (i): realised seizure share per leg, and cargo destroyed by strikes at sea. Each leg keeps its
 * own binomial spread around its detection probability, but the standard normal behind it is drawn
 * once a month per enforcement group (a maritime corridor, a US border checkpoint, else the leg's
 * sovereignty; drawn in the supply step for both commodities) and shared by the group's legs: a
 * month's interdiction luck (an operation, a tip-off) is common to the legs one agency watches,
 * whatever the drug. The number of draws is fixed by the network, so random numbers stay aligned
 * across policies. Afterwards `legs.strikeDirty` says whether strikes at sea destroyed any cargo.
 */
export function interdict(ctx: StepContext, rt: CommodityRt, t: number): void {
  const m = rt.L.m;
  const legs = rt.legs;
  const { det, plan, loss, keep, strikeLoss, shipKg, detScale } = legs;
  const transport = rt.L.transport;
  const noiseGroup = rt.noiseGroup;
  const noiseZ = ctx.noiseZ;
  for (let i = 0; i < transport.length; i++) {
    const e = transport[i];
    // detScale: partners' suspended cooperation (the risk module, last month); 1 otherwise.
    const p = det[e] * detScale[e];
    const n = Math.max(1, plan[e] / shipKg[e]);
    const f = p + noiseZ[noiseGroup[i]] * Math.sqrt((p * (1 - p)) / n);
    const l = f < 0 ? 0 : Math.min(f, 1);
    loss[e] = l;
    keep[e] = 1 - l;
  }
  if (legs.strikeDirty) {
    fillTo(strikeLoss, 0);
    legs.strikeDirty = false;
  }
  const edgeSovereignty = rt.c.edgeSovereignty;
  for (const fx of rt.fx.seaStrikes) {
    const s = fx.intensity[t] / 12;
    if (s === 0) continue;
    let total = 0;
    for (const e of fx.edges) total += plan[e];
    if (total <= 0) continue;
    for (const e of fx.edges) {
      if (plan[e] <= 0) continue;
      const se = (s * plan[e]) / total;
      strikeLoss[e] = 1 - Math.exp((-se * ctx.cargo) / plan[e]);
      legs.strikeDirty = true;
      const struck = Math.min(se, plan[e] / ctx.kgSea);
      ctx.events.strikesAtSea[t] += struck;
      ctx.events.deathsAboard[t] += struck * ctx.deathsPerVessel;
      ctx.sovereigntyRow(edgeSovereignty[e])[t] += struck;
      recordSettings(ctx, AT_SEA_SHARES, struck, t);
    }
  }
  // Strikes on infrastructure destroy the stock staged at the struck nodes: up to `stockKg` a strike
  // of what leaves them this month, the same share on every leg leaving them.
  for (const fx of rt.fx.infraStrikes) {
    const s = fx.intensity[t] / 12;
    if (s === 0) continue;
    let total = 0;
    for (const e of fx.edges) total += plan[e];
    if (total <= 0) continue;
    const share = 1 - Math.exp((-s * fx.stockKg) / total);
    for (const e of fx.edges) {
      if (plan[e] <= 0) continue;
      strikeLoss[e] = 1 - (1 - strikeLoss[e]) * (1 - share);
      legs.strikeDirty = true;
    }
  }
  if (legs.strikeDirty) for (let e = 0; e < m; e++) keep[e] = (1 - loss[e]) * (1 - strikeLoss[e]);
}
