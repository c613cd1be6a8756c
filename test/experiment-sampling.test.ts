import { describe, expect, it } from 'vitest';
import { CrossroadsError } from '../src/core/errors.js';
import { makeStreams } from '../src/core/rng.js';
import {
  type AcceptedSets,
  checkAcceptedSets,
  parameterSpace,
  parameterStream,
  Sampler,
  StratumPermutation,
} from '../src/experiment/sampling.js';
import { defaultScenario } from '../src/scenario/default.js';

const scenario = defaultScenario();
const calibrated = Object.keys(scenario.parameters).filter((id) => scenario.parameters[id].calibrated);
const accepted: AcceptedSets = {
  parameters: calibrated,
  sets: [0, 1, 2].map((k) =>
    calibrated.map((id) => {
      const p = scenario.parameters[id];
      const [lo, hi] = p.range ?? [p.value, p.value];
      return lo + ((hi - lo) * (k + 1)) / 4;
    }),
  ),
};

describe('stratum permutation', () => {
  it('is a bijection of [0, n) for awkward n', () => {
    for (const n of [1, 2, 3, 5, 17, 64, 1000, 4097]) {
      const p = new StratumPermutation(n, [7, n, 0]);
      const seen = new Set<number>();
      for (let i = 0; i < n; i++) seen.add(p.at(i));
      expect(seen.size).toBe(n);
      expect(Math.max(...seen)).toBe(n - 1);
    }
  });
  it('depends on its key', () => {
    const a = new StratumPermutation(100, [1, 100, 0]);
    const b = new StratumPermutation(100, [1, 100, 1]);
    const same = Array.from({ length: 100 }, (_, i) => a.at(i) === b.at(i)).filter(Boolean).length;
    expect(same).toBeLessThan(10);
  });
});

describe('sampling the declared uncertainties', () => {
  it('draws calibrated parameters jointly from the accepted sets and the rest from their ranges', () => {
    const space = parameterSpace(scenario, accepted);
    expect(space.joint?.ids).toEqual(calibrated);
    expect(space.ranged.map((p) => p.id)).not.toContain(calibrated[0]);
    const sampler = new Sampler(space, 'monte-carlo', 3, 200);
    const rows = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const d = sampler.draw(i);
      const k = accepted.sets.findIndex((s) => s.every((v, j) => d[calibrated[j]] === v));
      expect(k).toBeGreaterThanOrEqual(0); // a whole accepted set, never a mix
      rows.add(k);
      for (const p of space.ranged) {
        expect(d[p.id]).toBeGreaterThanOrEqual(p.lo);
        expect(d[p.id]).toBeLessThanOrEqual(p.hi);
      }
    }
    expect(rows.size).toBe(3);
  });
  it('holds calibrated parameters at their declared values without accepted sets, and says so', () => {
    const space = parameterSpace(scenario, null);
    expect(space.joint).toBeNull();
    expect(space.heldAtDeclared).toEqual(calibrated.slice().sort());
    expect(space.notes.join(' ')).toMatch(/held at their declared values/);
    const d = new Sampler(space, 'monte-carlo', 1, 10).draw(0);
    for (const id of calibrated) expect(d[id]).toBeUndefined();
  });
  it('reproduces a Monte Carlo replicate alone from (seed, index)', () => {
    const space = parameterSpace(scenario, accepted);
    const a = new Sampler(space, 'monte-carlo', 11, 1000).draw(517);
    const b = new Sampler(space, 'monte-carlo', 11, 600).draw(517);
    expect(b).toEqual(a);
    expect(new Sampler(space, 'monte-carlo', 12, 1000).draw(517)).not.toEqual(a);
  });
  it('gives a Latin hypercube: each dimension hits every stratum once, reproducible from (seed, N, index)', () => {
    const space = parameterSpace(scenario, accepted);
    const n = 37;
    const s = new Sampler(space, 'latin-hypercube', 5, n);
    const strata = Array.from({ length: space.dimensions }, () => new Set<number>());
    for (let i = 0; i < n; i++) {
      const u = s.uniforms(i);
      u.forEach((v, j) => {
        strata[j].add(Math.floor(v * n));
      });
    }
    for (const set of strata) expect(set.size).toBe(n);
    expect(new Sampler(space, 'latin-hypercube', 5, n).uniforms(20)).toEqual(s.uniforms(20));
    expect(new Sampler(space, 'latin-hypercube', 5, n + 1).uniforms(20)).not.toEqual(s.uniforms(20));
  });
  it('uses a parameter stream distinct from the run streams', () => {
    const p = parameterStream(9, 4);
    const first = [p.nextU32(), p.nextU32()];
    for (const s of makeStreams(9, 4, 3)) expect([s.nextU32(), s.nextU32()]).not.toEqual(first);
  });
  it('rejects malformed accepted sets with the path of the problem', () => {
    expect(() => checkAcceptedSets({ parameters: ['a'], sets: [[1, 2]] }, 'accepted.json')).toThrow(
      /accepted.json.sets\[0\]/,
    );
    expect(() => parameterSpace(scenario, { parameters: ['nope'], sets: [[1]] })).toThrow(CrossroadsError);
  });
});
