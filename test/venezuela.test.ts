/**
 * Venezuela as it is in the trade (issue 12 items 5-6, model vz-1): its transit, staging, airstrip,
 * departure and processing nodes carry flow in the cited range; every supply lever declares what it
 * acts on, and a target with nothing of that kind is refused when the policy is validated (model,
 * CLI exit 2, API 400) rather than costing money for no effect; strikes on infrastructure act on
 * staging, airstrips and departures and are recorded as strikes on land by sovereignty and setting.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import demand from '../data/levers/demand.json' with { type: 'json' };
import supply from '../data/levers/supply.json' with { type: 'json' };
import { main } from '../src/cli/main.js';
import { CrossroadsError } from '../src/core/errors.js';
import { type AnnualRecord, prepare, runModel } from '../src/engine/run.js';
import { parseLeverDeclarations } from '../src/model/levers.js';
import { defaultScenario } from '../src/scenario/default.js';
import { resolvePolicy, resolveScenario } from '../src/scenario/resolve.js';
import { shippedPolicy } from '../src/scenario/shipped.js';
import { buildServer } from '../src/server/app.js';
import type { Policy } from '../src/spec/scenario.js';
import { captureStdio } from './helpers/stdio.js';

const io = captureStdio();
const work = mkdtempSync(join(tmpdir(), 'crossroads-vz-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(levers: Policy['levers'], stochastic = true): AnnualRecord[] {
  const scenario = defaultScenario();
  const input = { scenario, policy: resolvePolicy({ name: 'p', levers }, scenario), seed: 1, stochastic };
  return runModel(input, prepare(input)).annual;
}
const year = (a: AnnualRecord[], y: number) => a.find((r) => r.year === y)!;

/** A scenario without the organisations that hold Venezuelan production (Zulia). */
const NO_VE_ORGS = {
  name: 'no-ve-orgs',
  organisations: { remove: ['ve-transit-networks', 've-border-armed-groups'] },
};

describe('Venezuela in the network', () => {
  it('has its border crossing, staging, airstrips, departures and processing, with sources', () => {
    const net = defaultScenario().network.cocaine;
    const ve = net.nodes.filter((n) => n.country === 'VE');
    const kinds = new Set(ve.map((n) => n.kind));
    for (const k of ['transit', 'staging', 'airstrip', 'departure', 'production'])
      expect(kinds.has(k as never)).toBe(true);
    for (const n of ve) expect(n.source.length).toBeGreaterThan(10);
  });
  it('flow through Venezuela 2016-2018 lies in the CCDB range (159-249 t a year) within 10%', () => {
    const a = run([], false);
    for (const y of [2016, 2017, 2018]) {
      const t = year(a, y).supply.cocaine.throughVenezuelaKg / 1000;
      expect(t, `${y}: ${t.toFixed(0)} t`).toBeGreaterThan(159 * 0.9);
      expect(t, `${y}: ${t.toFixed(0)} t`).toBeLessThan(249 * 1.1);
    }
  });
});

describe('what a lever acts on', () => {
  it('strikes on production in Venezuela hit the Zulia processing (lab-strikes)', () => {
    const scenario = defaultScenario();
    const input = { scenario, policy: shippedPolicy('lab-strikes', scenario), seed: 1 };
    const y = year(runModel(input, prepare(input)).annual, 2026).supply;
    expect(y.cocaine.labCapacityDestroyedKgPerYear).toBeGreaterThan(1000);
  });
  it('a target with nothing to act on is refused at validation, naming lever, target and what is there', () => {
    const scenario = resolveScenario(NO_VE_ORGS);
    let message = '';
    try {
      resolvePolicy(
        { name: 'x', levers: [{ lever: 'production-strikes', target: 'VE', intensity: 200 }] },
        scenario,
      );
    } catch (err) {
      expect(err).toBeInstanceOf(CrossroadsError);
      message = (err as Error).message;
    }
    expect(message).toMatch(
      /levers\[0\]\.target: got "VE", expected a target where lever production-strikes has something to act on \(production nodes with holdings\)/,
    );
    expect(message).toMatch(/ve-zulia-processing \(cocaine, production, 0 holdings\)/);
    expect(message).toMatch(/ve-transit \(cocaine, staging\)/);
    // The same target with the default organisations is fine, and so is another lever there.
    expect(() =>
      resolvePolicy(
        { name: 'y', levers: [{ lever: 'infrastructure-strikes', target: 'VE', intensity: 1 }] },
        scenario,
      ),
    ).not.toThrow();
  });
  it('the CLI exits 2 and the API answers 400 for such a target', async () => {
    const scenarioFile = join(work, 'no-ve.json');
    writeFileSync(scenarioFile, JSON.stringify(NO_VE_ORGS));
    const policyFile = join(work, 'labs.json');
    writeFileSync(
      policyFile,
      JSON.stringify({
        name: 'labs',
        levers: [{ lever: 'production-strikes', target: 'VE', intensity: 200 }],
      }),
    );
    expect(await main(['run', scenarioFile, '--policy', policyFile, '-n', '1'])).toBe(2);
    expect(io.err).toMatch(/lever production-strikes has something to act on/);
    const app = buildServer({ dataDir: join(work, 'data'), webRoot: work });
    try {
      const res = await app.inject({
        method: 'POST',
        url: '/api/runs',
        payload: {
          replicates: 1,
          scenario: NO_VE_ORGS,
          policy: { name: 'labs', levers: [{ lever: 'production-strikes', target: 'VE', intensity: 200 }] },
        },
      });
      expect(res.statusCode).toBe(400);
      expect(JSON.stringify(res.json().issues)).toMatch(/production-strikes has something to act on/);
    } finally {
      await app.close();
    }
  });
  it('a declared target with nothing of the lever kinds in the shipped network is a load-time error', () => {
    const s = structuredClone(supply) as unknown as {
      levers: { id: string; targets?: string[]; effect: { actsOn: unknown } }[];
    };
    s.levers.find((l) => l.id === 'infrastructure-strikes')!.targets = ['VE', 'CO'];
    const files = [
      { name: 'data/levers/demand.json', content: demand },
      { name: 'data/levers/supply.json', content: s },
    ];
    expect(() => parseLeverDeclarations(files)).toThrow(
      /lever infrastructure-strikes\)\.targets\[1\]: got "CO", expected a country of some staging, airstrip, departure node with legs leaving it in the shipped network \(one of MX, VE, caribbean-islands, central-america\); CO has co-production \(cocaine, production, 2 holdings\)/,
    );
    const t = structuredClone(supply) as unknown as { levers: { id: string; effect: { actsOn: unknown } }[] };
    t.levers.find((l) => l.id === 'vessel-strikes')!.effect.actsOn = { legs: ['land'] };
    expect(() =>
      parseLeverDeclarations([
        { name: 'data/levers/demand.json', content: demand },
        { name: 'data/levers/supply.json', content: t },
      ]),
    ).toThrow(/lever vessel-strikes\)\.effect\.actsOn\.legs/);
  });
});

describe('strikes on trafficking infrastructure', () => {
  const none = run([]);
  const some = run([{ lever: 'infrastructure-strikes', target: 'VE', intensity: 200 }]);
  const many = run([{ lever: 'infrastructure-strikes', target: 'VE', intensity: 2000 }]);
  it('are recorded as strikes on land in Venezuela, by setting, with leadership losses, and cost per strike', () => {
    const y = year(some, 2028);
    expect(y.supply.strikes.onLand).toBeCloseTo(200, 6);
    expect(y.supply.strikes.bySovereignty.VE).toBeCloseTo(200, 6);
    const bySetting = y.supply.strikes.bySetting;
    expect(bySetting['at-sea'] + bySetting.remote + bySetting.populated).toBeCloseTo(200, 6);
    expect(bySetting['at-sea']).toBe(0);
    expect(y.supply.leadershipLosses).toBeCloseTo(200 * 0.005, 6);
    expect(year(none, 2028).supply.strikes.onLand).toBe(0);
  });
  it('destroy stock, move flow away from Venezuela, with diminishing returns', () => {
    const sum = (a: AnnualRecord[], f: (r: AnnualRecord) => number) =>
      a.filter((r) => r.year >= 2027 && r.year <= 2035).reduce((s, r) => s + f(r), 0);
    const ve = (a: AnnualRecord[]) => sum(a, (r) => r.supply.cocaine.throughVenezuelaKg);
    expect(year(some, 2027).supply.cocaine.destroyedKg).toBeGreaterThan(
      year(none, 2027).supply.cocaine.destroyedKg,
    );
    const cut1 = ve(none) - ve(some);
    const cut10 = ve(none) - ve(many);
    expect(cut1).toBeGreaterThan(0);
    expect(cut10).toBeGreaterThan(cut1);
    // Ten times the strikes remove far less than ten times the flow (diminishing returns, displacement).
    expect(cut10).toBeLessThan(3 * cut1);
  });
});
