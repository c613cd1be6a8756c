/**
 * The street-supply interface the health module reads: the historical driver before the policy
 * start, the US market (normalised to the last historical month, through the same adulteration
 * map) from then on, so that with no policy the projection continues the history smoothly.
 */

import { parseMonth, type TimeAxis } from '../../core/time.js';
import type { Scenario } from '../../spec/scenario.js';
import type { StreetTrend } from '../../spec/supply.js';
import type { Params } from '../params.js';
import { type Module, type SimState, STREET } from '../state.js';
import { ADULTERATION_PARAMETERS, adulterationMap, createStreetSupplyModule } from '../street-supply.js';
import { type CommodityRt, EMA } from './state.js';

/**
 * The historical street-supply driver is stateless and depends only on the scenario, the time axis
 * and the two adulteration parameters (`adulterationMap`), so runs sharing them share it: building it
 * interpolates the yearly series for every month, 2-4% of a run (bench --baseline, CPU profile).
 * Ensembles draw those parameters from a few hundred accepted calibration sets, so the cache (per
 * scenario and axis) is keyed by their values and bounded.
 */
const historyCache = new WeakMap<Scenario, { start: number; steps: number; byValues: Map<string, Module> }>();
const HISTORY_CACHE_MAX = 1024;

function historyModule(axis: TimeAxis, scenario: Scenario, params: Params): Module {
  let entry = historyCache.get(scenario);
  // By the axis' values: every run builds its own axis object (prepare -> makeTimeAxis).
  if (!entry || entry.start !== axis.start || entry.steps !== axis.steps) {
    entry = { start: axis.start, steps: axis.steps, byValues: new Map() };
    historyCache.set(scenario, entry);
  }
  const key = ADULTERATION_PARAMETERS.map((id) => params.get(id)).join('|');
  let module = entry.byValues.get(key);
  if (!module) {
    if (entry.byValues.size >= HISTORY_CACHE_MAX) entry.byValues.clear();
    module = createStreetSupplyModule(axis, scenario, params);
    entry.byValues.set(key, module);
  }
  return module;
}

/**
 * The smallest monthly consumption the street interface is normalised to: the kg of one shipment,
 * the smallest consignment the commodity's network moves (a land shipment,
 * `supply.kgPerLandShipmentCocaine` / `supply.kgPerLandShipmentFentanyl`).
 *
 * From the policy start the street follows the US market relative to the last historical month:
 * availability = (last historical availability) x (smoothed consumption / its hand-over value). In
 * some worlds at the corners of the declared ranges (the lowest route-choice temperature with an
 * inelastic market elsewhere: route choice then swings whole shipments between markets at every
 * revision, chasing the scarcity price of whichever market it starved last, and the US market can
 * be left without supply for years) the modelled US market received 1e-19 to 1e-8 kg a month at the
 * hand-over against a demand of ~17 t, and the ratio of two vanishing numbers multiplied
 * availability by up to 1e17, which drove the health model's flows past its compartments (negative
 * deaths). Less than one shipment a month is no market: such a reference says nothing about how
 * the street should change, and measured against one shipment a market the model left unsupplied
 * shows on the street as the shortage it is (availability near zero), finite whatever the
 * reference. A supplied market (the default world: about 60 t of cocaine and 13 t of fentanyl
 * a month at the hand-over) is far above it, so its normalisation is unchanged.
 */
function handOverFloor(rt: CommodityRt): number {
  let kg = Number.POSITIVE_INFINITY;
  for (const x of rt.legs.shipKg) if (x > 0 && x < kg) kg = x;
  return Number.isFinite(kg) ? kg : 0;
}

/** A street trend compiled against the run's time axis (see StreetTrendSchema). */
interface CompiledTrend {
  commodity: 'fentanyl' | 'cocaine';
  slot: number;
  handOver: boolean;
  /** First step the trend moves (at the earliest the policy start) and last step it moves. */
  start: number;
  end: number;
  /** ln(1 + annualChange) / 12. */
  logPerMonth: number;
}

const TREND_SLOT = {
  availability: STREET.availability,
  potency: STREET.potency,
  priceIndex: STREET.priceIndex,
  fentanylAdulteration: STREET.fentanylAdulteration,
} as const;
/** Where a field's hand-over value sits in `histRef` (adulteration has none: it follows availability). */
const REF_INDEX: Record<number, number> = {
  [STREET.availability]: 0,
  [STREET.priceIndex]: 1,
  [STREET.potency]: 2,
};

function compileTrends(axis: TimeAxis, trends: readonly StreetTrend[], policyStep: number): CompiledTrend[] {
  return trends.map((tr) => {
    const from = tr.from ? parseMonth(tr.from, 'streetTrends.from') - axis.start : policyStep;
    const until = tr.until ? parseMonth(tr.until, 'streetTrends.until') - axis.start : axis.steps - 1;
    return {
      commodity: tr.commodity,
      slot: TREND_SLOT[tr.field],
      handOver: tr.basis === 'handOver',
      start: Math.max(from, policyStep),
      end: until,
      logPerMonth: Math.log1p(tr.annualChange) / 12,
    };
  });
}

/**
 * Apply the trends on `slot` (the field's value in `s`, set from the market) at step t: from the
 * trend's start, the value is multiplied by (1 + annualChange)^(months / 12), months counted from
 * the start to t inclusive and at most to the trend's end (the level reached is then held); a
 * hand-over trend multiplies the hand-over value instead of the market's.
 */
function applyTrends(
  trends: readonly CompiledTrend[],
  commodity: 'fentanyl' | 'cocaine',
  slot: number,
  t: number,
  s: Float64Array,
  ref: Float64Array,
): void {
  for (const tr of trends) {
    if (tr.commodity !== commodity || tr.slot !== slot || t < tr.start) continue;
    const months = Math.min(t, tr.end) - tr.start + 1;
    const factor = months > 0 ? Math.exp(tr.logPerMonth * months) : 1;
    const base = tr.handOver ? ref[REF_INDEX[slot] ?? 0] : s[slot];
    s[slot] = base * factor;
  }
  if (slot === STREET.potency || slot === STREET.fentanylAdulteration) s[slot] = Math.min(1, s[slot]);
}

/**
 * The street-interface module of a run, and its state (`histRef`: the street values of the last
 * historical month, by commodity; mutable, for forking).
 */
export function createStreetModule(
  axis: TimeAxis,
  scenario: Scenario,
  params: Params,
  policyStep: number,
  cocRt: CommodityRt,
  fenRt: CommodityRt,
): { module: Module; histRef: Record<'fentanyl' | 'cocaine', Float64Array> } {
  const adulteration = adulterationMap(params);
  const history = historyModule(axis, scenario, params);
  const refStep = Math.max(0, policyStep - 1);
  const histRef = { fentanyl: new Float64Array(3), cocaine: new Float64Array(3) };
  const pairs = [
    ['fentanyl', fenRt],
    ['cocaine', cocRt],
  ] as const;
  const trends = scenario.streetTrends?.length
    ? compileTrends(axis, scenario.streetTrends, policyStep)
    : undefined;
  const module: Module = {
    id: 'street-supply',
    step(sim: SimState) {
      const t = sim.t;
      if (t < policyStep || policyStep === 0) {
        history.step(sim);
        if (t === refStep || policyStep === 0) {
          for (const [name, rt] of pairs) {
            const s = sim.street[name];
            histRef[name][0] = s[STREET.availability];
            histRef[name][1] = s[STREET.priceIndex];
            histRef[name][2] = s[STREET.potency];
            const ema = rt.market.ema;
            // The consumption reference is at least one shipment a month (see handOverFloor).
            const floor = handOverFloor(rt);
            ema[EMA.refCons] = ema[EMA.cons] > floor ? ema[EMA.cons] : floor > 0 ? floor : 1;
            ema[EMA.refPrice] = ema[EMA.price] > 0 ? ema[EMA.price] : 1;
            ema[EMA.refPurity] = ema[EMA.purity] > 0 ? ema[EMA.purity] : 1;
          }
        }
        if (policyStep > 0) return;
      }
      let fenAvail = 0;
      for (const [name, rt] of pairs) {
        const s = sim.street[name];
        const ref = histRef[name];
        const ema = rt.market.ema;
        s[STREET.availability] = (ref[0] * ema[EMA.cons]) / ema[EMA.refCons];
        s[STREET.priceIndex] = (ref[1] * ema[EMA.price]) / ema[EMA.refPrice];
        s[STREET.potency] = Math.min(1, (ref[2] * ema[EMA.purity]) / ema[EMA.refPurity]);
        if (trends) {
          // Alternative baselines (assumption sets): trends on top of the market.
          applyTrends(trends, name, STREET.availability, t, s, ref);
          applyTrends(trends, name, STREET.priceIndex, t, s, ref);
          applyTrends(trends, name, STREET.potency, t, s, ref);
        }
        if (name === 'fentanyl') fenAvail = s[STREET.availability];
      }
      // Same saturating map as the historical driver, so the hand-over is continuous.
      sim.street.fentanyl[STREET.fentanylAdulteration] = adulteration.opioid(fenAvail);
      sim.street.cocaine[STREET.fentanylAdulteration] = adulteration.stimulant(fenAvail);
      if (trends) {
        applyTrends(
          trends,
          'fentanyl',
          STREET.fentanylAdulteration,
          t,
          sim.street.fentanyl,
          histRef.fentanyl,
        );
        applyTrends(trends, 'cocaine', STREET.fentanylAdulteration, t, sim.street.cocaine, histRef.cocaine);
      }
    },
  };
  return { module, histRef };
}
