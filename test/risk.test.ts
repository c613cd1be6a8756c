/**
 * Model checks of the risk module and the Action · Intended Outcome · Potential Risk table (issue 13):
 * no sovereign strikes -> no strike-driven crisis with that country; harm rises with strike intensity
 * and falls with intelligence quality; every risk an action causes appears in its row; a suspended
 * partner lowers interdiction where it operated; Shapley attributions add up to the package's effect
 * and leave-one-out says when they do not.
 */
import { describe, expect, it } from 'vitest';
import riskParameters from '../data/parameters/risk.json' with { type: 'json' };
import { main } from '../src/cli/main.js';
import { runModel } from '../src/engine/run.js';
import { actionsOf, actionTable } from '../src/experiment/actions.js';
import type { SupplyState } from '../src/model/supply/state.js';
import { defaultScenario } from '../src/scenario/default.js';
import { noPolicy } from '../src/scenario/resolve.js';
import { shippedPolicy } from '../src/scenario/shipped.js';
import type { Policy } from '../src/spec/scenario.js';
import { captureStdio } from './helpers/stdio.js';

const scenario = defaultScenario();

type Risk = {
  harm: { killedInStrikes: number; bystanders: { total: number; remote: number; populated: number } };
  tension: Record<string, number>;
  crisisMonths: Record<string, number>;
  partners: { everSuspended: number; interdictionLost: Record<string, number> };
};
const riskOf = (a: unknown) => (a as { risk: Risk }).risk;
const total = (out: ReturnType<typeof runModel>, f: (r: Risk) => number) =>
  out.annual.reduce((s, a) => s + f(riskOf(a)), 0);

const policy = (name: string, levers: Policy['levers']): Policy => ({ name, levers });

describe('risk parameters', () => {
  it('are labelled judgements or sourced figures with a range, a unit and a source', () => {
    for (const [id, p] of Object.entries(riskParameters)) {
      if (id.startsWith('$')) continue;
      const spec = p as { value: number; unit: string; source: string; range?: [number, number] };
      expect(spec.unit.length, id).toBeGreaterThan(0);
      expect(spec.source.length, id).toBeGreaterThan(10);
      if (!id.startsWith('cost.diplomacyAid')) {
        expect(spec.range, id).toBeDefined();
        expect(spec.value, id).toBeGreaterThanOrEqual(spec.range![0]);
        expect(spec.value, id).toBeLessThanOrEqual(spec.range![1]);
      }
    }
  });
});

describe('no sovereign strikes, no strike-driven crisis with that country', () => {
  it('strikes on land in Mexico only: no tension or crisis with Venezuela, Colombia or the partners', () => {
    for (const seed of [1, 2, 3]) {
      const out = runModel({
        scenario,
        policy: policy('mx', [{ lever: 'production-strikes', target: 'MX', intensity: 500 }]),
        seed,
      });
      expect(total(out, (r) => r.crisisMonths.MX)).toBeGreaterThan(0);
      for (const c of ['VE', 'CO', 'EC', 'BR', 'PE', 'BO', 'TT', 'GB', 'NL', 'FR', 'CA']) {
        expect(
          total(out, (r) => r.tension[c]),
          c,
        ).toBe(0);
        expect(
          total(out, (r) => r.crisisMonths[c]),
          c,
        ).toBe(0);
      }
    }
  });

  it('strikes at sea only: no crisis with countries whose territory is not struck and whose nationals are not aboard', () => {
    for (const seed of [1, 2, 3]) {
      const out = runModel({ scenario, policy: shippedPolicy('vessel-strikes', scenario), seed });
      for (const c of ['MX', 'BR', 'PE', 'BO'])
        expect(
          total(out, (r) => r.crisisMonths[c]),
          c,
        ).toBe(0);
      // Allies react to lethal strikes at sea all the same.
      expect(riskOf(out.annual[out.annual.length - 1]).partners.everSuspended).toBeGreaterThan(0);
    }
  });

  it('no new policy: no tension anywhere', () => {
    const out = runModel({ scenario, policy: noPolicy(), seed: 1 });
    expect(total(out, (r) => Object.values(r.tension).reduce((a, b) => a + b, 0))).toBe(0);
    expect(total(out, (r) => r.harm.killedInStrikes)).toBe(0);
  });
});

describe('harm from strikes', () => {
  const land = (intensity: number, quality?: number) =>
    runModel({
      scenario,
      policy: policy('ve', [{ lever: 'production-strikes', target: 'VE', intensity }]),
      seed: 4,
      stochastic: false,
      parameters: quality === undefined ? undefined : { 'risk.harm.intelligenceQuality': quality },
    });
  const bystanders = (o: ReturnType<typeof runModel>) => total(o, (r) => r.harm.bystanders.total);

  it('rises with strike intensity', () => {
    const values = [25, 50, 100, 200].map((x) => bystanders(land(x)));
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1]);
    const killed = [25, 50, 100, 200].map((x) => total(land(x), (r) => r.harm.killedInStrikes));
    for (let i = 1; i < killed.length; i++) expect(killed[i]).toBeGreaterThan(killed[i - 1]);
  });

  it('falls with intelligence quality', () => {
    const values = [0.1, 0.4, 0.7, 0.95].map((q) => bystanders(land(100, q)));
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeLessThan(values[i - 1]);
  });

  it('with process noise, draws vary but stay near the expectation', () => {
    const mean = bystanders(land(100));
    const draws = [1, 2, 3, 4, 5, 6].map((seed) =>
      total(
        runModel({
          scenario,
          policy: policy('ve', [{ lever: 'production-strikes', target: 'VE', intensity: 100 }]),
          seed,
        }),
        (r) => r.harm.bystanders.total,
      ),
    );
    expect(new Set(draws).size).toBeGreaterThan(1);
    const avg = draws.reduce((a, b) => a + b, 0) / draws.length;
    expect(Math.abs(avg - mean) / mean).toBeLessThan(0.25);
  });
});

describe('a suspended partner lowers interdiction where it operated', () => {
  it('detection on the Caribbean legs falls, and the seizure rate there with it', () => {
    const p = policy('carib', [{ lever: 'vessel-strikes', target: 'caribbean', intensity: 100 }]);
    const run = (threshold?: number) =>
      runModel({
        scenario,
        policy: p,
        seed: 2,
        stochastic: false,
        parameters: threshold === undefined ? undefined : { 'risk.partner.threshold': threshold },
      });
    const suspended = run();
    const never = run(1.6e6 / 1e6); // at the top of its range
    const veryHigh = runModel({
      scenario,
      policy: p,
      seed: 2,
      stochastic: false,
      parameters: { 'risk.partner.threshold': 1e9 },
    });
    const lost = (o: ReturnType<typeof runModel>) =>
      total(o, (r) => r.partners.interdictionLost.caribbean ?? 0);
    expect(lost(suspended)).toBeGreaterThan(0);
    expect(lost(veryHigh)).toBe(0);
    expect(lost(never)).toBeLessThanOrEqual(lost(suspended));
    // The supply side reads the scale: Caribbean legs' seizure rate is lower with the suspension.
    const rate = (o: ReturnType<typeof runModel>) => {
      const s = o.supply.state as SupplyState;
      const c = s.compiled.commodities.find((x) => x.commodity === 'cocaine')!;
      const rec = s.records.cocaine;
      const m = c.net.edges.length;
      let flow = 0;
      let seized = 0;
      const y0 = 2027 - o.axis.firstYear;
      c.net.edges.forEach((e, i) => {
        if (e.corridor !== 'caribbean') return;
        for (let y = y0; y < y0 + 5; y++) {
          flow += rec.edgeFlow[y * m + i];
          seized += rec.edgeSeized[y * m + i];
        }
      });
      return seized / flow;
    };
    expect(rate(suspended)).toBeLessThan(rate(veryHigh) * 0.97);
    const scale = (suspended.supply.state as SupplyState).detectionScale.cocaine;
    expect(Math.min(...scale)).toBeLessThan(1);
  });
});

describe('the action table', () => {
  it('groups entries by action label, else one action per entry', () => {
    const acts = actionsOf(shippedPolicy('campaign-2025-26', scenario));
    expect(acts.map((a) => a.name)).toEqual([
      'vessel strikes',
      'December 2025 strike in Venezuela',
      'January 2026 operation in Venezuela',
    ]);
    expect(actionsOf(shippedPolicy('vessel-strikes', scenario)).map((a) => a.name)).toEqual([
      'vessel-strikes caribbean',
      'vessel-strikes eastern-pacific',
    ]);
  });

  it('Shapley attributions add up to the package effect, per replicate', () => {
    const t = actionTable({ scenario, policy: shippedPolicy('campaign-2025-26', scenario), n: 1, seed: 3 });
    expect(t.attribution.method).toBe('shapley');
    expect(t.attribution.runsPerReplicate).toBe(8);
    for (const e of [...t.attribution.package.intended, ...t.attribution.package.risk]) {
      const sum = t.actions.reduce(
        (s, a) => s + [...a.intended, ...a.risk].find((x) => x.outcome === e.outcome)!.median,
        0,
      );
      expect(sum, e.outcome).toBeCloseTo(e.median, 6);
    }
  });

  it('beyond five actions, leave-one-out, which says what does not add up', () => {
    const p = policy('six', [
      { lever: 'vessel-strikes', target: 'caribbean', intensity: 60 },
      { lever: 'vessel-strikes', target: 'eastern-pacific', intensity: 60 },
      { lever: 'production-strikes', target: 'VE', intensity: 50 },
      { lever: 'maritime-interdiction', target: 'caribbean', intensity: 5 },
      { lever: 'port-inspection', intensity: 10 },
      { lever: 'naloxone', intensity: 1000000 },
    ]);
    const t = actionTable({ scenario, policy: p, n: 1, seed: 3 });
    expect(t.attribution.method).toBe('leave-one-out');
    // Empty, full, the package minus each action, each action alone.
    expect(t.attribution.runsPerReplicate).toBe(14);
    expect(t.actions.every((a) => a.alone !== undefined)).toBe(true);
    // Alone, the naloxone action averts deaths and causes no strike harm.
    const nal = t.actions.find((a) => a.levers[0].lever === 'naloxone')!.alone!;
    expect(nal.intended.find((e) => e.outcome === 'deaths.total')!.median).toBeLessThan(0);
    expect(nal.risk.find((e) => e.outcome === 'risk.harm.killedInStrikes')!.median).toBe(0);
    expect(t.attribution.residual).toBeDefined();
    for (const [outcome, r] of Object.entries(t.attribution.residual!)) {
      const pkg = [...t.attribution.package.intended, ...t.attribution.package.risk].find(
        (e) => e.outcome === outcome,
      )!;
      const sum = t.actions.reduce(
        (s, a) => s + [...a.intended, ...a.risk].find((x) => x.outcome === outcome)!.median,
        0,
      );
      expect(pkg.median - sum).toBeCloseTo(r, 6);
    }
  });

  it('every risk an action causes appears in its row', () => {
    for (const name of [
      'vessel-strikes',
      'drone-strikes-venezuela',
      'campaign-2025-26',
      'border-tightening',
      // Issue 14's risks (sanctions, violence, retaliation, economic cost) join the same rows;
      // hemispheric-defense has seven actions (leave-one-out): its rows carry the action alone too.
      'financial-sanctions',
      'balanced-defense',
      'hemispheric-defense',
    ]) {
      const p = shippedPolicy(name, scenario);
      const t = actionTable({ scenario, policy: p, n: 1, seed: 7 });
      for (const [i, act] of actionsOf(p).entries()) {
        // The action alone vs no new policy, on the same random numbers.
        const alone = actionTable({
          scenario,
          policy: { name: act.name, levers: act.entries },
          n: 1,
          seed: 7,
        });
        for (const e of alone.attribution.package.risk) {
          if (Math.abs(e.median) < 1e-9) continue;
          // Shapley rows attribute it; leave-one-out rows show it at least in the action-alone line.
          const rows = [t.actions[i].risk, t.actions[i].alone?.risk ?? []];
          const shown = rows.some((r) => Math.abs(r.find((x) => x.outcome === e.outcome)?.median ?? 0) > 0);
          expect(shown, `${name}: ${act.name}: ${e.outcome}`).toBe(true);
        }
      }
    }
  });

  it('the border crackdown strains ties with the neighbour it falls on', () => {
    const t = actionTable({ scenario, policy: shippedPolicy('border-tightening', scenario), n: 1, seed: 1 });
    const ties = t.attribution.package.risk.find((e) => e.outcome === 'risk.regionalTies')!;
    expect(ties.median).toBeLessThan(0);
    const out = runModel({ scenario, policy: shippedPolicy('border-tightening', scenario), seed: 1 });
    expect(riskOf(out.annual[out.annual.length - 1]).tension.MX).toBeGreaterThan(0);
  });

  it('is the same for the same inputs, and its intervals widen with replicates', () => {
    const p = shippedPolicy('vessel-strikes', scenario);
    const a = actionTable({ scenario, policy: p, n: 4, seed: 2 });
    const b = actionTable({ scenario, policy: p, n: 4, seed: 2 });
    expect(JSON.stringify(a.actions)).toBe(JSON.stringify(b.actions));
    const killed = a.actions[0].risk.find((e) => e.outcome === 'risk.harm.killedInStrikes')!;
    expect(killed.p95).toBeGreaterThan(killed.p5);
  });
});

describe('the campaign counterfactual', () => {
  it('both arms hand over before the campaign: identical until 2025-08, the September-December signals used by neither', async () => {
    const { alignPolicyStart } = await import('../src/scenario/resolve.js');
    const campaign = shippedPolicy('campaign-2025-26', scenario);
    const aligned = alignPolicyStart(scenario, [campaign]);
    expect(aligned.policyStart).toBe('2025-09');
    // Without the option the scenario is untouched.
    expect(alignPolicyStart(scenario, [{ ...campaign, handOver: undefined }])).toBe(scenario);
    const a = runModel({ scenario: aligned, policy: campaign, seed: 1, monthly: true });
    const b = runModel({ scenario: aligned, policy: noPolicy(), seed: 1, monthly: true });
    const months = a.monthly!.month;
    const aug = months.indexOf('2025-08');
    expect(a.monthly!.deathsTotal.slice(0, aug + 1)).toEqual(b.monthly!.deathsTotal.slice(0, aug + 1));
    const sep = months.indexOf('2025-09');
    const dec = months.indexOf('2025-12');
    // From September both arms are market-driven (their street supply differs), not the observed signals.
    const street = (o: ReturnType<typeof runModel>) => o.annual.find((x) => x.year === 2025)!.streetSupply;
    expect(street(a).cocaine.availability).not.toBe(street(b).cocaine.availability);
    expect(dec).toBeGreaterThan(sep);
  });

  it('reproduces the reported 2025 tally of the strikes at sea within its band', () => {
    const campaign = shippedPolicy('campaign-2025-26', scenario);
    const t = actionTable({ scenario, policy: campaign, n: 1, seed: 1 });
    expect(t.attribution.window[0]).toBe(2025);
    const out = runModel({
      scenario: { ...scenario, policyStart: '2025-09' },
      policy: campaign,
      seed: 1,
    });
    const y2025 = out.annual.find((a) => a.year === 2025)!;
    // 35 vessels destroyed and 115-123 dead by early January 2026 (EVENTS-2025-26.md).
    expect(y2025.supply.strikes.atSea).toBeGreaterThan(30);
    expect(y2025.supply.strikes.atSea).toBeLessThanOrEqual(36);
    expect(y2025.supply.deathsAboardStruckVessels).toBeGreaterThan(95);
    expect(y2025.supply.deathsAboardStruckVessels).toBeLessThan(135);
  });
});

describe('the table in the commands', () => {
  const io = captureStdio();
  it('run and compare print it and write it under `actions`; "not modelled yet" is gone', async () => {
    io.out = '';
    expect(await main(['run', '-p', 'drone-strikes-venezuela', '-n', '1'])).toBe(0);
    expect(io.out).toContain('Action · Intended Outcome · Potential Risk');
    expect(io.out).toContain('drone strikes in Venezuela [production-strikes VE, infrastructure-strikes VE]');
    expect(io.out).toMatch(/Harm and diplomatic risk .*people killed in strikes/);
    expect(io.out).not.toContain('not modelled yet');
    io.out = '';
    expect(
      await main([
        'compare',
        'strikes-with-talks',
        'none',
        '-n',
        '3',
        '--threads',
        '1',
        '--no-progress',
        '-f',
        'json',
      ]),
    ).toBe(0);
    const doc = JSON.parse(io.out);
    expect(doc.actions.map((a: { name: string; arm: string }) => `${a.arm}: ${a.name}`)).toEqual([
      'strikes-with-talks: vessel strikes',
      'strikes-with-talks: talks with Venezuela',
      'strikes-with-talks: diplomacy and aid (Colombia)',
    ]);
    for (const a of doc.actions)
      for (const e of [...a.intended, ...a.risk])
        expect(Object.keys(e).sort()).toEqual(['label', 'median', 'outcome', 'p5', 'p95', 'unit']);
  });
});
