import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import accepted from '../data/calibration/accepted.json' with { type: 'json' };
import fitted from '../data/calibration/fitted.json' with { type: 'json' };
import { DEFAULTS, expectedRun, type HealthFit } from '../src/calibration/calibrate.js';
import { GROUPS, historyRun, signalsUpTo } from '../src/calibration/history-run.js';
import { essOf, splitRhat } from '../src/calibration/posterior.js';
import { backtestRows, fitSummary } from '../src/calibration/summary.js';
import { main } from '../src/cli/main.js';
import { normal } from '../src/core/distributions.js';
import { Xoshiro128 } from '../src/core/rng.js';
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
