/**
 * Shipments and routing, steps (f) and (g): each holding splits its shipments over its precomputed
 * route set by a logit on expected profit net of perceived risk (revised every `routeReviewMonths`),
 * and decides how much to ship: before the policy start a share of its inventory, split by the route
 * choice; from it, market-level replacement (`shipToMarkets`). The result is this month's kg by
 * (holding, route) pair and by route, and the planned load of each leg.
 */

import { type CommodityRt, fillTo, type StepContext } from './state.js';

/**
 * Step (f): revise each holding's route split. Organisations revise every `routeReviewMonths`
 * months (a shipping plan is not redrawn every month) and ship on the last split in between;
 * perceived risk is still learnt every month, so a revision sees all losses since the last one.
 */
export function reviewRoutes(ctx: StepContext, rt: CommodityRt): void {
  const L = rt.L;
  const m = L.m;
  const H = L.H;
  const re = rt.c.routeEdges;
  const hrStart = L.hrStart;
  const hrCost = L.hrCost;
  const perceived = rt.learn.perceived;
  const rhoOf = rt.learn.rho;
  const share = rt.ship.share;
  const mkW = rt.market.mk.wholesale;
  const temperature = ctx.temperature;
  const wNorm = rt.market.wNorm;
  const hrEdgeA = L.hrEdgeA;
  const hrEdgeB = L.hrEdgeB;
  const hrMarket = L.hrMarket;
  for (let h = 0; h < H; h++) {
    const a = hrStart[h];
    const b = hrStart[h + 1];
    if (b === a) continue;
    const o = L.holdOrg[h];
    const rho = rhoOf[o];
    const base = o * m;
    let best = Number.NEGATIVE_INFINITY;
    for (let k = a; k < b; k++) {
      let s = 1;
      for (let j = hrEdgeA[k], je = hrEdgeB[k]; j < je; j++) s *= 1 - perceived[base + re[j]];
      const u = (mkW[hrMarket[k]] * s - hrCost[k]) / wNorm - rho * (1 - s);
      share[k] = u;
      if (u > best) best = u;
    }
    let z = 0;
    for (let k = a; k < b; k++) {
      const w = Math.exp((share[k] - best) / temperature);
      share[k] = w;
      z += w;
    }
    for (let k = a; k < b; k++) share[k] /= z;
  }
}

/** Step (g): this month's shipments by pair and by route, and the planned load of each leg. */
export function ship(ctx: StepContext, rt: CommodityRt, t: number): void {
  fillTo(rt.ship.routeAlloc, 0);
  fillTo(rt.legs.plan, 0);
  if (t >= ctx.policyStep && ctx.policyStep > 0) shipToMarkets(ctx, rt, t);
  else shipFromInventory(ctx, rt, t);
}

/**
 * Step (g) before the policy start: each holding ships a share of its inventory. Demand-led markets
 * (a reference-consumption series, demand.ts) take what their demand needs: each market's target is
 * the arrivals that would make what it offers this month equal to its demand at last month's
 * cost-based price (demand / turnover - stock), shared among holdings in proportion to what the
 * route choice would deliver there; the routes to the other markets (which clear what arrives) take
 * the rest of the holding's shipments, split by the route choice. With no demand-led market this is
 * the route choice's own split of the inventory share.
 */
function shipFromInventory(ctx: StepContext, rt: CommodityRt, t: number): void {
  const L = rt.L;
  const H = L.H;
  const nM = rt.market.nMarkets;
  const { hrStart, hrRoute, hrMarket } = L;
  const { share, alloc, routeAlloc, shippedH, routeKeep } = rt.ship;
  const mk = rt.market.mk;
  const led = mk.led;
  const inv = rt.prod.inv;
  const shipShare = ctx.shipShare;
  // Scratch by market: expected deliveries by the route choice, then the scale to the target.
  const f = rt.ship.mTarget;
  fillTo(f, 0);
  let anyLed = false;
  for (let mj = 0; mj < nM; mj++) if (led[mj] > 0) anyLed = true;
  if (anyLed) {
    for (let h = 0; h < H; h++) {
      const kg = inv[h] * shipShare;
      for (let k = hrStart[h], kb = hrStart[h + 1]; k < kb; k++) {
        const mj = hrMarket[k];
        if (led[mj] > 0) {
          const keep = routeKeep[hrRoute[k]];
          f[mj] += kg * share[k] * (keep > 0 ? keep : 1);
        }
      }
    }
    for (let mj = 0; mj < nM; mj++) {
      if (!(led[mj] > 0)) continue;
      const demand = t > 0 ? rt.market.demandNow[mj] : rt.market.qMonthly[mj][t];
      const target = Math.max(0, demand / ctx.turnover - mk.stock[mj]);
      f[mj] = f[mj] > 0 ? target / f[mj] : 0;
    }
  }
  for (let h = 0; h < H; h++) {
    const kg = inv[h] * shipShare;
    const a = hrStart[h];
    const b = hrStart[h + 1];
    let toLed = 0;
    let toRest = 0;
    for (let k = a; k < b; k++) {
      const mj = hrMarket[k];
      if (led[mj] > 0) toLed += share[k] * f[mj];
      else toRest += share[k];
    }
    // Within the inventory share: demand-led markets first, the rest to the clearing markets.
    const ledScale = toLed > 1 ? 1 / toLed : 1;
    const restScale = toRest > 0 ? Math.max(0, 1 - toLed * ledScale) / toRest : 0;
    let sent = 0;
    for (let k = a; k < b; k++) {
      const mj = hrMarket[k];
      const x = kg * share[k] * (led[mj] > 0 ? f[mj] * ledScale : restScale);
      alloc[k] = x;
      routeAlloc[hrRoute[k]] += x;
      sent += x;
    }
    shippedH[h] = sent;
  }
  planLoads(rt);
}

/**
 * Step (g) from the policy start: market-level replacement (Caulkins & Reuter 1998). Each market is
 * to receive what it received at the hand-over, scaled by its demand at the cost-based price now vs
 * then (so a lasting rise in cost lowers what is sold, through the demand elasticity). Each holding
 * ships what its own share of that takes given the survival it has learnt on its routes to the market
 * (smoothed at the risk-memory rate, so losses are replaced after a lag), within the replacement
 * ceiling; what capped holdings cannot send, the others with headroom make up. Shipments are split
 * over a market's routes by the route choice (step (f)) weighted by learnt congestion (step (h)), and
 * limited by inventory. Before the policy start the split over markets is the route choice's own.
 */
function shipToMarkets(ctx: StepContext, rt: CommodityRt, t: number): void {
  const L = rt.L;
  const H = L.H;
  const nM = rt.market.nMarkets;
  const { demandNow, demandRef } = rt.market;
  const { delivRef, shipRef } = rt.learn;
  const sh = rt.ship;
  const { share, alloc, routeAlloc, survEma, congest, mWeightH, shippedH } = sh;
  const hrMarket = L.hrMarket;
  const hrRoute = L.hrRoute;
  const w = sh.mWeight;
  const surv = sh.mSurvival;
  const want = sh.shipWanted;
  const target = sh.mTarget;
  const got = sh.mGot;
  const room = sh.mRoom;
  const inv = rt.prod.inv;
  const led = rt.market.mk.led;
  fillTo(target, 0);
  fillTo(got, 0);
  fillTo(room, 0);
  // Last month's survival along each route (shared by every holding shipping on it), from step (j).
  const routeKeep = sh.routeKeep;
  // Pass 1: each holding's own share of each market's target.
  for (let h = 0; h < H; h++) {
    fillTo(w, 0);
    fillTo(surv, 0);
    for (let k = L.hrStart[h], kb = L.hrStart[h + 1]; k < kb; k++) {
      const r = hrRoute[k];
      const mj = hrMarket[k];
      const wk = share[k] * congest[r];
      w[mj] += wk;
      surv[mj] += wk * routeKeep[r];
    }
    for (let mj = 0; mj < nM; mj++) {
      const hj = h * nM + mj;
      want[hj] = 0;
      mWeightH[hj] = w[mj];
      if (!(w[mj] > 0) || !(delivRef[hj] > 0) || !(demandRef[mj] > 0)) continue;
      const now = surv[mj] / w[mj];
      survEma[hj] = t === ctx.policyStep ? now : survEma[hj] + ctx.memory * (now - survEma[hj]);
      const survival = Math.max(survEma[hj], 1e-9);
      const deliver = (delivRef[hj] * demandNow[mj]) / demandRef[mj];
      // Demand-led markets are served within the inventory (below) without a per-market ceiling:
      // their product is drawn from the clearing markets' share first. Others replace losses
      // within the replacement ceiling.
      const cap = led[mj] > 0 ? Number.POSITIVE_INFINITY : ctx.maxReplace * shipRef[hj];
      const s = Math.min(cap, deliver / survival);
      want[hj] = s;
      target[mj] += deliver;
      got[mj] += s * survival;
      if (Number.isFinite(cap)) room[mj] += (cap - s) * survival;
    }
  }
  // Pass 2: holdings with headroom make up what capped ones could not deliver.
  for (let h = 0; h < H; h++) {
    for (let mj = 0; mj < nM; mj++) {
      const hj = h * nM + mj;
      const gap = target[mj] - got[mj];
      if (!(gap > 0) || !(room[mj] > 0) || !(want[hj] > 0)) continue;
      const f = Math.min(1, gap / room[mj]);
      want[hj] += f * (ctx.maxReplace * shipRef[hj] - want[hj]);
    }
  }
  // Shipments within inventory, split over each market's routes by the route choice. When the
  // inventory share cannot cover every market's wants, demand-led markets are served first and the
  // clearing markets (the residual, e.g. the rest of the world) take what is left.
  for (let h = 0; h < H; h++) {
    let toLed = 0;
    let toRest = 0;
    for (let mj = 0; mj < nM; mj++) {
      if (led[mj] > 0) toLed += want[h * nM + mj];
      else toRest += want[h * nM + mj];
    }
    const available = inv[h] * ctx.shipShare;
    const ledScale = toLed > available ? available / toLed : 1;
    const left = available - toLed * ledScale;
    const restScale = toRest > left ? Math.max(0, left) / toRest : 1;
    let sent = 0;
    for (let k = L.hrStart[h], kb = L.hrStart[h + 1]; k < kb; k++) {
      const mj = hrMarket[k];
      const hj = h * nM + mj;
      const wj = mWeightH[hj];
      const scale = led[mj] > 0 ? ledScale : restScale;
      const x = wj > 0 ? (want[hj] * scale * share[k] * congest[hrRoute[k]]) / wj : 0;
      alloc[k] = x;
      routeAlloc[hrRoute[k]] += x;
      sent += x;
    }
    shippedH[h] = sent;
  }
  planLoads(rt);
}

/** Planned load of each leg from the routes' kg (before losses). */
export function planLoads(rt: CommodityRt): void {
  const plan = rt.legs.plan;
  const routeAlloc = rt.ship.routeAlloc;
  fillTo(plan, 0);
  // One flat loop over the legs of the active routes, in route order (the same sums as route by route).
  const legRoute = rt.L.activeLegRoute;
  const legEdge = rt.L.activeLegEdge;
  for (let j = 0; j < legEdge.length; j++) plan[legEdge[j]] += routeAlloc[legRoute[j]];
}
