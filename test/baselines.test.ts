/**
 * Alternative baselines (issue 11 item 6): the shipped assumption sets `decline-continues`,
 * `plateau` and `rebound` trend the projection's street supply from the policy start; the default
 * (no assumption) is untouched; a bad street section is an error naming its path.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyAssumptionOption, loadPolicy } from '../src/cli/inputs.js';
import { CrossroadsError } from '../src/core/errors.js';
import { hashValue } from '../src/core/hash.js';
import { assumptionNames, shippedAssumption } from '../src/model/supply/index.js';
import { runPolicy } from '../src/report/run-result.js';
import { defaultScenario } from '../src/scenario/default.js';
import { resolveScenario } from '../src/scenario/resolve.js';
import type { Scenario } from '../src/spec/scenario.js';

const SETS = ['decline-continues', 'plateau', 'rebound'] as const;

function baseline(scenario: Scenario, seed: number) {
  const r = runPolicy(scenario, loadPolicy('none', scenario), seed);
  const deaths = r.annual
    .filter((a) => a.year >= 2026 && a.year <= 2035)
    .reduce((s, a) => s + a.deaths.total, 0);
  return { r, deaths };
}

function overlayError(overlay: unknown): CrossroadsError {
  const file = join(tmpdir(), `crossroads-bad-baseline-${process.pid}-${Math.random()}.json`);
  writeFileSync(file, JSON.stringify(overlay));
  try {
    applyAssumptionOption(defaultScenario(), file);
  } catch (e) {
    if (e instanceof CrossroadsError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

const valid = {
  name: 'test-trend',
  label: 'test',
  description: 'test',
  claimSource: 'test',
  evidenceNote: 'test',
  street: [{ commodity: 'fentanyl', field: 'potency', annualChange: -0.1 }],
};

describe('alternative baselines (street-supply assumption sets)', () => {
  it('each shipped set parses, is listed, says it is a judgement and has a street section', () => {
    for (const name of SETS) {
      expect(assumptionNames()).toContain(name);
      const o = shippedAssumption(name);
      expect(o?.name).toBe(name);
      expect(o?.street?.length).toBeGreaterThan(0);
      expect(o?.description).toMatch(/judgement/);
      expect(o?.description).toMatch(/not a forecast/);
      expect(o?.claimSource.length).toBeGreaterThan(0);
      expect(o?.evidenceNote.length).toBeGreaterThan(0);
    }
  });

  it('leaves the default scenario without street trends and bit-identical', () => {
    const scenario = defaultScenario();
    expect(scenario.streetTrends).toBeUndefined();
    expect(applyAssumptionOption(scenario, undefined)).toBe(scenario);
    // The network-only overlay adds no street trend either.
    expect(applyAssumptionOption(scenario, 'venezuela-fentanyl').streetTrends).toBeUndefined();
    const a = baseline(scenario, 7).r;
    const b = baseline(defaultScenario(), 7).r;
    expect(hashValue(a.annual)).toBe(hashValue(b.annual));
  });

  it('history is unchanged; decline-continues < default < rebound in deaths 2026-2035, plateau between', () => {
    for (const seed of [1, 2]) {
      const def = baseline(defaultScenario(), seed);
      const runs = Object.fromEntries(
        SETS.map((n) => [n, baseline(applyAssumptionOption(defaultScenario(), n), seed)]),
      ) as Record<(typeof SETS)[number], ReturnType<typeof baseline>>;
      for (const n of SETS) {
        const hist = (x: ReturnType<typeof baseline>) => x.r.annual.filter((a) => a.year <= 2025);
        expect(hashValue(hist(runs[n]))).toBe(hashValue(hist(def)));
      }
      expect(runs['decline-continues'].deaths).toBeLessThan(def.deaths);
      expect(runs.rebound.deaths).toBeGreaterThan(def.deaths);
      // The default market eases a little below the 2025 street; the plateau holds it there.
      expect(runs.plateau.deaths).toBeGreaterThan(runs['decline-continues'].deaths);
      expect(runs.plateau.deaths).toBeLessThan(runs.rebound.deaths);
    }
  });

  it('a scenario file selects a set by name, as --assumptions does', () => {
    const fromFile = resolveScenario({ name: 'plateau-file', assumptions: ['plateau'] });
    expect(fromFile.assumptions).toEqual(['plateau']);
    expect(fromFile.streetTrends).toEqual(applyAssumptionOption(defaultScenario(), 'plateau').streetTrends);
    expect(baseline(fromFile, 3).deaths).toBe(
      baseline(applyAssumptionOption(defaultScenario(), 'plateau'), 3).deaths,
    );
  });

  it('the plateau holds the street at its hand-over value', () => {
    const r = baseline(applyAssumptionOption(defaultScenario(), 'plateau'), 1).r;
    const at = (y: number) => r.annual.find((a) => a.year === y)?.streetSupply;
    for (const y of [2026, 2030, 2035]) {
      expect(at(y)?.fentanyl.availability).toBeCloseTo(at(2025)?.fentanyl.availability ?? Number.NaN, 10);
      expect(at(y)?.fentanyl.potency).toBeCloseTo(at(2025)?.fentanyl.potency ?? Number.NaN, 10);
      expect(at(y)?.cocaine.availability).toBeCloseTo(at(2025)?.cocaine.availability ?? Number.NaN, 10);
    }
  });

  it('a street section with an unknown field or a bad month is an error naming the path', () => {
    const unknownField = overlayError({
      ...valid,
      street: [{ commodity: 'fentanyl', field: 'purity', annualChange: 0.1 }],
    });
    expect(unknownField.issues.map((i) => i.path).join(' ')).toMatch(/street\[0\]\.field/);
    const badMonth = overlayError({
      ...valid,
      street: [valid.street[0], { commodity: 'cocaine', field: 'potency', annualChange: 0, from: '2026-13' }],
    });
    expect(badMonth.issues.map((i) => i.path).join(' ')).toMatch(/street\[1\]\.from/);
    const extraKey = overlayError({ ...valid, street: [{ ...valid.street[0], rate: 0.1 }] });
    expect(extraKey.message).toMatch(/street\[0\]/);
    const order = overlayError({
      ...valid,
      street: [{ ...valid.street[0], from: '2030-01', until: '2027-01' }],
    });
    expect(order.issues.map((i) => i.path).join(' ')).toMatch(/street\[0\]\.until/);
    const tooLow = overlayError({ ...valid, street: [{ ...valid.street[0], annualChange: -1 }] });
    expect(tooLow.issues.map((i) => i.path).join(' ')).toMatch(/street\[0\]\.annualChange/);
  });
});

describe('the output names the assumption sets', () => {
  it('in the manifest and the table header', async () => {
    const { main } = await import('../src/cli/main.js');
    const chunks: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((s: string) => {
      chunks.push(String(s));
      return true;
    }) as typeof process.stdout.write;
    try {
      expect(await main(['run', '-n', '1', '--assumptions', 'plateau', '--format', 'json'])).toBe(0);
      expect(JSON.parse(chunks.join('')).manifest.scenario.assumptions).toEqual(['plateau']);
      chunks.length = 0;
      expect(await main(['run', '-n', '1', '--assumptions', 'plateau'])).toBe(0);
      expect(chunks.join('')).toMatch(/scenario "default" with assumptions plateau/);
      chunks.length = 0;
      expect(await main(['run', '-n', '1', '--format', 'json'])).toBe(0);
      expect(JSON.parse(chunks.join('')).manifest.scenario.assumptions).toBeUndefined();
    } finally {
      process.stdout.write = write;
      process.exitCode = 0;
    }
  });
});
