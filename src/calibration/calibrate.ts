/**
 * Calibration of the health model (health-2): a Bayesian posterior over the free parameters, the
 * other parameters that shape the history and three error sigmas (see posterior.ts), sampled by
 * several adaptive Metropolis chains from dispersed starts on worker threads. From the pooled second
 * halves of the chains it takes the diagnostics (split R-hat, ESS, bounds), the accepted sets
 * (spread evenly over the whole posterior, with their sigmas) and the point fit (the kept draw of
 * highest posterior density), which `crossroads run` uses. The same procedure, with deaths up to an
 * origin year and signals cut at that year, makes the backtest refits.
 *
 * `calibrateHealth` writes nothing: the CLI writes its result. Its `signal` aborts it.
 */

import freeFile from '../../data/calibration/free-parameters.json' with { type: 'json' };
import targets from '../../data/targets/deaths.json' with { type: 'json' };
import { CrossroadsError } from '../core/errors.js';
import { type AnnualRecord, prepare, runModel } from '../engine/run.js';
import type { Scenario } from '../spec/scenario.js';
import { fitScenario, type Job, runJobs } from './chains.js';
import { historyRun } from './history-run.js';
import {
  type ChainResult,
  type Diagnostic,
  diagnostics,
  dimensions,
  fromUnit,
  type Optimum,
  SIGMA_IDS,
  spreadDraws,
} from './posterior.js';

/** Calibration settings (method settings, not model inputs). */
export const DEFAULTS = {
  seed: 20151,
  /** Optimisations from dispersed starts (the chains start around the best optimum found). */
  starts: 8,
  startEvaluations: 8000,
  /** Spread of the chains' starting points around the optimum (logit units: overdispersed). */
  jitter: 0.5,
  chains: 4,
  /** Iterations per chain (the first half adapts and is discarded). */
  iterations: 900_000,
  thin: 20,
  keep: 400,
  threads: 2,
  /** Backtest origins refitted and shipped with the calibration. */
  origins: [2019, 2021, 2022, 2023],
  /** Iterations per chain of a backtest refit (shorter; R-hat <= 1.1 is the target there). */
  refitIterations: 200_000,
  /** Convergence thresholds. */
  rhat: 1.05,
  ess: 200,
  refitRhat: 1.1,
} as const;

/** The result of one calibration (the shipped fit or a backtest refit). */
export interface HealthFit {
  $comment?: string;
  /** Deaths fitted from the first year to this year. */
  lastYear: number;
  /** Input signals cut after this year (backtest refits), or null (all signals, through 2025). */
  signalsTo: number | null;
  seed: number;
  chains: number;
  iterations: number;
  /** Model parameters of each accepted set. */
  parameters: string[];
  sets: number[][];
  /** Error sigmas (total, synthetic opioids, other groups) of each accepted set. */
  sigmaIds: string[];
  sigmas: number[][];
  /** The point fit (model parameters): the accepted set closest to the posterior median totals. */
  best: Record<string, number>;
  diagnostics: Diagnostic[];
  acceptance: number[];
  /** Log posterior density of each optimisation's result (best first is not implied). */
  optima: number[];
  seconds: number;
}

export interface CalibrateOptions {
  lastYear: number;
  signalsTo: number | null;
  seed?: number;
  starts?: number;
  chains?: number;
  iterations?: number;
  thin?: number;
  keep?: number;
  threads?: number;
  signal?: AbortSignal;
  log?: (message: string) => void;
}

/** The free parameters (validated against the scenario). */
export function freeParameters(scenario: Scenario): string[] {
  const list = freeFile.parameters;
  if (list.length > 12)
    throw new CrossroadsError('calibration', [
      { path: 'free-parameters.json', value: list.length, expected: 'at most 12 free parameters' },
    ]);
  for (const id of list) {
    const spec = scenario.parameters[id];
    if (!spec?.range)
      throw new CrossroadsError('calibration', [
        { path: `parameters.${id}`, value: spec?.range, expected: 'a declared parameter with a range' },
      ]);
  }
  return list;
}

/** Observed totals and synthetic-opioid deaths for a range of years (CDC/NCHS final, 2015-2024). */
export function observed(
  first: number,
  last: number,
): { years: number[]; total: number[]; synthetic: number[] } {
  const years: number[] = [];
  const total: number[] = [];
  const synthetic: number[] = [];
  for (let y = first; y <= last; y++) {
    const t = targets.total.find((r) => r.year === y);
    const s = targets.syntheticOpioids.find((r) => r.year === y);
    if (!t || !s)
      throw new CrossroadsError('calibration', [
        { path: 'years', value: y, expected: 'a year with CDC targets (2015-2024)' },
      ]);
    years.push(y);
    total.push(t.value);
    synthetic.push(s.value);
  }
  return { years, total, synthetic };
}

/** Run the full model with expected values (no process noise) for given parameter values. */
export function expectedRun(scenario: Scenario, values: Record<string, number>): AnnualRecord[] {
  const input = {
    scenario,
    policy: { name: 'none', levers: [] },
    seed: 0,
    stochastic: false,
    parameters: values,
  };
  return runModel(input, prepare(input)).annual;
}

/** Sample the posterior for deaths up to `lastYear`. Deterministic for a seed and settings. */
export async function calibrateHealth(scenario: Scenario, o: CalibrateOptions): Promise<HealthFit> {
  freeParameters(scenario);
  const dims = dimensions(scenario);
  const chains = o.chains ?? DEFAULTS.chains;
  const iterations = o.iterations ?? DEFAULTS.iterations;
  const seed = o.seed ?? DEFAULTS.seed;
  const t0 = performance.now();
  const base = { lastYear: o.lastYear, signalsTo: o.signalsTo };
  const threads = o.threads ?? DEFAULTS.threads;
  const starts = o.starts ?? DEFAULTS.starts;
  const optJobs: Job[] = Array.from({ length: starts }, (_, start) => ({
    ...base,
    kind: 'optimize',
    seed,
    start,
    evaluations: DEFAULTS.startEvaluations,
  }));
  const optima = await runJobs<Optimum>(optJobs, threads, o.signal);
  const bestStart = optima.reduce((a, b) => (b.logDensity > a.logDensity ? b : a));
  o.log?.(
    `fit to ${o.lastYear}: ${starts} optimisations, log density ${optima.map((x) => x.logDensity.toFixed(1)).join(', ')}`,
  );
  const chainJobs: Job[] = Array.from({ length: chains }, (_, chain) => ({
    ...base,
    kind: 'chain',
    settings: {
      iterations,
      thin: o.thin ?? DEFAULTS.thin,
      seed,
      chain,
      around: bestStart.z,
      jitter: DEFAULTS.jitter,
    },
  }));
  const results = await runJobs<ChainResult>(chainJobs, threads, o.signal, (c, sec) =>
    o.log?.(`fit to ${o.lastYear}: chain ${c + 1}/${chains} done in ${sec.toFixed(0)} s`),
  );
  const diag = diagnostics(dims, results);
  const model = dims.length - SIGMA_IDS.length;
  const picked = spreadDraws(results, o.keep ?? DEFAULTS.keep);
  const unitValue = (u: ArrayLike<number>, i: number) => fromUnit(dims[i], u[i]);
  const fit: HealthFit = {
    lastYear: o.lastYear,
    signalsTo: o.signalsTo,
    seed,
    chains,
    iterations,
    parameters: dims.slice(0, model).map((d) => d.id),
    sets: picked.map((u) => Array.from({ length: model }, (_, i) => unitValue(u, i))),
    sigmaIds: [...SIGMA_IDS],
    sigmas: picked.map((u) => SIGMA_IDS.map((_, k) => unitValue(u, model + k))),
    best: {},
    diagnostics: diag,
    acceptance: results.map((r) => r.acceptance),
    optima: optima.map((x) => x.logDensity),
    seconds: (performance.now() - t0) / 1000,
  };
  fit.best = pointFit(fit, fitScenario(o.signalsTo));
  return fit;
}

/**
 * The point fit the default scenario runs on: the accepted set whose annual totals lie closest (least
 * squares on log ratios) to the posterior median totals, so a single run shows the median history.
 */
export function pointFit(fit: HealthFit, scenario: Scenario): Record<string, number> {
  const runs = fit.sets.map((set) =>
    historyRun(scenario, Object.fromEntries(fit.parameters.map((id, i) => [id, set[i]])), fit.lastYear).map(
      (row) => row[0],
    ),
  );
  const years = runs[0].length;
  const median = Array.from({ length: years }, (_, y) => {
    const v = runs.map((r) => r[y]).sort((a, b) => a - b);
    return v[Math.floor(v.length / 2)];
  });
  let best = 0;
  let bestLoss = Number.POSITIVE_INFINITY;
  runs.forEach((r, k) => {
    let loss = 0;
    for (let y = 0; y < years; y++) loss += Math.log(r[y] / median[y]) ** 2;
    if (loss < bestLoss) {
      bestLoss = loss;
      best = k;
    }
  });
  return Object.fromEntries(fit.parameters.map((id, i) => [id, fit.sets[best][i]]));
}

/**
 * The accepted sets as ensembles draw them: the sampled parameters of each set, then every other
 * ranged parameter that shapes the history (ids `health.*` and `naloxone.*`) held at its declared
 * value, so that no replicate draws a history-shaping parameter the posterior did not sample.
 */
export function acceptedSets(fit: HealthFit, scenario: Scenario): { parameters: string[]; sets: number[][] } {
  const held = Object.entries(scenario.parameters)
    .filter(([id, p]) => !fit.parameters.includes(id) && p.range && p.range[1] > p.range[0])
    .filter(([id]) => id.startsWith('health.') || id.startsWith('naloxone.'))
    .map(([id]) => id)
    .sort();
  const values = held.map((id) => scenario.parameters[id].value);
  return { parameters: [...fit.parameters, ...held], sets: fit.sets.map((set) => [...set, ...values]) };
}

/** Whether a fit meets the convergence thresholds. */
export function converged(fit: HealthFit, rhat: number, ess: number): boolean {
  return fit.diagnostics.every((d) => d.rhat <= rhat && d.ess >= ess);
}
