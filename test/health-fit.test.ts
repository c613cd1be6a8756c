import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import accepted from '../data/calibration/accepted.json' with { type: 'json' };
import fitted from '../data/calibration/fitted.json' with { type: 'json' };
import { DEFAULTS, expectedRun, type HealthFit } from '../src/calibration/calibrate.js';
import { EXTRA_SERIES, GROUPS, historyRun, signalsUpTo } from '../src/calibration/history-run.js';
import { dimensions, essOf, fromUnit, Posterior, splitRhat, toUnit } from '../src/calibration/posterior.js';
import { backtestRows, fitSummary } from '../src/calibration/summary.js';
import { main } from '../src/cli/main.js';
import { normal } from '../src/core/distributions.js';
import { Xoshiro128 } from '../src/core/rng.js';
import { Params } from '../src/model/params.js';
import { adulterationMap } from '../src/model/street-supply.js';
import { defaultScenario } from '../src/scenario/default.js';
import { captureStdio } from './helpers/stdio.js';

const io = captureStdio();
const dir = join(import.meta.dirname, '..', 'data', 'calibration');
const shipped = JSON.parse(readFileSync(join(dir, 'health-fit.json'), 'utf8')) as HealthFit;
const refits = (JSON.parse(readFileSync(join(dir, 'backtests.json'), 'utf8')) as { refits: HealthFit[] })
  .refits;

describe('health calibration: the fast history run', () => {
  it('gives the same 2015-2024 deaths as a full no-policy run without process noise', () => {
    const scenario = defaultScenario();
    const full = expectedRun(scenario, {});
    const fast = historyRun(scenario, {}, 2024);
    for (let y = 0; y < 10; y++)
      for (const [k, g] of GROUPS.entries()) expect(fast[y][k]).toBeCloseTo(full[y].deaths[g], 6);
  });
  it('cuts every input signal after the origin year for real-time forecasts', () => {
    const s = signalsUpTo(defaultScenario(), 2021);
    expect(Math.max(...s.history.streetSupply.fentanyl.map((r) => r.year))).toBe(2021);
    expect(Math.max(...s.history.naloxoneKits.map((r) => r.year))).toBeLessThanOrEqual(2021);
    const full = historyRun(defaultScenario(), {}, 2024);
    const cut = historyRun(s, {}, 2024);
    expect(cut[2][0]).toBeCloseTo(full[2][0], 6); // 2017 unaffected
    expect(Math.abs(cut[9][0] / full[9][0] - 1)).toBeGreaterThan(0.001); // 2024 differs
  });
});

describe('health calibration: deaths involving a stimulant and no opioid (health-2)', () => {
  it('are part of their group and of the fitted points, from published shares', () => {
    const rows = historyRun(defaultScenario(), {}, 2024);
    const coc = GROUPS.indexOf('cocaine');
    const meth = GROUPS.indexOf('otherStimulants');
    for (const row of rows) {
      const [cocNo, methNo] = [row[GROUPS.length], row[GROUPS.length + 1]];
      expect(cocNo).toBeGreaterThan(0);
      expect(cocNo).toBeLessThan(row[coc]);
      expect(methNo).toBeGreaterThan(0);
      expect(methNo).toBeLessThan(row[meth]);
    }
    const post = new Posterior(defaultScenario({ fitted: false }), 2024);
    const extra = post.points.filter((p) => p.g >= GROUPS.length);
    expect(extra.map((p) => `${p.group} ${p.year}`)).toEqual(
      EXTRA_SERIES.flatMap((e) => [2017, 2019, 2021].map((y) => `${e.key} ${y}`)),
    );
    // NCHS Data Brief 474: 78.6% of 24,486 cocaine deaths in 2021 involved an opioid.
    expect(extra.find((p) => p.group === 'cocaineWithoutOpioids' && p.year === 2021)?.observed).toBe(
      Math.round(24486 * (1 - 0.786)),
    );
  });
  it('a refit to 2019 sees only the points up to 2019', () => {
    const post = new Posterior(defaultScenario({ fitted: false }), 2019);
    expect(Math.max(...post.points.map((p) => p.year))).toBe(2019);
    expect(post.points.filter((p) => p.g >= GROUPS.length)).toHaveLength(4);
  });
});

describe('stimulant supply contamination (health-2)', () => {
  it('is c times the opioid supply share, so it saturates with it', () => {
    const params = Params.fromScenario(defaultScenario());
    const c = params.get('health.stimulantFentanylContamination');
    const map = adulterationMap(params);
    for (const a of [0.1, 1, 4, 9.6, 1e6]) expect(map.stimulant(a)).toBeCloseTo(c * map.opioid(a), 14);
    // Doubling the seizure index at the FY2023 level raises it by under 10% (health-1's map: ~80%).
    expect(map.stimulant(2 * 9.637) / map.stimulant(9.637)).toBeLessThan(1.1);
  });
});

describe('health calibration: informative priors', () => {
  const scenario = defaultScenario({ fitted: false });
  const dims = dimensions(scenario);
  const w = dims.findIndex((d) => d.id === 'health.potencyElasticity');
  it('declares the priors from free-parameters.json (log-normal on a log range)', () => {
    expect(dims[w].prior).toEqual({ mean: 0, sd: 0.3 });
    const c = dims.find((d) => d.id === 'health.stimulantFentanylContamination');
    expect(c?.log).toBe(true);
    expect(c?.prior?.mean).toBeCloseTo(Math.log(0.13), 12);
    expect(c?.prior?.sd).toBe(0.7);
    expect(dims.filter((d) => d.prior)).toHaveLength(2);
  });
  it('adds the normal log density of the prior to the posterior, and nothing else', () => {
    const post = new Posterior(scenario, 2019);
    const logit = (u: number) => Math.log(u / (1 - u));
    const z = dims.map((d) => logit(toUnit(d, d.lo + 0.5 * (d.hi - d.lo))));
    const at = (v: number) => {
      const zz = [...z];
      zz[w] = logit(toUnit(dims[w], v));
      return zz;
    };
    // Same model run for both values: compare the density change with and without the prior term.
    const [a, b] = [0.3, 0.9];
    const withPrior = post.logDensity(at(b)) - post.logDensity(at(a));
    const jac = (v: number) => {
      const u = toUnit(dims[w], v);
      return Math.log(u) + Math.log(1 - u);
    };
    const like =
      post.logLikelihood(Float64Array.from(at(b), (x) => 1 / (1 + Math.exp(-x)))) -
      post.logLikelihood(Float64Array.from(at(a), (x) => 1 / (1 + Math.exp(-x))));
    const prior = -0.5 * ((b / 0.3) ** 2 - (a / 0.3) ** 2);
    expect(withPrior).toBeCloseTo(like + jac(b) - jac(a) + prior, 8);
    expect(fromUnit(dims[w], toUnit(dims[w], b))).toBeCloseTo(b, 12);
  });
});

describe('health calibration: diagnostics', () => {
  const rng = Xoshiro128.fromSeed(7, 0);
  const iid = () => Array.from({ length: 2000 }, () => normal(rng));
  it('R-hat is about 1 and ESS about the draw count for independent draws', () => {
    const seqs = [iid(), iid(), iid(), iid()];
    expect(splitRhat(seqs)).toBeLessThan(1.01);
    expect(essOf(seqs)).toBeGreaterThan(5000);
  });
  it('R-hat flags chains stuck in different places and ESS falls with autocorrelation', () => {
    const shifted = [iid(), iid().map((v) => v + 3)];
    expect(splitRhat(shifted)).toBeGreaterThan(1.5);
    const ar = Array.from({ length: 4 }, () => {
      let x = 0;
      return Array.from({ length: 2000 }, () => {
        x = 0.95 * x + Math.sqrt(1 - 0.95 ** 2) * normal(rng);
        return x;
      });
    });
    // AR(1) with phi 0.95: integrated autocorrelation time (1 + phi) / (1 - phi) = 39.
    const ess = essOf(ar);
    expect(ess).toBeGreaterThan(8000 / 39 / 2);
    expect(ess).toBeLessThan((8000 / 39) * 2);
  });
});

describe('health calibration: the shipped posterior', () => {
  const summary = fitSummary(shipped);
  it('is what the default scenario and ensembles use', () => {
    expect(fitted.values).toEqual(shipped.best);
    expect(accepted.parameters.slice(0, shipped.parameters.length)).toEqual(shipped.parameters);
    expect(accepted.sets.map((s) => s.slice(0, shipped.parameters.length))).toEqual(shipped.sets);
    // Every other history-shaping parameter is held at its declared value in every set.
    const declared = defaultScenario({ fitted: false });
    accepted.parameters.slice(shipped.parameters.length).forEach((id, j) => {
      expect(id.startsWith('health.') || id.startsWith('naloxone.')).toBe(true);
      for (const s of accepted.sets)
        expect(s[shipped.parameters.length + j]).toBe(declared.parameters[id].value);
    });
    expect(shipped.sets.length).toBeGreaterThanOrEqual(200);
  });
  it('converged: R-hat <= 1.05 and ESS >= 200 for every sampled parameter', () => {
    for (const d of shipped.diagnostics) {
      expect(d.rhat, d.id).toBeLessThanOrEqual(DEFAULTS.rhat);
      expect(d.ess, d.id).toBeGreaterThanOrEqual(DEFAULTS.ess);
    }
  });
  it('puts the median of every annual total 2015-2024 within ±10% of CDC/NCHS', () => {
    const totals = summary.rows.filter((r) => r.group === 'total');
    expect(totals).toHaveLength(10);
    for (const r of totals) expect(Math.abs(r.error), String(r.year)).toBeLessThanOrEqual(0.1);
  });
  it('has 90% bands covering at least 80% of the year-group points', () => {
    expect(summary.coverage90).toBeGreaterThanOrEqual(0.8);
  });
  it('puts the synthetic-opioid median within ±20% of CDC/NCHS from 2019 on (health-1: +39% in 2024)', () => {
    const rows = summary.rows.filter((r) => r.group === 'syntheticOpioids' && r.year >= 2019);
    expect(rows).toHaveLength(6);
    for (const r of rows) expect(Math.abs(r.error), String(r.year)).toBeLessThanOrEqual(0.2);
  });
  it('ships refits for the backtest origins, each converged to R-hat <= 1.1', () => {
    expect(refits.map((r) => r.lastYear)).toEqual([...DEFAULTS.origins]);
    for (const r of refits)
      for (const d of r.diagnostics)
        expect(d.rhat, `${r.lastYear} ${d.id}`).toBeLessThanOrEqual(DEFAULTS.refitRhat);
  });
  it('backtest rows run from the year after the origin to 2024 with persistence and skill', () => {
    const rows = backtestRows(refits[refits.length - 1], 'signals-known');
    expect(rows.map((r) => r.year)).toEqual([2024]);
    expect(rows[0].persistence).toBe(105007);
    expect(rows[0].skill).toBeCloseTo(1 - Math.abs(rows[0].median - 79384) / (105007 - 79384), 10);
  });
});

describe('crossroads fit and backtest', () => {
  it('fit --format json gives rows, coverage and diagnostics', async () => {
    expect(await main(['fit', '--format', 'json'])).toBe(0);
    const j = JSON.parse(io.out);
    expect(j.rows[0]).toEqual({
      year: 2015,
      group: 'total',
      observed: 52404,
      median: expect.any(Number),
      p5: expect.any(Number),
      p95: expect.any(Number),
    });
    expect(j.coverage90).toBeGreaterThan(0);
    expect(j.coverage90).toBeLessThanOrEqual(1);
    expect(Object.keys(j.diagnostics[0]).sort()).toEqual(['ess', 'id', 'onBound', 'rhat']);
    expect(j.withoutOpioids.map((r: { group: string; year: number }) => `${r.group} ${r.year}`)).toEqual([
      'cocaineWithoutOpioids 2017',
      'cocaineWithoutOpioids 2019',
      'cocaineWithoutOpioids 2021',
      'psychostimulantsWithoutOpioids 2017',
      'psychostimulantsWithoutOpioids 2019',
      'psychostimulantsWithoutOpioids 2021',
    ]);
  });
  it('fit prints the table', async () => {
    expect(await main(['fit'])).toBe(0);
    expect(io.out).toMatch(/90% band coverage: \d+% of \d+ year-group points/);
  });
  it('backtest --origin 2023 --format json gives both modes for 2024', async () => {
    expect(await main(['backtest', '--origin', '2023', '--format', 'json'])).toBe(0);
    const j = JSON.parse(io.out);
    expect(j.rows.map((r: { mode: string; year: number }) => `${r.mode} ${r.year}`)).toEqual([
      'real-time 2024',
      'signals-known 2024',
    ]);
    expect(Object.keys(j.rows[0]).sort()).toEqual(
      ['median', 'mode', 'observed', 'origin', 'p5', 'p95', 'persistence', 'skill', 'year'].sort(),
    );
  });
  it('backtest refuses an origin without a shipped refit, naming the flag (exit 2)', async () => {
    expect(await main(['backtest', '--origin', '2020'])).toBe(2);
    expect(io.err).toMatch(/--origin/);
    expect(await main(['backtest', '--origin', '2030'])).toBe(2);
    expect(await main(['backtest', '--origin', '2023', '--mode', 'hindsight'])).toBe(2);
  });
});
