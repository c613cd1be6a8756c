import { describe, expect, it } from 'vitest';
import accepted from '../data/calibration/accepted.json' with { type: 'json' };
import fitted from '../data/calibration/fitted.json' with { type: 'json' };
import { expectedRun, freeParameters, observed } from '../src/calibration/calibrate.js';
import { defaultScenario } from '../src/scenario/default.js';

describe('calibration', () => {
  const scenario = defaultScenario();
  it('has at most 12 free parameters, all declared with a range and marked calibrated', () => {
    const free = freeParameters(scenario);
    expect(free.length).toBeLessThanOrEqual(12);
    for (const id of free) expect(scenario.parameters[id].calibrated).toBe(true);
  });
  it('the shipped fit is what the default scenario uses', () => {
    for (const [id, v] of Object.entries(fitted.values)) expect(scenario.parameters[id].value).toBe(v);
  });
  it('every accepted parameter set meets the bounds (annual ±10%, cumulative ±5%, 2015-2022)', () => {
    const obs = observed(2015, 2022);
    expect(accepted.sets.length).toBeGreaterThanOrEqual(50);
    for (const set of accepted.sets) {
      const values = Object.fromEntries(accepted.parameters.map((id, i) => [id, set[i]]));
      const annual = expectedRun(scenario, values);
      let m = 0;
      let o = 0;
      obs.years.forEach((y, k) => {
        const total = annual[y - 2015].deaths.total;
        expect(Math.abs(total / obs.total[k] - 1)).toBeLessThanOrEqual(0.1);
        m += total;
        o += obs.total[k];
      });
      expect(Math.abs(m / o - 1)).toBeLessThanOrEqual(0.05);
    }
  });
  it('accepted sets stay inside each parameter range', () => {
    accepted.parameters.forEach((id, i) => {
      const [lo, hi] = scenario.parameters[id].range!;
      for (const set of accepted.sets) {
        expect(set[i]).toBeGreaterThanOrEqual(lo);
        expect(set[i]).toBeLessThanOrEqual(hi);
      }
    });
  });
});
