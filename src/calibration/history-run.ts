/**
 * A fast, health-only run of the history for calibration: the historical street-supply driver and the
 * health module, no supply network, no levers, expected values (no process noise). Up to the last
 * historical year it gives the same annual deaths as a full no-policy run with `stochastic: false`
 * (test/health-fit.test.ts checks this), at a fraction of the cost.
 */

import { makeTimeAxis } from '../core/time.js';
import { createHealthModule, OUT } from '../model/health.js';
import { DEATH_GROUPS, type DeathGroup } from '../model/health-outcomes.js';
import { Params } from '../model/params.js';
import type { SimState } from '../model/state.js';
import { COMMODITIES, STREET, STREET_FIELDS, type StreetSupply } from '../model/state.js';
import { historicalStreetSupply } from '../model/street-supply.js';
import type { Scenario } from '../spec/scenario.js';

/** The death groups the model reports (`annual[].deaths`), in a fixed order. */
/** The death groups, as declared once by the health module. */
export const GROUPS = DEATH_GROUPS.map((g) => g.key);
export type Group = DeathGroup;

/**
 * Calibration-only series, fitted but not reported in `annual[].deaths`: deaths involving a stimulant
 * and no opioid (data/targets/deaths.json `withoutOpioids`). They follow the groups in `historyRun`'s
 * rows (columns GROUPS.length, GROUPS.length + 1).
 */
export const EXTRA_SERIES = [
  { key: 'cocaineWithoutOpioids', target: 'cocaine', slot: OUT.cocaineNoOpioid },
  { key: 'psychostimulantsWithoutOpioids', target: 'otherStimulants', slot: OUT.psychostimulantsNoOpioid },
] as const;
export type ExtraSeries = (typeof EXTRA_SERIES)[number]['key'];

/** The health output slot of each declared death group, in `DEATH_GROUPS` order, then the extra series. */
const GROUP_OUT = [...DEATH_GROUPS.map((g) => g.slot), ...EXTRA_SERIES.map((e) => e.slot)];

/**
 * Annual expected deaths by group (rows: years from the scenario's first year to `lastYear`;
 * columns: GROUPS, then EXTRA_SERIES) for the given parameter values.
 */
export function historyRun(
  scenario: Scenario,
  values: Readonly<Record<string, number>>,
  lastYear: number,
): number[][] {
  const axis = makeTimeAxis(scenario.horizon.start, `${lastYear}-12`);
  const params = Params.fromScenario(scenario, values);
  const supply = historicalStreetSupply(axis, scenario, params);
  const health = createHealthModule(axis, scenario, params, { stochastic: false });
  const street = Object.fromEntries(
    COMMODITIES.map((c) => [c, new Float64Array(STREET_FIELDS)]),
  ) as StreetSupply;
  const sim: SimState = {
    axis,
    t: 0,
    street,
    cost: new Float64Array(axis.steps),
    channels: new Map(),
    streams: {},
    modules: {},
  };
  const out = health.state.out;
  const rows: number[][] = [];
  let acc = GROUP_OUT.map(() => 0);
  for (let t = 0; t < axis.steps; t++) {
    sim.t = t;
    for (const [name, s] of [
      ['fentanyl', supply.fentanyl],
      ['cocaine', supply.cocaine],
    ] as const) {
      const r = street[name];
      r[STREET.availability] = s.availability[t];
      r[STREET.priceIndex] = s.priceIndex[t];
      r[STREET.potency] = s.potency[t];
      r[STREET.fentanylAdulteration] = s.adulteration[t];
    }
    health.module.step(sim);
    for (let g = 0; g < GROUP_OUT.length; g++) acc[g] += out[GROUP_OUT[g]];
    if (t % 12 === 11) {
      rows.push(acc);
      acc = GROUP_OUT.map(() => 0);
    }
  }
  return rows;
}

/**
 * The scenario as known at the end of `year`: every historical input series cut after that year (the
 * model holds the last row flat), so a forecast from that origin uses no later signal.
 */
export function signalsUpTo(scenario: Scenario, year: number): Scenario {
  const cut = <T extends { year: number }>(rows: T[]): T[] => {
    const kept = rows.filter((r) => r.year <= year);
    return kept.length ? kept : rows.slice(0, 1);
  };
  const h = scenario.history;
  return {
    ...scenario,
    history: {
      ...h,
      streetSupply: { fentanyl: cut(h.streetSupply.fentanyl), cocaine: cut(h.streetSupply.cocaine) },
      treatmentCapacity: cut(h.treatmentCapacity),
      naloxoneKits: cut(h.naloxoneKits),
      ...(h.methamphetamine ? { methamphetamine: cut(h.methamphetamine) } : {}),
    },
  };
}
