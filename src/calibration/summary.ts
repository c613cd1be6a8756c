/**
 * What `crossroads fit` and `crossroads backtest` report, computed from a shipped (or freshly made)
 * posterior: for every accepted set the expected deaths, and around them the error term of that set
 * (log-normal with the set's sigma), so the bands hold parameter, structural and observation
 * uncertainty. Deterministic: the error draws come from a fixed seed.
 */

import { normal } from '../core/distributions.js';
import { Xoshiro128 } from '../core/rng.js';
import type { Scenario } from '../spec/scenario.js';
import type { HealthFit } from './calibrate.js';
import { fitScenario } from './chains.js';
import {
  EXTRA_SERIES,
  type ExtraSeries,
  GROUPS,
  type Group,
  historyRun,
  signalsUpTo,
} from './history-run.js';
import { type Diagnostic, observations } from './posterior.js';

/** Error draws per accepted set (method setting). */
export const DRAWS_PER_SET = 10;
const SUMMARY_SEED = 20152;

/** One fitted point of `crossroads fit`. */
export interface FitRow {
  year: number;
  group: Group;
  observed: number;
  median: number;
  p5: number;
  p95: number;
  /** median / observed - 1 */
  error: number;
  /** True when the observed count is an estimate (no final count found). */
  estimate: boolean;
}

/** One fitted point of a calibration-only series (deaths involving a stimulant and no opioid). */
export interface ExtraRow extends Omit<FitRow, 'group'> {
  group: ExtraSeries;
}

export interface FitSummary {
  fitYears: [number, number];
  rows: FitRow[];
  /** The fitted calibration-only points (not counted in `coverage90` or `mape`). */
  withoutOpioids: ExtraRow[];
  /** Share of rows whose observed value lies inside [p5, p95]. */
  coverage90: number;
  /** Mean absolute percentage error of the medians, by group. */
  mape: Record<string, number>;
  diagnostics: Diagnostic[];
  chains: number;
  iterations: number;
  seconds: number;
}

function quantile(sorted: Float64Array, p: number): number {
  const i = (sorted.length - 1) * p;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (i - lo);
}

/**
 * Predictive draws of every (year, group) from the first year to `lastYear`: [year][group] -> values
 * (sets x DRAWS_PER_SET).
 */
export function predictive(scenario: Scenario, fit: HealthFit, lastYear: number): Float64Array[][] {
  const first = Number(scenario.horizon.start.slice(0, 4));
  const years = lastYear - first + 1;
  const n = fit.sets.length * DRAWS_PER_SET;
  const columns = GROUPS.length + EXTRA_SERIES.length;
  const out = Array.from({ length: years }, () => Array.from({ length: columns }, () => new Float64Array(n)));
  const rng = Xoshiro128.fromSeed(SUMMARY_SEED, 0);
  fit.sets.forEach((set, k) => {
    const values = Object.fromEntries(fit.parameters.map((id, i) => [id, set[i]]));
    const rows = historyRun(scenario, values, lastYear);
    const sig = fit.sigmas[k];
    for (let y = 0; y < years; y++)
      for (let g = 0; g < columns; g++) {
        const s = sig[g === 0 ? 0 : g === 1 ? 1 : 2];
        for (let j = 0; j < DRAWS_PER_SET; j++)
          out[y][g][k * DRAWS_PER_SET + j] = rows[y][g] * Math.exp(s * normal(rng));
      }
  });
  for (const byGroup of out) for (const v of byGroup) v.sort();
  return out;
}

/** The fit as `crossroads fit` shows it. */
export function fitSummary(fit: HealthFit): FitSummary {
  const scenario = fitScenario(fit.signalsTo);
  const first = Number(scenario.horizon.start.slice(0, 4));
  const pred = predictive(scenario, fit, fit.lastYear);
  const all = observations(first, fit.lastYear).map((p) => {
    const v = pred[p.year - first][p.g];
    const median = quantile(v, 0.5);
    return {
      year: p.year,
      group: p.group,
      observed: p.observed,
      median,
      p5: quantile(v, 0.05),
      p95: quantile(v, 0.95),
      error: median / p.observed - 1,
      estimate: p.estimate,
    };
  });
  const isGroup = (r: (typeof all)[number]): r is FitRow => (GROUPS as readonly string[]).includes(r.group);
  const rows = all.filter(isGroup);
  const withoutOpioids = all.filter((r): r is ExtraRow => !isGroup(r));
  rows.sort((a, b) => a.year - b.year || GROUPS.indexOf(a.group) - GROUPS.indexOf(b.group));
  const inside = rows.filter((r) => r.observed >= r.p5 && r.observed <= r.p95).length;
  const mape: Record<string, number> = {};
  for (const g of GROUPS) {
    const rs = rows.filter((r) => r.group === g);
    if (rs.length) mape[g] = rs.reduce((a, r) => a + Math.abs(r.error), 0) / rs.length;
  }
  return {
    fitYears: [first, fit.lastYear],
    rows,
    withoutOpioids,
    coverage90: inside / rows.length,
    mape,
    diagnostics: fit.diagnostics,
    chains: fit.chains,
    iterations: fit.iterations,
    seconds: fit.seconds,
  };
}

/** Backtest modes: exogenous signals frozen at the origin, or the observed signals used. */
export const BACKTEST_MODES = ['real-time', 'signals-known'] as const;
export type BacktestMode = (typeof BACKTEST_MODES)[number];

/** One forecast year of a backtest (all-drug total deaths). */
export interface BacktestRow {
  origin: number;
  mode: BacktestMode;
  year: number;
  observed: number;
  median: number;
  p5: number;
  p95: number;
  /** The last observed year's total (the persistence forecast). */
  persistence: number;
  /** 1 - |model error| / |persistence error| */
  skill: number;
}

/** Forecast the years after the refit's origin through `lastYear` (2024) in one mode. */
export function backtestRows(refit: HealthFit, mode: BacktestMode, lastYear = 2024): BacktestRow[] {
  const origin = refit.lastYear;
  const declared = fitScenario(null);
  const scenario = mode === 'real-time' ? signalsUpTo(declared, origin) : declared;
  const first = Number(scenario.horizon.start.slice(0, 4));
  const pred = predictive(scenario, refit, lastYear);
  const obs = observations(first, lastYear).filter((p) => p.group === 'total');
  const atOrigin = obs.find((p) => p.year === origin)!.observed;
  return obs
    .filter((p) => p.year > origin)
    .map((p) => {
      const v = pred[p.year - first][0];
      const median = quantile(v, 0.5);
      const persistError = Math.abs(atOrigin - p.observed);
      return {
        origin,
        mode,
        year: p.year,
        observed: p.observed,
        median,
        p5: quantile(v, 0.05),
        p95: quantile(v, 0.95),
        persistence: atOrigin,
        skill: persistError > 0 ? 1 - Math.abs(median - p.observed) / persistError : Number.NaN,
      };
    });
}
