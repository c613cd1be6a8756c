/**
 * Robustness over the declared uncertainty: every outcome of every replicate stays finite and no
 * compartment goes negative, even with parameters drawn from their full priors (no accepted sets)
 * and an aggressive supply-side policy. A replicate with a non-finite outcome once stopped a
 * 100,000-replicate ensemble (prices diverged when almost nothing got through).
 */
import { describe, expect, it } from 'vitest';
import { runModel } from '../src/engine/run.js';
import { parameterSpace, Sampler } from '../src/experiment/sampling.js';
import { defaultScenario } from '../src/scenario/default.js';
import type { Policy } from '../src/spec/scenario.js';

function numericLeaves(x: unknown, path: string, out: [string, number][]): void {
  if (typeof x === 'number') out.push([path, x]);
  else if (x && typeof x === 'object')
    for (const [k, v] of Object.entries(x)) numericLeaves(v, `${path}.${k}`, out);
}

describe('robustness over the priors', () => {
  const scenario = defaultScenario();
  const sampler = new Sampler(parameterSpace(scenario, null), 'monte-carlo', 1, 100000);
  const policies: Policy[] = [
    { name: 'none', levers: [] },
    {
      name: 'everything at once',
      levers: [
        { lever: 'vessel-strikes', target: 'caribbean', intensity: 600 },
        { lever: 'maritime-interdiction', target: 'eastern-pacific', intensity: 40 },
        { lever: 'production-strikes', target: 'MX', intensity: 2000 },
        { lever: 'port-inspection', intensity: 90 },
        { lever: 'precursor-controls', target: 'CN', intensity: 2 },
        { lever: 'naloxone', intensity: 20000000 },
      ],
    },
  ];
  it('keeps every outcome finite and every compartment non-negative for 60 prior draws', () => {
    for (let r = 37470; r < 37530; r++) {
      const draw = sampler.draw(r);
      for (const policy of policies) {
        const out = runModel({ scenario, policy, seed: 1, replicate: r, parameters: draw });
        const leaves: [string, number][] = [];
        numericLeaves(out.annual, 'annual', leaves);
        const bad = leaves.filter(([, v]) => !Number.isFinite(v));
        expect(bad.slice(0, 3), `replicate ${r}, ${policy.name}`).toEqual([]);
        expect(out.minCompartment).toBeGreaterThanOrEqual(0);
      }
    }
  });
});
