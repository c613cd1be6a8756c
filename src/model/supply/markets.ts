/**
 * Markets and prices, step (m). Each market's stock takes in the month's arrivals and offers a share
 * of it (`market.stockTurnover`); the price clears what is offered against the market's demand curve,
 * so consumption is always the quantity demanded at the price paid (no rationing without a price
 * signal, within the method bounds on the supply/demand ratio).
 *
 * - Cost-based wholesale price: the reference price plus the change in the landed cost of replacing
 *   product (each leg's cost counted only for the kg that enter it) times a risk-compensation
 *   multiplier. Traffickers adapt: all but `market.lastingPriceShare` of a rise in landed cost is
 *   worked off with the time constant `market.priceAdaptationMonths` (IDA 1997: interdiction events
 *   were followed by "short-lived upward excursions" of the price, NRC 1999 ch. 3).
 * - Retail: multiplicative pass-through, retail = reference retail x wholesale / reference wholesale
 *   (Caulkins: price ratios across market levels are "remarkably constant"; DATA-SHEET section 9),
 *   times the levers' retail markup (domestic enforcement).
 * - Demand curve: reference consumption this month (history.marketDemand for demand-led markets,
 *   demand.ts) x (retail / reference retail)^elasticity x the levers' demand shift (treatment).
 * - Clearing: the ratio of what is offered to the demand at the cost-based price sets a scarcity
 *   factor ratio^(1/elasticity) on both price levels, so offered = demand(price) exactly.
 *
 * The US market's consumption, price and purity are smoothed for the street interface.
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
  const qMonthly = market.qMonthly;
  let consumed = 0;
  let stocks = 0;
  const turnover = ctx.turnover;
  const smoothing = ctx.smoothing;
  const kappa = ctx.kappa;
  const thetaPurity = ctx.thetaPurity;
  const adaptRate = ctx.adaptRate;
  const adaptable = 1 - ctx.lastingShare;
  const us = market.usIndex;
  const shift = market.demandShift;
  const markup = market.retailMarkup;
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
    // Traffickers adapt away the adaptable part of the landed-cost excess (IDA 1997 excursions).
    const excess = mk.landedEma[mi] - mk.landedRef[mi];
    mk.adapt[mi] += adaptRate * (adaptable * excess - mk.adapt[mi]);
    const wRef = mk.wRef[mi];
    const wCost = Math.min(
      DEFAULTS.costCapMultiple * wRef,
      Math.max(0.2 * wRef, wRef + kappa * (excess - mk.adapt[mi])),
    );
    // Multiplicative pass-through to retail (Caulkins), times the levers' retail markup.
    let rCost = mk.rRef[mi] * (wCost / wRef);
    let q = qMonthly[mi][t];
    if (mi === us) {
      if (markup) rCost *= markup[t];
      if (shift) q *= shift[t];
    }
    // Powers as exp and log (several times faster than Math.pow).
    const demand = q * Math.exp(mk.eps[mi] * Math.log(rCost / mk.rRef[mi]));
    market.demandNow[mi] = demand;
    if (t === ctx.policyStep - 1) market.demandRef[mi] = demand;
    let ratio = demand > 0 ? x / demand : DEFAULTS.ratioHigh;
    ratio = ratio < DEFAULTS.ratioLow ? DEFAULTS.ratioLow : Math.min(ratio, DEFAULTS.ratioHigh);
    const logRatio = Math.log(ratio);
    // Clearing: both levels scale by ratio^(1/elasticity), so x = demand at the retail price paid.
    const mu = Math.exp(logRatio * mk.invEps[mi]);
    const wholesale = wCost * mu;
    const retail = rCost * mu;
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
