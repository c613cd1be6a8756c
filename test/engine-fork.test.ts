/**
 * Forked paired runs: `runPaired` computes the months before two policies differ once and copies
 * the state; its results must be bit for bit those of two separate runs, for every shipped policy,
 * in either order, with drawn parameters and process noise, and for policies starting early or late.
 */
import { describe, expect, it } from 'vitest';
import { loadPolicy, shippedPolicies } from '../src/cli/inputs.js';
import { copyState } from '../src/core/copy-state.js';
import { firstDifference, prepare, type RunOutput, runModel, runPaired } from '../src/engine/run.js';
import { parameterSpace, Sampler } from '../src/experiment/sampling.js';
import { COMPARTMENT_NAMES } from '../src/model/health.js';
import { defaultScenario } from '../src/scenario/default.js';
import { noPolicy } from '../src/scenario/resolve.js';
import type { Policy } from '../src/spec/scenario.js';

/** Every number of a run (typed arrays, Maps and nested records included), exactly. */
function fingerprint(x: unknown): string {
  if (typeof x === 'number') return Object.is(x, -0) ? '-0' : String(x);
  if (x === null || x === undefined || typeof x !== 'object') return JSON.stringify(x) ?? 'undefined';
  if (ArrayBuffer.isView(x)) return `[${Array.from(x as unknown as Float64Array, fingerprint).join(',')}]`;
  if (x instanceof Map) return `Map{${[...x].map(([k, v]) => `${k}:${fingerprint(v)}`).join(',')}}`;
  if (Array.isArray(x)) return `[${x.map(fingerprint).join(',')}]`;
  const o = x as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => k !== 'compiled')
    .map((k) => `${k}:${fingerprint(o[k])}`)
    .join(',')}}`;
}

function same(a: RunOutput, b: RunOutput, label: string): void {
  const fa = fingerprint(a);
  const fb = fingerprint(b);
  if (fa === fb) return;
  let i = 0;
  while (fa[i] === fb[i]) i++;
  expect(fa.slice(Math.max(0, i - 200), i + 80), label).toBe(fb.slice(Math.max(0, i - 200), i + 80));
}

describe('runPaired (forked paired runs)', () => {
  const scenario = defaultScenario();
  const sampler = new Sampler(parameterSpace(scenario, null), 'monte-carlo', 7, 1000);
  const early: Policy = {
    name: 'naloxone and vessel strikes from 2019',
    levers: [
      { lever: 'naloxone', intensity: 4000000, start: '2019-01' },
      { lever: 'vessel-strikes', target: 'caribbean', intensity: 60, start: '2019-06' },
    ],
  };
  const late: Policy = {
    name: 'lab strikes from 2031',
    levers: [{ lever: 'production-strikes', target: 'MX', intensity: 300, start: '2031-03' }],
  };
  const infra: Policy = {
    name: 'strikes on Venezuelan trafficking infrastructure 2020-2022',
    levers: [
      { lever: 'infrastructure-strikes', target: 'VE', intensity: 400, start: '2020-01', end: '2022-06' },
    ],
  };
  const policies = [...shippedPolicies().map((n) => loadPolicy(n, scenario)), early, late, infra];

  it('gives the same results as two separate runs, for every shipped policy, in both orders', () => {
    policies.forEach((policy, i) => {
      const draw = sampler.draw(i);
      const a = { scenario, policy, seed: 11, replicate: i, parameters: draw, monthly: i % 2 === 0 };
      const b = { ...a, policy: noPolicy() };
      const [pa, pb] = runPaired(a, b);
      same(pa, runModel(a), `${policy.name} (policy arm)`);
      same(pb, runModel(b), `${policy.name} (no-policy arm)`);
      const [qb, qa] = runPaired(b, a);
      same(qa, pa, `${policy.name} (policy arm, reversed)`);
      same(qb, pb, `${policy.name} (no-policy arm, reversed)`);
    });
  });

  it('gives the same results without process noise and for two different policies', () => {
    const [x, y] = [policies[0], early];
    const a = { scenario, policy: x, seed: 2, stochastic: false };
    const b = { scenario, policy: y, seed: 2, stochastic: false };
    const [pa, pb] = runPaired(a, b);
    same(pa, runModel(a), 'first');
    same(pb, runModel(b), 'second');
  });

  it('runs inputs that differ in more than the policy separately', () => {
    const a = { scenario, policy: early, seed: 3 };
    const b = { scenario, policy: noPolicy(), seed: 4 };
    const [pa, pb] = runPaired(a, b);
    same(pa, runModel(a), 'seed 3');
    same(pb, runModel(b), 'seed 4');
  });

  it('forks at the first month in which the lever plans differ', () => {
    const steps = prepare({ scenario, policy: noPolicy(), seed: 1 }).axis.steps;
    const plan = (p: Policy) => prepare({ scenario, policy: p, seed: 1 }).plan;
    expect(firstDifference(plan(noPolicy()), plan(noPolicy()), steps)).toBe(steps);
    expect(firstDifference(plan(early), plan(noPolicy()), steps)).toBe(48); // 2019-01
    expect(firstDifference(plan(noPolicy()), plan(late), steps)).toBe(16 * 12 + 2); // 2031-03
  });
});

describe('annual records', () => {
  it('list every compartment by name, and the population (living and dead) is conserved', () => {
    const out = runModel({ scenario: defaultScenario(), policy: noPolicy(), seed: 1 });
    const totals = out.annual.map((y) => Object.values(y.population).reduce((a, b) => a + b, 0));
    expect(Object.keys(out.annual[0].population)).toEqual([...COMPARTMENT_NAMES]);
    expect(out.annual[0].population.deadOverdose).toBeGreaterThan(0);
    for (const t of totals) expect(Math.abs(t - totals[0]) / totals[0]).toBeLessThan(1e-9);
  });
});

describe('copyState', () => {
  it('copies typed arrays, numbers and Map rows in place and skips configuration keys', () => {
    const dst = { a: new Float64Array(2), n: 0, m: new Map<string, Float64Array>(), cfg: [1] };
    const src = { a: Float64Array.of(1, 2), n: 5, m: new Map([['x', Float64Array.of(3)]]), cfg: [9] };
    const keep = dst.a;
    copyState(dst, src, new Set(['cfg']));
    expect(dst.a).toBe(keep);
    expect(Array.from(dst.a)).toEqual([1, 2]);
    expect(dst.n).toBe(5);
    expect(Array.from(dst.m.get('x') ?? [])).toEqual([3]);
    expect(dst.m.get('x')).not.toBe(src.m.get('x'));
    expect(dst.cfg).toEqual([1]);
  });

  it('throws on a difference of shape', () => {
    expect(() => copyState({ a: new Float64Array(1) }, { a: new Float64Array(2) })).toThrow(
      /state\.a: length/,
    );
    expect(() => copyState({}, { b: { c: 1 } })).toThrow(/state\.b: missing/);
  });
});
