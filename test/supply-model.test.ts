/**
 * Model checks of the supply side: mass balance, balloon effect, rebuilding after strikes, the
 * modest price effect of interdiction, no-policy identity, determinism, the fit to supply facts,
 * network edits and assumption overlays.
 */

import { describe, expect, it } from 'vitest';
import { formatSupplyFit, supplyFitReport } from '../src/calibration/supply-fit.js';
import { CrossroadsError } from '../src/core/errors.js';
import { type AnnualRecord, prepare, type RunOutput, runModel } from '../src/engine/run.js';
import { historicalStreetSupply } from '../src/model/street-supply.js';
import { shippedAssumption, withAssumption } from '../src/model/supply/index.js';
import { defaultScenario } from '../src/scenario/default.js';
import { resolveScenario } from '../src/scenario/resolve.js';
import type { LeverUse, Scenario } from '../src/spec/scenario.js';

function run(
  levers: LeverUse[],
  opts: { seed?: number; stochastic?: boolean; scenario?: Scenario } = {},
): RunOutput {
  const input = {
    scenario: opts.scenario ?? defaultScenario(),
    policy: { name: 'test', levers },
    seed: opts.seed ?? 7,
    stochastic: opts.stochastic,
  };
  return runModel(input, prepare(input));
}

const mean = (rows: AnnualRecord[], from: number, to: number, f: (a: AnnualRecord) => number) => {
  const sel = rows.filter((a) => a.year >= from && a.year <= to);
  return sel.reduce((s, a) => s + f(a), 0) / sel.length;
};

describe('supply: mass balance', () => {
  it('produced = seized + destroyed + consumed + inventory change, every month, each term summed independently', () => {
    const out = run([
      { lever: 'vessel-strikes', target: 'eastern-pacific', intensity: 300 },
      { lever: 'production-strikes', target: 'MX', intensity: 500 },
      { lever: 'production-strikes', target: 'CO', intensity: 1000 },
      { lever: 'maritime-interdiction', target: 'caribbean', intensity: 10 },
    ]);
    const s = out.supply.state;
    for (const c of ['cocaine', 'fentanyl'] as const) {
      const r = s.records[c];
      // Labs' inventories plus the demand-led markets' opening distribution stocks.
      let prev = s.initialInventory[c];
      expect(prev).toBeGreaterThanOrEqual(
        s.compiled.commodities.find((x) => x.commodity === c)!.holdings.reduce((a, h) => a + h.inventory, 0),
      );
      let produced = 0;
      let lost = 0;
      for (let t = 0; t < r.produced.length; t++) {
        const residual =
          r.produced[t] - r.seized[t] - r.destroyed[t] - r.consumed[t] - (r.inventory[t] - prev);
        expect(Math.abs(residual)).toBeLessThanOrEqual(1e-6 * Math.max(1, r.produced[t]));
        expect(r.inventory[t]).toBeGreaterThanOrEqual(0);
        prev = r.inventory[t];
        produced += r.produced[t];
        lost += r.destroyed[t];
      }
      expect(produced).toBeGreaterThan(0);
      expect(lost).toBeGreaterThan(0);
    }
    expect(out.supply.massBalanceError.cocaine).toBeLessThan(1e-3);
  });
});

describe('supply: balloon effect', () => {
  it('raising Eastern Pacific interdiction moves flow to other corridors and raises dispersion', () => {
    const base = run([]);
    const pressed = run([{ lever: 'maritime-interdiction', target: 'eastern-pacific', intensity: 25 }]);
    const share = (a: AnnualRecord) => {
      const b = a.supply.cocaine.byCorridor;
      const total = Object.values(b).reduce((x, y) => x + y, 0);
      return b['eastern-pacific'] / total;
    };
    const other = (a: AnnualRecord) => {
      const b = a.supply.cocaine.byCorridor;
      return Object.entries(b).reduce((x, [k, v]) => x + (k === 'eastern-pacific' ? 0 : v), 0);
    };
    const [s0, s1] = [mean(base.annual, 2028, 2032, share), mean(pressed.annual, 2028, 2032, share)];
    const [o0, o1] = [mean(base.annual, 2028, 2032, other), mean(pressed.annual, 2028, 2032, other)];
    const [h0, h1] = [
      mean(base.annual, 2028, 2032, (a) => a.supply.cocaine.corridorEntropy),
      mean(pressed.annual, 2028, 2032, (a) => a.supply.cocaine.corridorEntropy),
    ];
    console.log(
      `EP share ${s0.toFixed(3)} -> ${s1.toFixed(3)}; other corridors ${(o0 / 1e3).toFixed(0)} t -> ${(o1 / 1e3).toFixed(0)} t; entropy ${h0.toFixed(3)} -> ${h1.toFixed(3)}`,
    );
    expect(s1).toBeLessThan(s0 - 0.05);
    expect(o1).toBeGreaterThan(o0 * 1.05);
    expect(h1).toBeGreaterThan(h0);
    // Before the policy starts nothing differs (same seed).
    expect(pressed.annual[5].supply).toEqual(base.annual[5].supply);
  });
});

describe('supply: strikes on labs without sustained pressure', () => {
  it('capacity is rebuilt within a finite time, and the time is reported', () => {
    const base = run([]);
    const struck = run([{ lever: 'production-strikes', target: 'MX', intensity: 1500, end: '2026-12' }]);
    const b = base.supply.state.records.fentanyl.labCapacity;
    const s = struck.supply.state.records.fentanyl.labCapacity;
    const start = struck.supply.state.policyStep;
    let low = start;
    for (let t = start; t < start + 12; t++) if (s[t] / b[t] < s[low] / b[low]) low = t;
    expect(s[low] / b[low]).toBeLessThan(0.8);
    let rebuilt = -1;
    for (let t = start + 12; t < s.length; t++) {
      if (s[t] >= 0.95 * b[t]) {
        rebuilt = t - (start + 11);
        break;
      }
    }
    const destroyed = struck.annual.find((a) => a.year === 2026)!.supply.fentanyl
      .labCapacityDestroyedKgPerYear;
    console.log(
      `fentanyl lab capacity: lowest ${((100 * s[low]) / b[low]).toFixed(0)}% of no-policy; ${(destroyed / 1e3).toFixed(1)} t/yr destroyed in 2026; back to 95% ${rebuilt} months after the strikes stop`,
    );
    expect(rebuilt).toBeGreaterThan(0);
    expect(rebuilt).toBeLessThan(60);
    expect(struck.supply.reboundMonths.fentanyl).not.toBeNull();
  });
});

describe('supply: interdiction and retail price', () => {
  // Band written before running the check. Caulkins, Crawford & Reuter (1993, RAND) and Caulkins &
  // Reuter ("What price data tell us about drug markets", J. Drug Issues 1998): seizures raise retail
  // prices only by the cost of replacing the drugs at the point of seizure plus compensation for
  // the added risk, a small share of the retail price, so large consumption effects arise only
  // "under truly exceptional circumstances". Band: the elasticity of the US retail cocaine price
  // with respect to the maritime removal rate lies in [0, 0.3], and a large increase in maritime
  // interdiction raises the retail price by less than 20%.
  const BAND = { low: 0, high: 0.3, maxPriceRise: 0.2 };
  // Mechanism (src/model/supply/module.ts): the import-level cost per delivered kg counts each leg's
  // cost only for the kg that enter it, so a seizure share s on a leg raises it by 1/(1 - s) there;
  // scarcity is priced at the import level and retail adds the same absolute amount (additive
  // markups); organisations raise production to replace product lost in transit. Before this
  // change the elasticity was ~1.3 (scarcity multiplied the whole retail price).
  it('is modest: elasticity of retail price to the maritime removal rate within the band', () => {
    const base = run([], { stochastic: false });
    const policy = run(
      [
        { lever: 'maritime-interdiction', target: 'eastern-pacific', intensity: 15 },
        { lever: 'maritime-interdiction', target: 'caribbean', intensity: 15 },
      ],
      { stochastic: false },
    );
    const price0 = mean(base.annual, 2028, 2032, (a) => a.supply.cocaine.retailPriceUsdPerKg);
    const price1 = mean(policy.annual, 2028, 2032, (a) => a.supply.cocaine.retailPriceUsdPerKg);
    const rem0 = mean(base.annual, 2028, 2032, (a) => a.supply.cocaine.maritimeRemovalRate);
    const rem1 = mean(policy.annual, 2028, 2032, (a) => a.supply.cocaine.maritimeRemovalRate);
    const elasticity = (price1 / price0 - 1) / (rem1 / rem0 - 1);
    console.log(
      `maritime removal ${rem0.toFixed(3)} -> ${rem1.toFixed(3)}; US retail cocaine $${price0.toFixed(0)} -> $${price1.toFixed(0)} per kg; elasticity ${elasticity.toFixed(3)} (band ${BAND.low}-${BAND.high})`,
    );
    expect(rem1).toBeGreaterThan(rem0);
    expect(elasticity).toBeGreaterThanOrEqual(BAND.low);
    expect(elasticity).toBeLessThanOrEqual(BAND.high);
    expect(price1 / price0 - 1).toBeLessThan(BAND.maxPriceRise);
  });
});

describe('supply: product lost at sea is replaced', () => {
  // Band: Caulkins & Reuter (J. Drug Issues 1998) and Reuter & Kleiman (1986): traffickers replace
  // seized product, so supply is elastic in the long run and enforcement works like a tax on the cost
  // of delivering a kg; Rydell & Everingham (RAND MR-331, 1994) put the cost of a 1% cut in cocaine
  // consumption through interdiction at about $366M a year (1992 $; ~$0.8B in 2024 $). The
  // vessel-strikes policy costs $0.3B a year, so a RAND-like response would be well under 1%; the
  // band allows a 10% reduction in years 3-10 for what RAND did not see (lethal force destroys cargo
  // and deters crews). This band was written after the first run of the market-level replacement
  // (which gave -3.3%; -0.4% once routes learnt congestion, supply-7): model version supply-4 lost
  // ~22% of US supply for good, because lost US supply was shipped to Europe instead.
  const BAND = { maxLongRunCut: 0.1 };
  it('vessel strikes cut US cocaine consumption by less than 10% in years 3-10', () => {
    const strikes: LeverUse[] = [
      { lever: 'vessel-strikes', target: 'caribbean', intensity: 100 },
      { lever: 'vessel-strikes', target: 'eastern-pacific', intensity: 50 },
    ];
    const base = run([], { stochastic: false });
    const policy = run(strikes, { stochastic: false });
    const used = (o: RunOutput, from: number, to: number) =>
      mean(o.annual, from, to, (a) => a.supply.cocaine.consumedUsKg);
    const first = used(policy, 2026, 2026) / used(base, 2026, 2026) - 1;
    const later = used(policy, 2028, 2035) / used(base, 2028, 2035) - 1;
    const struck = mean(policy.annual, 2028, 2035, (a) => a.supply.strikes.atSea);
    console.log(
      `vessel strikes (${struck.toFixed(0)} a year): US cocaine consumption ${(100 * first).toFixed(1)}% in 2026, ${(100 * later).toFixed(1)}% in 2028-2035 (band > -${100 * BAND.maxLongRunCut}%)`,
    );
    expect(struck).toBeGreaterThan(0);
    expect(later).toBeLessThanOrEqual(0);
    expect(later).toBeGreaterThan(-BAND.maxLongRunCut);
  });
});

describe('supply: a cut in precursor supply is replaced', () => {
  // Mechanism check (direction and timing, no published magnitude): after China scheduled all
  // fentanyl-related substances in 2019, production shifted to Mexico and to other precursors rather
  // than stopping (DEA; RISK-EVIDENCE.md). So precursor controls within the replacement ceiling should
  // cut fentanyl reaching the US at first and then fade as producers draw on other supply. Since the
  // controls of 2023-2025 (history.precursorSupply) labs are short of precursors at the hand-over, so
  // the cut must stay within the ceiling (supply.maxReplacement) to be replaced: modest controls here;
  // stronger ones last (next test).
  it('cuts fentanyl reaching the US at first, then fades to within 5% of no new policy', () => {
    const controls: LeverUse[] = [
      { lever: 'precursor-controls', target: 'CN', intensity: 0.3, rampMonths: 12 },
      { lever: 'precursor-controls', target: 'IN', intensity: 0.2, rampMonths: 12 },
    ];
    const base = run([], { stochastic: false });
    const policy = run(controls, { stochastic: false });
    const flow = (o: RunOutput, from: number, to: number) => mean(o.annual, from, to, (a) => a.flow.fentanyl);
    const early = flow(policy, 2026, 2027) / flow(base, 2026, 2027) - 1;
    const late = flow(policy, 2031, 2035) / flow(base, 2031, 2035) - 1;
    console.log(
      `precursor controls: fentanyl reaching the US ${(100 * early).toFixed(1)}% in 2026-27, ${(100 * late).toFixed(1)}% in 2031-35`,
    );
    expect(early).toBeLessThan(-0.02);
    expect(late).toBeGreaterThan(-0.05);
    expect(late).toBeGreaterThan(early);
  });

  it('a cut beyond the replacement ceiling lasts: full cooperation with China keeps fentanyl lower', () => {
    const controls: LeverUse[] = [
      { lever: 'precursor-controls', target: 'CN', intensity: 1, rampMonths: 12 },
      { lever: 'precursor-controls', target: 'IN', intensity: 0.5, rampMonths: 12 },
    ];
    const base = run([], { stochastic: false });
    const policy = run(controls, { stochastic: false });
    const flow = (o: RunOutput, from: number, to: number) => mean(o.annual, from, to, (a) => a.flow.fentanyl);
    const late = flow(policy, 2031, 2035) / flow(base, 2031, 2035) - 1;
    expect(late).toBeLessThan(-0.05);
  });
});

describe('supply: no new policy and determinism', () => {
  it('zero-intensity supply levers equal no policy exactly (same seed)', () => {
    const none = run([]);
    const zero = run([
      { lever: 'maritime-interdiction', target: 'eastern-pacific', intensity: 0 },
      { lever: 'vessel-strikes', target: 'caribbean', intensity: 0 },
      { lever: 'production-strikes', target: 'VE', intensity: 0 },
      { lever: 'port-inspection', intensity: 0 },
      { lever: 'precursor-controls', target: 'CN', intensity: 0 },
    ]);
    expect(zero.annual).toEqual(none.annual);
  });
  it('the same seed gives identical output; before policyStart the history drives the street', () => {
    const a = run([{ lever: 'vessel-strikes', target: 'eastern-pacific', intensity: 200 }], { seed: 3 });
    const b = run([{ lever: 'vessel-strikes', target: 'eastern-pacific', intensity: 200 }], { seed: 3 });
    expect(a.annual).toEqual(b.annual);
    const scenario = defaultScenario();
    const input = { scenario, policy: { name: 'none', levers: [] }, seed: 1 };
    const p = prepare(input);
    const h = historicalStreetSupply(p.axis, scenario, p.params);
    const none = runModel(input, p);
    for (const rec of none.annual.filter((r) => r.year <= 2025)) {
      const t = (rec.year - 2015) * 12 + 11;
      expect(rec.streetSupply.fentanyl.availability).toBe(h.fentanyl.availability[t]);
      expect(rec.streetSupply.cocaine.priceIndex).toBe(h.cocaine.priceIndex[t]);
    }
  });
  it('with no policy the market continues the last historical month smoothly', () => {
    const out = run([], { stochastic: false });
    const y25 = out.annual.find((a) => a.year === 2025)!.streetSupply;
    for (const year of [2026, 2030, 2035]) {
      const y = out.annual.find((a) => a.year === year)!.streetSupply;
      console.log(
        `${year} vs 2025 (no policy): fentanyl availability x${(y.fentanyl.availability / y25.fentanyl.availability).toFixed(3)}, cocaine availability x${(y.cocaine.availability / y25.cocaine.availability).toFixed(3)}`,
      );
      expect(Math.abs(y.fentanyl.availability / y25.fentanyl.availability - 1)).toBeLessThan(0.1);
      expect(Math.abs(y.fentanyl.priceIndex / y25.fentanyl.priceIndex - 1)).toBeLessThan(0.1);
      expect(Math.abs(y.cocaine.availability / y25.cocaine.availability - 1)).toBeLessThan(0.05);
    }
  });
  it('a supply-side policy changes overdose deaths through the market', () => {
    const none = run([]);
    const pol = run([
      { lever: 'production-strikes', target: 'MX', intensity: 1500 },
      { lever: 'port-inspection', intensity: 30 },
    ]);
    const d0 = mean(none.annual, 2027, 2035, (a) => a.deaths.syntheticOpioids);
    const d1 = mean(pol.annual, 2027, 2035, (a) => a.deaths.syntheticOpioids);
    const f0 = mean(none.annual, 2027, 2035, (a) => a.flow.fentanyl);
    const f1 = mean(pol.annual, 2027, 2035, (a) => a.flow.fentanyl);
    console.log(
      `fentanyl reaching the US ${(f0 / 1e3).toFixed(1)} -> ${(f1 / 1e3).toFixed(1)} t/yr; synthetic-opioid deaths ${d0.toFixed(0)} -> ${d1.toFixed(0)} a year; rebound ${pol.supply.reboundMonths.fentanyl}`,
    );
    expect(f1).toBeLessThan(f0);
    expect(d1).not.toBe(d0);
  });
});

describe('supply: strikes recorded for the risk module', () => {
  it('records strikes at sea by sovereignty and deaths aboard (~3.3 per vessel)', () => {
    const out = run([
      { lever: 'vessel-strikes', target: 'caribbean', intensity: 120 },
      { lever: 'production-strikes', target: 'VE', intensity: 50 },
    ]);
    const y = out.annual.find((a) => a.year === 2027)!.supply;
    expect(y.strikes.atSea).toBeGreaterThan(0);
    expect(y.strikes.atSea).toBeLessThanOrEqual(120 + 1e-9);
    expect(y.deathsAboardStruckVessels / y.strikes.atSea).toBeCloseTo(3.3, 6);
    expect(y.strikes.bySovereignty['international-waters']).toBeGreaterThan(0);
    expect(y.strikes.onLand).toBeCloseTo(50, 6);
    expect(y.strikes.bySovereignty.VE).toBeCloseTo(50, 6);
    expect(y.leadershipLosses).toBeGreaterThan(0);
    // Venezuela's processing near the Colombian border (Zulia) is what strikes on production there hit:
    // small capacity (tens of tonnes a year), no fentanyl.
    expect(y.cocaine.labCapacityDestroyedKgPerYear).toBeGreaterThan(0);
    expect(y.cocaine.labCapacityDestroyedKgPerYear).toBeLessThan(60_000);
    expect(y.fentanyl.labCapacityDestroyedKgPerYear).toBe(0);
  });
});

describe('supply: calibration to supply facts', () => {
  it('meets every target of data/targets/supply.json (fit report)', () => {
    const rows = supplyFitReport(defaultScenario());
    console.log(formatSupplyFit(rows));
    expect(rows.filter((r) => !r.pass)).toEqual([]);
  });
});

describe('supply: network edits and assumption sets', () => {
  it('an unknown edge or node id is an error naming the path, value and expectation', () => {
    try {
      resolveScenario({ name: 'x', network: { cocaine: { edges: { 'no-such-edge': { detection: 0.5 } } } } });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CrossroadsError);
      const issue = (e as CrossroadsError).issues[0];
      expect(issue.path).toBe('network.cocaine.edges.no-such-edge');
      expect(issue.value).toBe('no-such-edge');
      expect(issue.expected).toMatch(/the id of an edge/);
    }
    expect(() =>
      resolveScenario({ name: 'x', network: { fentanyl: { nodes: { atlantis: { label: 'A' } } } } }),
    ).toThrow(/network\.fentanyl\.nodes\.atlantis/);
  });
  it('an edited network runs and changes the flows', () => {
    const s = resolveScenario({
      name: 'closed',
      network: {
        cocaine: {
          removeEdges: ['ve-air-bridge', 've-zulia-air-bridge'],
          edges: { 'co-caribbean': { detection: 0.5 } },
        },
      },
    });
    const out = run([], { scenario: s });
    expect(out.annual[1].supply.cocaine.byCorridor.air ?? 0).toBe(0);
  });
  it('venezuela-fentanyl is off by default and adds Venezuelan production when switched on', () => {
    const base = defaultScenario();
    expect(base.assumptions).toEqual([]);
    expect(base.network.fentanyl.nodes.some((n) => n.country === 'VE')).toBe(false);
    const alt = withAssumption(base, shippedAssumption('venezuela-fentanyl')!);
    expect(alt.assumptions).toEqual(['venezuela-fentanyl']);
    const byName = resolveScenario({ name: 'alt', assumptions: ['venezuela-fentanyl'] });
    expect(byName.network.fentanyl.nodes.some((n) => n.id === 've-fentanyl-production')).toBe(true);
    const out = run([], { scenario: alt });
    expect(out.annual[8].supply.fentanyl.byCorridor.caribbean).toBeGreaterThan(0);
    expect(() => resolveScenario({ name: 'x', assumptions: ['no-such-set'] })).toThrow(/assumptions\[0\]/);
  });
});
