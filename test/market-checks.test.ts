/**
 * Model checks of the market (issue 12 items 1-2): US cocaine consumption within the published
 * range, and supply policies acting through prices. For every shipped policy that uses a supply
 * lever and no lever shifting demand, the first policy year's implied price elasticity of US
 * consumption (log change in consumption / log change in the mean retail price, paired against no
 * new policy on the same seed) lies in -2.5..-0.1 (NRC 2001: cocaine demand elasticities "span a
 * range of -0.6 to -2.5"; -0.1 allows for weaker short-run responses), and in no month does
 * consumption fall without the retail price rising (no rationing without a price signal).
 */
import { describe, expect, it } from 'vitest';
import demandData from '../data/history/market-demand.json' with { type: 'json' };
import targets from '../data/targets/supply.json' with { type: 'json' };
import { prepare, type RunOutput, runModel } from '../src/engine/run.js';
import { leverCatalogue } from '../src/model/levers.js';
import { SUPPLY_LEVERS } from '../src/model/supply/data.js';
import { defaultScenario } from '../src/scenario/default.js';
import { noPolicy } from '../src/scenario/resolve.js';
import { shippedPolicy, shippedPolicyNames } from '../src/scenario/shipped.js';
import type { Policy } from '../src/spec/scenario.js';

const scenario = defaultScenario();
const supplyIds = new Set(SUPPLY_LEVERS.map((l) => l.id));
const catalogue = leverCatalogue();
/** Levers that shift demand or raise retail cost directly (their effect is not through supply). */
// Demand shifts move consumption without a price signal by design (treatment): not price responses.
const demandSide = (id: string) => catalogue.get(id)?.effect.kind === 'demand-shift';

function run(policy: Policy, seed: number, stochastic: boolean): RunOutput {
  const input = { scenario, policy, seed, stochastic };
  return runModel(input, prepare(input));
}

const yearSum = (a: Float64Array, t0: number) => {
  let s = 0;
  for (let t = t0; t < t0 + 12; t++) s += a[t];
  return s;
};

const supplyPolicies = shippedPolicyNames()
  .map((name) => shippedPolicy(name, scenario))
  .filter((p) => p.levers.some((l) => supplyIds.has(l.lever)) && !p.levers.some((l) => demandSide(l.lever)));

describe('market: US cocaine consumption', () => {
  it('2024 consumption (no new policy) lies in the published range, 150-400 t pure', () => {
    for (const seed of [1, 2]) {
      const out = run(noPolicy(), seed, true);
      const y = out.annual.find((a) => a.year === 2024)!;
      expect(y.supply.cocaine.consumedUsKg).toBeGreaterThan(150_000);
      expect(y.supply.cocaine.consumedUsKg).toBeLessThan(400_000);
    }
  });

  it('follows the demand data: every year 2015-2025 within the data file range', () => {
    const out = run(noPolicy(), 1, false);
    const rows = demandData.cocaine['us-market'];
    for (const a of out.annual.filter((x) => x.year >= 2015 && x.year <= 2025)) {
      // The row in force (the last at or before the year) bounds the year loosely.
      const lows = rows.filter((r) => r.year <= a.year);
      const row = lows[lows.length - 1];
      expect(a.supply.cocaine.consumedUsKg, String(a.year)).toBeGreaterThan(0.8 * row.low);
      expect(a.supply.cocaine.consumedUsKg, String(a.year)).toBeLessThan(1.2 * row.high);
    }
  });
});

describe('market: supply policies act through prices', () => {
  it('there are shipped supply policies to check', () => {
    expect(supplyPolicies.length).toBeGreaterThanOrEqual(4);
  });

  for (const policy of supplyPolicies) {
    it(`${policy.name}: first-year implied elasticity in -2.5..-0.1, no consumption fall without a price rise`, () => {
      for (const [seed, stochastic] of [
        [1, false],
        [2, true],
      ] as const) {
        const a = run(policy, seed, stochastic);
        const b = run(noPolicy(), seed, stochastic);
        const policyStep = a.supply.state.policyStep;
        for (const c of ['cocaine', 'fentanyl'] as const) {
          const ra = a.supply.state.records[c];
          const rb = b.supply.state.records[c];
          const dC = Math.log(yearSum(ra.consumedUs, policyStep) / yearSum(rb.consumedUs, policyStep));
          const dP = Math.log(yearSum(ra.retailUs, policyStep) / yearSum(rb.retailUs, policyStep));
          const label = `${policy.name} ${c} seed ${seed}: consumption ${(100 * dC).toFixed(2)}%, price ${(100 * dP).toFixed(2)}%`;
          // A supply policy may also raise consumption (e.g. strikes that cost partners' cooperation
          // lower detection, risk module): then through a lower price. Either way the ratio is the
          // elasticity, and a ratio in -2.5..-0.1 means price and consumption move in opposite directions.
          if (Math.abs(dC) > 0.001) {
            expect(Math.abs(dP), label).toBeGreaterThan(0);
            expect(dC / dP, label).toBeGreaterThanOrEqual(-2.5);
            expect(dC / dP, label).toBeLessThanOrEqual(-0.1);
          }
          for (let t = policyStep; t < ra.consumedUs.length; t++) {
            if (ra.consumedUs[t] < rb.consumedUs[t] * (1 - 1e-9))
              expect(ra.retailUs[t], `${label}, month ${t}`).toBeGreaterThan(rb.retailUs[t]);
          }
        }
      }
    });
  }
});

describe("market: RAND's ordering per 1% cut in annual US cocaine consumption", () => {
  const rand = targets.randCostPerPercentCut;
  /** Cost a year per 1% cut, default parameters, expected values, 2026-2035 (as compare computes it). */
  function costPerCut(policy: Policy): number {
    const a = run(policy, 1, false);
    const b = run(noPolicy(), 1, false);
    let cut = 0;
    let cost = 0;
    for (const y of a.annual.filter((r) => r.year >= 2026)) {
      const yb = b.annual.find((r) => r.year === y.year)!;
      cut += -100 * (y.supply.cocaine.consumedUsKg / yb.supply.cocaine.consumedUsKg - 1);
      cost += y.costUsd;
    }
    return cut > 1e-6 ? cost / cut : Number.POSITIVE_INFINITY;
  }
  const lever = (l: string, intensity: number, target?: string): Policy => ({
    name: l,
    levers: [{ lever: l, intensity, ...(target ? { target } : {}) }],
  });
  // RAND's ordering (treatment < domestic enforcement < interdiction < source-country control) and
  // interdiction within 3x of RAND. Two labelled judgements were calibrated to these figures
  // (market.lastingPriceShare, market.enforcementPriceElasticity: see their sources), so this check
  // guards the calibration; it is not an independent validation.
  it('treatment < domestic enforcement < interdiction < source-country control; interdiction within 3x of RAND', () => {
    const treatment = costPerCut(lever('cocaine-treatment', 100_000));
    const enforcement = costPerCut(lever('domestic-enforcement', 1000));
    const interdiction = costPerCut(shippedPolicy('maritime-surge', scenario));
    const source = costPerCut(lever('production-strikes', 300, 'CO'));
    expect(treatment).toBeLessThan(enforcement);
    expect(enforcement).toBeLessThan(interdiction);
    expect(interdiction).toBeLessThan(source);
    expect(interdiction).toBeGreaterThan(rand.interdiction / rand.interdictionTolerance);
    expect(interdiction).toBeLessThan(rand.interdiction * rand.interdictionTolerance);
    // Treatment within the tolerance of RAND's figure too (the lever's effect is derived from RAND's
    // "a third of consumption if all heavy users are treated", its cost from episode costs).
    expect(treatment).toBeGreaterThan(rand.treatment / rand.interdictionTolerance);
    expect(treatment).toBeLessThan(rand.treatment * rand.interdictionTolerance);
  });
});
