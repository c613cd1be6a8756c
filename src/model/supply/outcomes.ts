/**
 * Supply-side outcomes: annual aggregates of the monthly records (flow reaching the US, seizures,
 * labs destroyed and rebuilt, prices, route dispersion, strikes for the risk module) and whole-run
 * summaries (months until flow rebounds, mass-balance residual).
 */

import type { TimeAxis } from '../../core/time.js';
import { type CommodityRecords, DEFAULTS, type SupplyState } from './module.js';

/** Share of the pre-policy flow that counts as a rebound. */
export const REBOUND_SHARE = 0.9;

/** Annual supply outcomes of one commodity. */
export interface CommodityYear {
  /** Reaching the US market, kg (cocaine: pure; fentanyl: gross product). */
  flowUsKg: number;
  flowUsPureKg: number;
  producedKg: number;
  /** Seized anywhere in the network, kg. */
  seizedKg: number;
  /** Seized crossing the US border (ports of entry, between ports, maritime arrival), kg. */
  seizedUsBorderKg: number;
  /** Destroyed by strikes (cargo at sea, stocks at labs), kg. */
  destroyedKg: number;
  consumedUsKg: number;
  /** Lab capacity, December, kg a year. */
  labCapacityKgPerYear: number;
  labCapacityDestroyedKgPerYear: number;
  labCapacityRebuiltKgPerYear: number;
  /** Mean US retail and wholesale price over the year, USD per kg (traded form). */
  retailPriceUsdPerKg: number;
  wholesalePriceUsdPerKg: number;
  purity: number;
  /** Route dispersion of US-bound flow: entropy (nats) over corridors and corridors carrying >= 5%. */
  corridorEntropy: number;
  activeCorridors: number;
  /** US-bound flow by corridor, kg shipped. */
  byCorridor: Record<string, number>;
}

/** Annual supply outcomes. */
export interface SupplyYear {
  cocaine: CommodityYear & { easternPacificShare: number; maritimeRemovalRate: number };
  fentanyl: CommodityYear;
  strikes: { atSea: number; onLand: number; bySovereignty: Record<string, number> };
  deathsAboardStruckVessels: number;
  leadershipLosses: number;
}

function sum(a: Float64Array, from: number, to: number): number {
  let s = 0;
  for (let t = from; t <= to; t++) s += a[t];
  return s;
}

function commodityYear(
  r: CommodityRecords,
  corridors: string[],
  from: number,
  to: number,
  purity: number,
): CommodityYear {
  const n = to - from + 1;
  const flow = sum(r.flowUs, from, to);
  // Flows by corridor are recorded by year (row = year index of the year's last month).
  const row = ((to / 12) | 0) * corridors.length;
  const byCorridor: Record<string, number> = {};
  let total = 0;
  for (let i = 0; i < corridors.length; i++) {
    const v = r.corridorFlow[row + i];
    byCorridor[corridors[i]] = v;
    if (v > 0 && Number.isFinite(v)) total += v;
  }
  let entropy = 0;
  let active = 0;
  if (total > 0) {
    for (let i = 0; i < corridors.length; i++) {
      const v = r.corridorFlow[row + i];
      if (!(v > 0 && Number.isFinite(v))) continue;
      const s = v / total;
      entropy -= s * Math.log(s);
      if (s >= DEFAULTS.activeCorridorShare) active++;
    }
  }
  return {
    flowUsKg: flow,
    flowUsPureKg: flow * purity,
    producedKg: sum(r.produced, from, to),
    seizedKg: sum(r.seized, from, to),
    seizedUsBorderKg: sum(r.seizedUsBorder, from, to),
    destroyedKg: sum(r.destroyed, from, to),
    consumedUsKg: sum(r.consumedUs, from, to),
    labCapacityKgPerYear: r.labCapacity[to],
    labCapacityDestroyedKgPerYear: sum(r.capacityDestroyed, from, to),
    labCapacityRebuiltKgPerYear: sum(r.capacityRebuilt, from, to),
    retailPriceUsdPerKg: sum(r.retailUs, from, to) / n,
    wholesalePriceUsdPerKg: sum(r.wholesaleUs, from, to) / n,
    purity: sum(r.purityUs, from, to) / n,
    corridorEntropy: entropy,
    activeCorridors: active,
    byCorridor,
  };
}

/** Supply outcomes of the year whose last month is step `t`. */
export function supplyYear(s: SupplyState, t: number, fentanylPurity: number): SupplyYear {
  const from = t - 11;
  const c = s.records.cocaine;
  const docIn = sum(c.documentedIn, from, t);
  const ep = sum(c.easternPacificIn, from, t);
  const cb = sum(c.caribbeanIn, from, t);
  const bySovereignty: Record<string, number> = {};
  for (const [k, row] of s.events.strikesBySovereignty) {
    const v = sum(row, from, t);
    if (v > 0) bySovereignty[k] = v;
  }
  // Cocaine quantities are already pure (UNODC 100%-pure basis). The two cocaine-only fields are
  // set on the object rather than spread into a copy (copying it was most of this function's time).
  const cocaine = commodityYear(c, s.corridors.cocaine, from, t, 1) as SupplyYear['cocaine'];
  cocaine.easternPacificShare = ep + cb > 0 ? ep / (ep + cb) : 0;
  cocaine.maritimeRemovalRate = docIn > 0 ? sum(c.documentedRemoved, from, t) / docIn : 0;
  return {
    cocaine,
    fentanyl: commodityYear(s.records.fentanyl, s.corridors.fentanyl, from, t, fentanylPurity),
    strikes: {
      atSea: sum(s.events.strikesAtSea, from, t),
      onLand: sum(s.events.strikesOnLand, from, t),
      bySovereignty,
    },
    deathsAboardStruckVessels: sum(s.events.deathsAboard, from, t),
    leadershipLosses: sum(s.events.leadershipLosses, from, t),
  };
}

/**
 * Months from policy start until US-bound flow (3-month mean) is back at 90% of its mean over the 12
 * months before policy start, after having fallen below it; 0 when it never fell below, null when it
 * never recovers within the horizon.
 */
export function reboundMonths(flow: Float64Array, policyStep: number): number | null {
  if (policyStep < 12) return null;
  const pre = sum(flow, policyStep - 12, policyStep - 1) / 12;
  const level = REBOUND_SHARE * pre;
  let dipped = false;
  for (let t = policyStep; t < flow.length; t++) {
    const lo = Math.max(policyStep, t - 2);
    const avg = sum(flow, lo, t) / (t - lo + 1);
    if (!dipped) {
      if (avg < level) dipped = true;
    } else if (avg >= level) return t - policyStep;
  }
  return dipped ? null : 0;
}

/** Whole-run supply summary. */
export interface SupplySummary {
  reboundMonths: { cocaine: number | null; fentanyl: number | null };
  /** Largest |produced - seized - destroyed - consumed - change in inventory| in any month, kg. */
  massBalanceError: { cocaine: number; fentanyl: number };
  /** Capacity destroyed by strikes and not yet rebuilt at the end of the run, kg a year. */
  totalStrikesAtSea: number;
  totalStrikesOnLand: number;
  totalDeathsAboard: number;
}

/** Mass balance residual of one commodity: max over months, terms summed independently. */
export function massBalanceError(r: CommodityRecords, initialInventory: number): number {
  let worst = 0;
  let prev = initialInventory;
  for (let t = 0; t < r.produced.length; t++) {
    const res = r.produced[t] - r.seized[t] - r.destroyed[t] - r.consumed[t] - (r.inventory[t] - prev);
    prev = r.inventory[t];
    if (Math.abs(res) > worst) worst = Math.abs(res);
  }
  return worst;
}

/** Summarise a run's supply side. */
export function supplySummary(s: SupplyState, _axis: TimeAxis): SupplySummary {
  const init = (commodity: 'cocaine' | 'fentanyl') =>
    s.compiled.commodities
      .find((c) => c.commodity === commodity)!
      .holdings.reduce((a, h) => a + h.inventory, 0);
  return {
    reboundMonths: {
      cocaine: reboundMonths(s.records.cocaine.flowUs, s.policyStep),
      fentanyl: reboundMonths(s.records.fentanyl.flowUs, s.policyStep),
    },
    massBalanceError: {
      cocaine: massBalanceError(s.records.cocaine, init('cocaine')),
      fentanyl: massBalanceError(s.records.fentanyl, init('fentanyl')),
    },
    totalStrikesAtSea: s.events.strikesAtSea.reduce((a, b) => a + b, 0),
    totalStrikesOnLand: s.events.strikesOnLand.reduce((a, b) => a + b, 0),
    totalDeathsAboard: s.events.deathsAboard.reduce((a, b) => a + b, 0),
  };
}
