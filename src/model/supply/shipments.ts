/**
 * Shipments on the legs, steps (h) and (j): routes through a saturated leg are scaled back; the kg
 * move along their routes leg by leg (seized or destroyed at each leg's share, step (i)); what
 * arrives is delivered to its market, and the organisations are paid for it.
 */

import { planLoads } from './routing.js';
import { type CommodityRt, fillTo, type StepContext } from './state.js';

/**
 * Step (h): leg capacities. Routes through a saturated leg are scaled down (by the tightest of their
 * legs); the rest stays in inventory. With the shipped capacities this is rare at baseline. Takes the
 * month's shipments out of inventory. Returns whether any route was scaled back (`ship.routeScale`).
 */
export function clipToCapacity(rt: CommodityRt): boolean {
  const L = rt.L;
  const m = L.m;
  const H = L.H;
  const { plan, capNow } = rt.legs;
  const { alloc, routeAlloc, routeScale, shippedH } = rt.ship;
  const inv = rt.prod.inv;
  let clipped = false;
  for (let e = 0; e < m; e++) if (plan[e] > capNow[e]) clipped = true;
  if (clipped) {
    const re = rt.c.routeEdges;
    const routeEdgeStart = rt.c.routeEdgeStart;
    const activeRoutes = L.activeRoutes;
    const hrRoute = L.hrRoute;
    const hrHolding = L.hrHolding;
    fillTo(routeScale, 1);
    for (let i = 0; i < activeRoutes.length; i++) {
      const r = activeRoutes[i];
      for (let j = routeEdgeStart[r], je = routeEdgeStart[r + 1]; j < je; j++) {
        const e = re[j];
        if (plan[e] > capNow[e]) {
          const lim = capNow[e] / plan[e];
          if (lim < routeScale[r]) routeScale[r] = lim;
        }
      }
    }
    fillTo(routeAlloc, 0);
    fillTo(shippedH, 0);
    for (let k = 0; k < alloc.length; k++) {
      const x = alloc[k] * routeScale[hrRoute[k]];
      alloc[k] = x;
      routeAlloc[hrRoute[k]] += x;
      shippedH[hrHolding[k]] += x;
    }
    planLoads(rt);
  }
  for (let h = 0; h < H; h++) inv[h] -= shippedH[h];
  return clipped;
}

/**
 * Step (j): move the shipments along their routes, route by route (every pair on a route shares its
 * legs). What enters each leg is recorded; seizures and strike losses are summed by leg in step (n).
 * Cost incurred: production, then each leg's cost for the kg that enter it (a kg seized early does
 * not pay for the later legs), so the cost per delivered kg rises by 1/(1 - s) at the leg where a
 * share s is seized (replacement cost at the point of seizure; Caulkins & Reuter 1998).
 */
export function moveShipments(ctx: StepContext, rt: CommodityRt, t: number): void {
  const c = rt.c;
  const L = rt.L;
  const rec = rt.rec;
  const re = c.routeEdges;
  const routeEdgeStart = c.routeEdgeStart;
  const activeRoutes = L.activeRoutes;
  const { routeAlloc, routeSurvival, routeValue, routeKeep } = rt.ship;
  const { keep, edgeIn } = rt.legs;
  const mk = rt.market.mk;
  const mkW = mk.wholesale;
  const legCost = L.legCost;
  const routeMarket = L.routeMarket;
  const routeProdCost = L.routeProdCost;
  const routeCost = c.routeCost;
  const cashShare = ctx.cashShare;
  fillTo(edgeIn, 0);
  const mkArrivals = mk.arrivals;
  const mkLandedNum = mk.landedNum;
  const mkLandedDen = mk.landedDen;
  fillTo(mkArrivals, 0);
  fillTo(mkLandedNum, 0);
  fillTo(mkLandedDen, 0);
  const year = (t / 12) | 0;
  const routeRow = year * L.R;
  const routeShipped = rec.routeShipped;
  const routeDelivered = rec.routeDelivered;
  // Each active route's survival this month (`routeKeep`) is read by next month's replacement.
  for (let i = 0; i < activeRoutes.length; i++) {
    const r = activeRoutes[i];
    const start = routeAlloc[r];
    // A route without shipments adds zeros to its legs; its survival is still needed.
    let x = start;
    let spent = start * routeProdCost[r];
    let survives = 1;
    for (let j = routeEdgeStart[r], je = routeEdgeStart[r + 1]; j < je; j++) {
      const e = re[j];
      edgeIn[e] += x;
      spent += x * legCost[e];
      x *= keep[e];
      survives *= keep[e];
    }
    routeKeep[r] = survives;
    if (start === 0) continue;
    const mi = routeMarket[r];
    const survival = x / start;
    routeSurvival[r] = survival;
    // Cash per kg shipped: sales of what arrives, less the cash part of the route's cost.
    routeValue[r] = survival * mkW[mi] - routeCost[r] * cashShare;
    mkArrivals[mi] += x;
    mkLandedNum[mi] += spent;
    mkLandedDen[mi] += x;
    routeShipped[routeRow + r] += start;
    routeDelivered[routeRow + r] += x;
  }
}

/**
 * Step (j), by pair: kg delivered by holding, the organisations' cash, and (up to the hand-over) the
 * smoothed deliveries and shipments by holding x market that become the references of market-level
 * replacement. Marks the legs each organisation used. Returns whether every holding shipped.
 */
export function settleShipments(ctx: StepContext, rt: CommodityRt, t: number): boolean {
  const L = rt.L;
  const m = L.m;
  const H = L.H;
  const { alloc, routeSurvival, routeValue, shippedH, deliveredH } = rt.ship;
  const learn = rt.learn;
  const { delivEma, shipEma, used } = learn;
  const { hrRoute, hrHolding, hrOrg, hrMarket, holdLegStart, holdLegs } = L;
  const capital = ctx.capital;
  const nM = rt.market.nMarkets;
  fillTo(deliveredH, 0);
  // Smoothed deliveries and shipments by holding x market are only needed up to the hand-over,
  // where they become the references of market-level replacement (shipToMarkets). Smoothed at the
  // risk-memory rate (a few months), so the references are the market's state at the hand-over: a
  // market in decline then (fentanyl in 2025, after the precursor controls) continues from where it
  // is rather than being restored to its average over the last year.
  const smooth = t === 0 ? 1 : t < ctx.policyStep ? ctx.memory : 0;
  if (smooth > 0) {
    for (let i = 0; i < delivEma.length; i++) {
      delivEma[i] -= smooth * delivEma[i];
      shipEma[i] -= smooth * shipEma[i];
    }
  }
  for (let k = 0; k < alloc.length; k++) {
    const start = alloc[k];
    const r = hrRoute[k];
    const h = hrHolding[k];
    const got = start * routeSurvival[r];
    deliveredH[h] += got;
    capital[hrOrg[k]] += start * routeValue[r];
    if (smooth > 0) {
      const hj = h * nM + hrMarket[k];
      delivEma[hj] += smooth * got;
      shipEma[hj] += smooth * start;
    }
  }
  if (t === ctx.policyStep - 1) {
    learn.delivRef.set(delivEma);
    learn.shipRef.set(shipEma);
  }
  // Legs used this month by each organisation: those of the route sets of its holdings that shipped.
  // Usually every holding ships, and then every leg of an organisation's route sets is used.
  let allShipped = true;
  for (let h = 0; h < H; h++) if (!(shippedH[h] > 0)) allShipped = false;
  if (!allShipped) {
    used.fill(0);
    for (let h = 0; h < H; h++) {
      if (!(shippedH[h] > 0)) continue;
      const base = L.holdOrg[h] * m;
      for (let j = holdLegStart[h], je = holdLegStart[h + 1]; j < je; j++) used[base + holdLegs[j]] = 1;
    }
  }
  return allShipped;
}
