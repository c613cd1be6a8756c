/**
 * Model check: the health model stays a model for any street supply and any rates. The monthly flows
 * out of a compartment (initiation out of the general population, quitting, progression, treatment
 * entry, remission, other-cause and overdose deaths) are bounded by what the compartment holds, so
 * with a street supply scaled far beyond anything seen (availability, potency and cheapness x 1e3 to
 * 1e8) and every rate at the top of its range, every compartment stays >= 0, every monthly and
 * annual death count is finite and >= 0, and the population (living + dead) is conserved.
 *
 * Two ways in: the health module alone, driven by a synthetic street supply (every month the same
 * extreme values), and full runs whose street-supply history is scaled up.
 */

import { describe, expect, it } from 'vitest';
import { makeStreams } from '../src/core/rng.js';
import { makeTimeAxis } from '../src/core/time.js';
import { runModel } from '../src/engine/run.js';
import { C, COMPARTMENT_NAMES, COMPARTMENTS, createHealthModule, OUT } from '../src/model/health.js';
import { Params } from '../src/model/params.js';
import { COMMODITIES, type SimState, STREET, STREET_FIELDS, type StreetSupply } from '../src/model/state.js';
import { defaultScenario } from '../src/scenario/default.js';
import { noPolicy } from '../src/scenario/resolve.js';
import type { Scenario } from '../src/spec/scenario.js';

const scenario = defaultScenario();

/** Every health parameter with a range, at the end of it that makes flows largest (rates high). */
const fastest: Record<string, number> = Object.fromEntries(
  Object.entries(scenario.parameters)
    .filter(([id, d]) => id.startsWith('health.') && d.range !== undefined && d.range[1] > d.range[0])
    .filter(([id]) => /Rate$|Hazard$|Multiplier$|ElasticityUs$|AvailabilityElasticity$/.test(id))
    .map(([id, d]) => [id, d.range![1]]),
);

/** Drive the health module alone, every month with the same street supply; report what breaks. */
function driveHealth(
  street: { availability: number; priceIndex: number; potency: number; adulteration: number },
  parameters: Record<string, number>,
  stochastic: boolean,
): string[] {
  const axis = makeTimeAxis(scenario.horizon.start, scenario.horizon.end);
  const params = Params.fromScenario(scenario, parameters);
  const { module, state } = createHealthModule(axis, scenario, params, { stochastic });
  const s = Object.fromEntries(COMMODITIES.map((c) => [c, new Float64Array(STREET_FIELDS)])) as StreetSupply;
  for (const c of COMMODITIES) {
    s[c][STREET.availability] = street.availability;
    s[c][STREET.priceIndex] = street.priceIndex;
    s[c][STREET.potency] = street.potency;
    s[c][STREET.fentanylAdulteration] = street.adulteration;
  }
  const sim: SimState = {
    axis,
    t: 0,
    street: s,
    cost: new Float64Array(axis.steps),
    channels: new Map(),
    streams: { health: makeStreams(7, 0, 1)[0] },
    modules: { health: state },
  };
  const x = state.x;
  const initial = x.reduce((a, b) => a + b, 0);
  const found: string[] = [];
  for (let t = 0; t < axis.steps && found.length < 5; t++) {
    sim.t = t;
    module.step(sim);
    for (let i = 0; i < COMPARTMENTS; i++)
      if (!(Number.isFinite(x[i]) && x[i] >= 0)) found.push(`month ${t} ${COMPARTMENT_NAMES[i]} = ${x[i]}`);
    for (const [k, i] of Object.entries(OUT))
      if (!(Number.isFinite(state.out[i]) && state.out[i] >= 0))
        found.push(`month ${t} out.${k} = ${state.out[i]}`);
    const total = x.reduce((a, b) => a + b, 0);
    if (!(Math.abs(total - initial) <= 1e-6 * initial))
      found.push(`month ${t} population ${total} (was ${initial})`);
  }
  return found;
}

/** The default scenario with the street-supply history multiplied (availability, potency) or divided (price). */
function scaledScenario(factor: number, fields: ('availability' | 'priceIndex' | 'potency')[]): Scenario {
  const sc = structuredClone(scenario);
  for (const rows of Object.values(sc.history.streetSupply)) {
    for (const r of rows) {
      if (fields.includes('availability')) r.availability *= factor;
      if (fields.includes('potency')) r.potency *= factor;
      if (fields.includes('priceIndex')) r.priceIndex /= factor;
    }
  }
  return sc;
}

describe('health: flows bounded by the compartments they leave', () => {
  it('ranges the fast end of the health rates', () => {
    expect(fastest['health.stimulantAvailabilityElasticity']).toBe(1.5);
    expect(Object.keys(fastest).length).toBeGreaterThan(10);
  });

  it('the ordinary street supply keeps every compartment >= 0 (control)', () => {
    expect(
      driveHealth({ availability: 1, priceIndex: 1, potency: 0.3, adulteration: 0.5 }, {}, false),
    ).toEqual([]);
  });

  for (const k of [1e3, 1e5, 1e8]) {
    for (const stochastic of [false, true]) {
      it(`street supply x ${k} (${stochastic ? 'stochastic' : 'expected'}), rates at the top of their ranges`, () => {
        const street = { availability: k, priceIndex: 1 / k, potency: k, adulteration: 1 };
        expect(driveHealth(street, fastest, stochastic)).toEqual([]);
        expect(driveHealth(street, {}, stochastic)).toEqual([]);
      });
    }
  }

  it('stimulant initiation alone: availability x 1e8 empties nothing below zero', () => {
    const found = driveHealth(
      { availability: 1e8, priceIndex: 1, potency: 0.3, adulteration: 0 },
      { 'health.stimulantAvailabilityElasticity': 1.5 },
      false,
    );
    expect(found).toEqual([]);
  });

  for (const k of [1e3, 1e6, 1e8]) {
    for (const stochastic of [false, true]) {
      it(`full run, street-supply history x ${k} (${stochastic ? 'stochastic' : 'expected'})`, () => {
        const out = runModel({
          scenario: scaledScenario(k, ['availability', 'potency', 'priceIndex']),
          policy: noPolicy(),
          seed: 3,
          stochastic,
          parameters: fastest,
          monthly: true,
        });
        const found: string[] = [];
        expect(out.minCompartment).toBeGreaterThanOrEqual(0);
        const initial = scenario.parameters['health.population12Plus'].value;
        expect(out.conservationError).toBeLessThan(1e-6 * initial);
        for (const [name, v] of Object.entries(out.monthly!)) {
          if (name === 'month') continue;
          (v as number[]).forEach((y, t) => {
            if (!(Number.isFinite(y) && y >= 0)) found.push(`monthly ${name}[${t}] = ${y}`);
          });
        }
        for (const a of out.annual) {
          for (const [d, v] of Object.entries(a.deaths))
            if (!(Number.isFinite(v) && v >= 0)) found.push(`${a.year} deaths.${d} = ${v}`);
          for (const [c, v] of Object.entries(a.population))
            if (!(Number.isFinite(v) && v >= 0)) found.push(`${a.year} population.${c} = ${v}`);
        }
        expect(found.slice(0, 5)).toEqual([]);
      });
    }
  }

  it('the compartments named here are the model’s', () => {
    expect(COMPARTMENT_NAMES[C.G]).toBe('generalPopulation');
  });
});
