import { describe, expect, it } from 'vitest';
import accepted from '../data/calibration/accepted.json' with { type: 'json' };
import fitted from '../data/calibration/fitted.json' with { type: 'json' };
import { freeParameters } from '../src/calibration/calibrate.js';
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
