/**
 * The street-supply interface the health module reads: the historical driver before the policy
 * start, the US market (normalised to the last historical month, through the same adulteration
 * map) from then on, so that with no policy the projection continues the history smoothly.
 */

import type { TimeAxis } from '../../core/time.js';
import type { Scenario } from '../../spec/scenario.js';
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
            ema[EMA.refCons] = ema[EMA.cons] > 0 ? ema[EMA.cons] : 1;
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
        if (name === 'fentanyl') fenAvail = s[STREET.availability];
      }
      // Same saturating map as the historical driver, so the hand-over is continuous.
      sim.street.fentanyl[STREET.fentanylAdulteration] = adulteration.opioid(fenAvail);
      sim.street.cocaine[STREET.fentanylAdulteration] = adulteration.stimulant(fenAvail);
    },
  };
  return { module, histRef };
}
