/**
 * The historical street-supply driver: writes the street-supply interface from the scenario's
 * supply-side evidence (seizures, forensic reports, pill testing, prices), held flat after the last
 * data year. Fentanyl adulteration of the opioid supply is a hyperbolic map of fentanyl availability,
 * kA / (1 + kA) with k calibrated (health-1; the exponential map it replaces stayed above 0.96 while
 * availability fell by half); the stimulant supply's share is c times the opioid supply's (health-2:
 * was the same map with k scaled by c, which for small c grew linearly with the seizure index).
 */

import type { TimeAxis } from '../core/time.js';
import type { Scenario, StreetSupplyRow } from '../spec/scenario.js';
import type { Params } from './params.js';
import { monthlyFromYearly } from './series.js';
import { type Module, type SimState, STREET } from './state.js';

interface Series {
  availability: Float64Array;
  priceIndex: Float64Array;
  potency: Float64Array;
  adulteration: Float64Array;
}

function seriesOf(axis: TimeAxis, rows: StreetSupplyRow[]): Omit<Series, 'adulteration'> {
  return {
    availability: monthlyFromYearly(
      axis,
      rows.map((r) => ({ year: r.year, value: r.availability })),
    ),
    priceIndex: monthlyFromYearly(
      axis,
      rows.map((r) => ({ year: r.year, value: r.priceIndex })),
    ),
    potency: monthlyFromYearly(
      axis,
      rows.map((r) => ({ year: r.year, value: r.potency })),
    ),
  };
}

/** Fentanyl adulteration of the opioid and stimulant supplies as a function of fentanyl availability. */
export interface AdulterationMap {
  opioid(availability: number): number;
  stimulant(availability: number): number;
}

/** The only parameters the historical driver reads (through `adulterationMap`). */
export const ADULTERATION_PARAMETERS = [
  'health.fentanylSaturation',
  'health.stimulantFentanylContamination',
] as const;

/**
 * The one map from fentanyl availability to adulteration, used by the historical driver and by the
 * market after the policy start (so the hand-over is continuous): the opioid supply as kA / (1 + kA),
 * the stimulant supply as c·kA / (1 + kA), c <= 1 (health-2: stimulant users meet fentanyl through
 * the same supply, by contamination and by co-use, so their exposure saturates with the opioid
 * supply's; the earlier ckA / (1 + ckA) with the fitted c near 0.01 doubled when the FY2023 seizure
 * index doubled). Adulteration responds to availability at every level (elasticity 1 / (1 + kA)).
 */
export function adulterationMap(params: Params): AdulterationMap {
  const [saturation, contamination] = ADULTERATION_PARAMETERS;
  const k = params.get(saturation);
  const c = params.get(contamination);
  return {
    opioid: (a) => (k * a) / (1 + k * a),
    stimulant: (a) => (c * k * a) / (1 + k * a),
  };
}

/** Precompute the historical street supply for every month. */
export function historicalStreetSupply(
  axis: TimeAxis,
  scenario: Scenario,
  params: Params,
): { fentanyl: Series; cocaine: Series } {
  const map = adulterationMap(params);
  const f = seriesOf(axis, scenario.history.streetSupply.fentanyl);
  const c = seriesOf(axis, scenario.history.streetSupply.cocaine);
  const fa = new Float64Array(axis.steps);
  const ca = new Float64Array(axis.steps);
  for (let t = 0; t < axis.steps; t++) {
    fa[t] = map.opioid(f.availability[t]);
    ca[t] = map.stimulant(f.availability[t]);
  }
  return { fentanyl: { ...f, adulteration: fa }, cocaine: { ...c, adulteration: ca } };
}

/** Module writing the historical series onto the interface each month. */
export function createStreetSupplyModule(axis: TimeAxis, scenario: Scenario, params: Params): Module {
  const h = historicalStreetSupply(axis, scenario, params);
  return {
    id: 'street-supply',
    step(state: SimState) {
      const t = state.t;
      for (const [name, s] of [
        ['fentanyl', h.fentanyl],
        ['cocaine', h.cocaine],
      ] as const) {
        const out = state.street[name];
        out[STREET.availability] = s.availability[t];
        out[STREET.priceIndex] = s.priceIndex[t];
        out[STREET.potency] = s.potency[t];
        out[STREET.fentanylAdulteration] = s.adulteration[t];
      }
    },
  };
}
