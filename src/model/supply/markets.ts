/**
 * Markets and prices, step (m): each market's stock takes in the month's arrivals and sells a share;
 * the import-level (wholesale) price is the reference price plus the change in the landed cost of
 * replacing product (each leg's cost counted only for the kg that enter it) times a
 * risk-compensation multiplier, capped, times a scarcity factor when supply falls short of demand
 * (constant-elasticity demand). Retail adds the same absolute amount to its reference price
 * (additive markups; Caulkins & Reuter, J. Drug Issues 1998), so a shortfall shows mostly in purity
 * and availability. The US market's consumption, price and purity are smoothed for the street
 * interface.
 */

import { type CommodityRt, DEFAULTS, EMA, type StepContext } from './state.js';

/** Step (m) for one month; records the US market and consumption. Returns the markets' stocks. */
export function clearMarkets(ctx: StepContext, rt: CommodityRt, t: number): number {
  const market = rt.market;
  const mk = market.mk;
  const rec = rt.rec;
  const mkW = mk.wholesale;
  const mkArrivals = mk.arrivals;
  const mkLandedNum = mk.landedNum;
  const mkLandedDen = mk.landedDen;
  // Exogenous drivers (demand growth) are held flat after the last data year, like the history.
  const yearFrac = Math.min(ctx.axis.firstYear + t / 12, ctx.scenario.lastDataYear + 1);
  let consumed = 0;
  let stocks = 0;
  const turnover = ctx.turnover;
  const smoothing = ctx.smoothing;
  const kappa = ctx.kappa;
  const thetaPurity = ctx.thetaPurity;
  const us = market.usIndex;
  for (let mi = 0; mi < market.nMarkets; mi++) {
    const arrivals = mkArrivals[mi];
    mk.stock[mi] += arrivals;
    const x = mk.stock[mi] * turnover;
    mk.stock[mi] -= x;
    consumed += x;
    stocks += mk.stock[mi];
    if (mkLandedDen[mi] > 0) {
      const landed = mkLandedNum[mi] / mkLandedDen[mi];
      if (!mk.hasRef[mi]) {
        mk.landedRef[mi] = landed;
        mk.landedEma[mi] = landed;
        mk.hasRef[mi] = 1;
      } else mk.landedEma[mi] += smoothing * (landed - mk.landedEma[mi]);
    }
    const wRef = mk.wRef[mi];
    const wCost = Math.min(
      DEFAULTS.costCapMultiple * wRef,
      Math.max(0.2 * wRef, wRef + kappa * (mk.landedEma[mi] - mk.landedRef[mi])),
    );
    const rCost = mk.rRef[mi] + (wCost - wRef);
    // Powers as exp and log (several times faster than Math.pow).
    const growthFactor = Math.exp(mk.logGrowth[mi] * (yearFrac - mk.refYear[mi]));
    const priceFactor = Math.exp(mk.eps[mi] * Math.log(rCost / mk.rRef[mi]));
    const demand = mk.q0[mi] * growthFactor * priceFactor;
    market.demandNow[mi] = demand;
    if (t === ctx.policyStep - 1) market.demandRef[mi] = demand;
    let ratio = demand > 0 ? x / demand : DEFAULTS.ratioHigh;
    ratio = ratio < DEFAULTS.ratioLow ? DEFAULTS.ratioLow : Math.min(ratio, DEFAULTS.ratioHigh);
    const logRatio = Math.log(ratio);
    const mu = Math.exp(logRatio * mk.invEps[mi]);
    // Scarcity is priced at the import level and passed on downstream as an absolute amount
    // (additive markups, Caulkins & Reuter 1998); a shortfall at retail shows mostly in purity and
    // availability.
    const wholesale = wCost * mu;
    const retail = rCost + (wholesale - wCost);
    mk.premium[mi] = mu;
    mkW[mi] = wholesale;
    mk.retail[mi] = retail;
    if (mi === us) {
      // Purity is read only for the US market (records and the street interface).
      const purity = Math.min(1, mk.purityRef[mi] * Math.exp(logRatio * thetaPurity));
      mk.purity[mi] = purity;
      rec.flowUs[t] = arrivals;
      rec.consumedUs[t] = x;
      rec.retailUs[t] = retail;
      rec.wholesaleUs[t] = wholesale;
      rec.purityUs[t] = purity;
      const ema = market.ema;
      if (t === 0) {
        ema[EMA.cons] = x;
        ema[EMA.price] = retail;
        ema[EMA.purity] = purity;
      } else {
        ema[EMA.cons] += smoothing * (x - ema[EMA.cons]);
        ema[EMA.price] += smoothing * (retail - ema[EMA.price]);
        ema[EMA.purity] += smoothing * (purity - ema[EMA.purity]);
      }
    }
  }
  rec.consumed[t] = consumed;
  return stocks;
}
