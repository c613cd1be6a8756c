import { describe, expect, it } from 'vitest';
import { CrossroadsError } from '../src/core/errors.js';
import { defaultScenario } from '../src/scenario/default.js';
import { resolvePolicy, resolveScenario } from '../src/scenario/resolve.js';

describe('scenario resolution', () => {
  it('applies overrides onto the default and records their source', () => {
    const s = resolveScenario({ name: 'x', parameters: { 'cost.naloxoneKit': 60 } });
    expect(s.parameters['cost.naloxoneKit'].value).toBe(60);
    expect(s.parameters['cost.naloxoneKit'].source).toMatch(/scenario x/);
    expect(s.parameters['cost.moudSlotYear']).toEqual(defaultScenario().parameters['cost.moudSlotYear']);
  });
  it('marks an overridden fitted parameter as no longer calibrated, so ensembles keep the user value', () => {
    const s = resolveScenario({ name: 'x', parameters: { 'health.opioidOverdoseHazard': 0.01 } });
    expect(defaultScenario().parameters['health.opioidOverdoseHazard'].calibrated).toBe(true);
    expect(s.parameters['health.opioidOverdoseHazard'].calibrated).toBe(false);
  });
  it('collects every problem instead of stopping at the first', () => {
    try {
      resolveScenario({
        name: 'x',
        parameters: { 'health.moudOverdoseHazardRatio': 2, nope: 1 },
        policyStart: '2050-01',
      });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(CrossroadsError);
      const paths = (err as CrossroadsError).issues.map((i) => i.path);
      expect(paths).toEqual(
        expect.arrayContaining([
          'parameters.health.moudOverdoseHazardRatio.value',
          'parameters.nope',
          'policyStart',
        ]),
      );
    }
  });
  it('rejects a range that does not contain the value, or is reversed', () => {
    expect(() =>
      resolveScenario({ name: 'x', parameters: { 'cost.naloxoneKit': { range: [50, 40] } } }),
    ).toThrow(/low <= high/);
  });
  it('validates a policy against the lever catalogue, the ranges and the horizon', () => {
    const s = defaultScenario();
    expect(
      resolvePolicy({ name: 'p', levers: [{ lever: 'naloxone', intensity: 1e6, start: '2019-01' }] }, s)
        .levers,
    ).toHaveLength(1);
    expect(() => resolvePolicy({ name: 'p', levers: [{ lever: 'naloxone', intensity: 1e12 }] }, s)).toThrow(
      /levers\[0\]\.intensity/,
    );
    expect(() =>
      resolvePolicy({ name: 'p', levers: [{ lever: 'naloxone', intensity: 1, end: '2020-01' }] }, s),
    ).toThrow(/levers\[0\]\.end/);
  });
});
