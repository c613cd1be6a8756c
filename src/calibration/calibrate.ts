/**
 * Calibration that explains rather than replays: the free parameters listed in
 * data/calibration/free-parameters.json (at most 12, no per-year factors) are fitted to CDC/NCHS
 * total overdose deaths and synthetic-opioid deaths (and, with wider tolerances, the other opioid,
 * cocaine and psychostimulant groups) by least squares on log ratios, with a penalty once an annual
 * total misses by more than 8% (multi-start Nelder-Mead in a bounded transform of each parameter's
 * declared range). Around the optimum a
 * random-walk Metropolis sampler (Gaussian likelihood on log ratios, uniform prior on each range)
 * draws a posterior sample; the sets that also meet the acceptance bounds (each annual total within
 * ±10%, cumulative total within ±5%) are kept for ensembles.
 */

import freeFile from '../../data/calibration/free-parameters.json' with { type: 'json' };
import targets from '../../data/targets/deaths.json' with { type: 'json' };
import { nelderMead } from '../analysis/nelder-mead.js';
import { normal } from '../core/distributions.js';
import { CrossroadsError } from '../core/errors.js';
import { Xoshiro128 } from '../core/rng.js';
import { type AnnualRecord, prepare, runModel } from '../engine/run.js';
import type { Scenario } from '../spec/scenario.js';

/** Calibration settings (all numbers here are method settings, not model inputs). */
export const DEFAULTS = {
  seed: 20151,
  starts: 6,
  maxEvaluations: 3000,
  mcmcIterations: 20000,
  burnIn: 4000,
  keep: 200,
  annualBound: 0.1,
  penaltyFrom: 0.08,
  penaltyScale: 0.005,
  cumulativeBound: 0.05,
} as const;

export interface CalibrationOptions {
  firstYear: number;
  lastYear: number;
  seed?: number;
  starts?: number;
  mcmcIterations?: number;
  keep?: number;
}

/** One year of the fit report. */
export interface FitRow {
  year: number;
  inSample: boolean;
  totalObserved: number;
  totalModel: number;
  totalError: number;
  syntheticObserved: number;
  syntheticModel: number;
  syntheticError: number;
}

export interface CalibrationResult {
  fitYears: [number, number];
  free: string[];
  values: Record<string, number>;
  loss: number;
  evaluations: number;
  rows: FitRow[];
  cumulative: { observed: number; model: number; error: number; years: [number, number] };
  withinBounds: boolean;
  accepted: {
    parameters: string[];
    sets: number[][];
    proposals: number;
    acceptanceRate: number;
    withinBoundsShare: number;
  };
  groups: { group: string; year: number; observed: number; model: number }[];
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

/**
 * Parameters of the posterior sample: the free parameters, then every other parameter with a range
 * that shapes the historical deaths (ids starting `health.` or `naloxone.`). Lever-only parameters
 * (costs, prevention, drug checking) and the supply side do not change 2015-2022 deaths and are
 * drawn from their declared distributions by ensembles instead.
 */
export function posteriorParameters(scenario: Scenario): string[] {
  const free = freeParameters(scenario);
  const others = Object.entries(scenario.parameters)
    .filter(([id, p]) => !free.includes(id) && p.range && p.range[1] > p.range[0])
    .filter(([id]) => id.startsWith('health.') || id.startsWith('naloxone.'))
    .map(([id]) => id);
  return [...free, ...others];
}

interface Bound {
  lo: number;
  hi: number;
  log: boolean;
}

function toUnit(b: Bound, v: number): number {
  return b.log
    ? (Math.log(v) - Math.log(b.lo)) / (Math.log(b.hi) - Math.log(b.lo))
    : (v - b.lo) / (b.hi - b.lo);
}
function fromUnit(b: Bound, u: number): number {
  return b.log ? Math.exp(Math.log(b.lo) + u * (Math.log(b.hi) - Math.log(b.lo))) : b.lo + u * (b.hi - b.lo);
}
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const logit = (u: number) => Math.log(u / (1 - u));

/** Observed series for a range of years. */
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
        { path: 'years', value: y, expected: 'a year with CDC targets (2015-2022)' },
      ]);
    years.push(y);
    total.push(t.value);
    synthetic.push(s.value);
  }
  return { years, total, synthetic };
}

/** Run the model with expected values (no process noise) for given parameter values. */
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

/** Fit the free parameters to the years [firstYear, lastYear]. Pure and deterministic. */
export function calibrate(scenario: Scenario, options: CalibrationOptions): CalibrationResult {
  const free = freeParameters(scenario);
  const bounds: Bound[] = free.map((id) => {
    const [lo, hi] = scenario.parameters[id].range!;
    return { lo, hi, log: lo > 0 && hi / lo >= 10 };
  });
  const fit = observed(options.firstYear, options.lastYear);
  const all = observed(2015, 2022);
  const firstYearOfRun = Number(scenario.horizon.start.slice(0, 4));

  const valuesOf = (u: number[]) => Object.fromEntries(free.map((id, i) => [id, fromUnit(bounds[i], u[i])]));
  const groupNames = ['otherOpioids', 'cocaine', 'otherStimulants'] as const;
  const sigma = freeFile.sigma;
  const groupObs = groupNames.map((g) =>
    fit.years.map((y) => {
      const row = targets.groups[g].find((r) => r.year === y);
      if (!row)
        throw new CrossroadsError('calibration', [
          { path: `groups.${g}`, value: y, expected: 'a target for every fitted year' },
        ]);
      return row.value;
    }),
  );
  const lossOf = (vals: Record<string, number>) => {
    const annual = expectedRun(scenario, vals);
    let l = 0;
    for (let k = 0; k < fit.years.length; k++) {
      const d = annual[fit.years[k] - firstYearOfRun].deaths;
      l += (Math.log(Math.max(d.total, 1) / fit.total[k]) / sigma.total) ** 2;
      l += (Math.log(Math.max(d.syntheticOpioids, 1) / fit.synthetic[k]) / sigma.syntheticOpioids) ** 2;
      for (let g = 0; g < groupNames.length; g++) {
        l += (Math.log(Math.max(d[groupNames[g]], 1) / groupObs[g][k]) / sigma[groupNames[g]]) ** 2;
      }
      // The acceptance bound on annual totals is a constraint, not a preference: a penalty that
      // starts inside it keeps the secondary groups from pulling any year's total out of ±10%.
      const miss = Math.abs(d.total / fit.total[k] - 1);
      if (miss > DEFAULTS.penaltyFrom) l += ((miss - DEFAULTS.penaltyFrom) / DEFAULTS.penaltyScale) ** 2;
    }
    return l;
  };
  const loss = (u: number[]) => lossOf(valuesOf(u));

  // Multi-start Nelder-Mead in logit space of the unit cube.
  const rng = Xoshiro128.fromSeed(options.seed ?? DEFAULTS.seed, 0);
  const starts: number[][] = [
    free.map((id, i) => Math.min(0.99, Math.max(0.01, toUnit(bounds[i], scenario.parameters[id].value)))),
  ];
  for (let s = 1; s < (options.starts ?? DEFAULTS.starts); s++)
    starts.push(free.map(() => 0.05 + 0.9 * rng.next()));
  let best = { u: starts[0], value: Number.POSITIVE_INFINITY };
  let evaluations = 0;
  for (const start of starts) {
    const r = nelderMead((z) => loss(z.map(sigmoid)), start.map(logit), {
      maxEvaluations: DEFAULTS.maxEvaluations,
      initialStep: 0.5,
    });
    evaluations += r.evaluations;
    // Polish once from the result.
    const r2 = nelderMead((z) => loss(z.map(sigmoid)), r.x, {
      maxEvaluations: DEFAULTS.maxEvaluations,
      initialStep: 0.05,
    });
    evaluations += r2.evaluations;
    if (r2.value < best.value) best = { u: r2.x.map(sigmoid), value: r2.value };
  }
  const values = valuesOf(best.u);
  const annual = expectedRun(scenario, values);

  const rows: FitRow[] = all.years.map((year, k) => {
    const a = annual[year - firstYearOfRun];
    return {
      year,
      inSample: year >= options.firstYear && year <= options.lastYear,
      totalObserved: all.total[k],
      totalModel: a.deaths.total,
      totalError: a.deaths.total / all.total[k] - 1,
      syntheticObserved: all.synthetic[k],
      syntheticModel: a.deaths.syntheticOpioids,
      syntheticError: a.deaths.syntheticOpioids / all.synthetic[k] - 1,
    };
  });
  const cumulative = cumulativeOf(rows);
  const withinBounds = meetsBounds(rows);

  // Posterior sample around the optimum: random-walk Metropolis on the unit cube (adaptive step)
  // over the free parameters AND every other uncertain parameter that shapes the history, with
  // uniform priors on their declared ranges, so that ensembles drawing whole sets stay consistent
  // with the deaths they were fitted to.
  const postIds = posteriorParameters(scenario);
  const postBounds: Bound[] = postIds.map((id) => {
    const [lo, hi] = scenario.parameters[id].range!;
    return { lo, hi, log: lo > 0 && hi / lo >= 10 };
  });
  const postValues = (u: number[]) =>
    Object.fromEntries(postIds.map((id, i) => [id, fromUnit(postBounds[i], u[i])]));
  const iterations = options.mcmcIterations ?? DEFAULTS.mcmcIterations;
  const keep = options.keep ?? DEFAULTS.keep;
  let cur = postIds.map((id, i) =>
    Math.min(
      0.999,
      Math.max(0.001, toUnit(postBounds[i], id in values ? values[id] : scenario.parameters[id].value)),
    ),
  );
  let curLoss = lossOf(postValues(cur));
  let stepSize = 0.02;
  let accepts = 0;
  let windowAccepts = 0;
  const post: number[][] = [];
  let inBounds = 0;
  let checked = 0;
  const thin = Math.max(1, Math.floor((iterations - DEFAULTS.burnIn) / (4 * keep)));
  for (let it = 0; it < iterations; it++) {
    const prop = cur.map((u) => u + stepSize * normal(rng));
    let ok = prop.every((u) => u > 0 && u < 1);
    if (ok) {
      const l = lossOf(postValues(prop));
      const logRatio = -0.5 * (l - curLoss);
      if (Math.log(rng.next()) < logRatio) {
        cur = prop;
        curLoss = l;
        accepts++;
        windowAccepts++;
      } else ok = false;
    }
    if (it < DEFAULTS.burnIn && it % 200 === 199) {
      const rate = windowAccepts / 200;
      stepSize *= rate > 0.3 ? 1.3 : rate < 0.15 ? 0.7 : 1;
      windowAccepts = 0;
    }
    if (it >= DEFAULTS.burnIn && (it - DEFAULTS.burnIn) % thin === 0 && checked < keep * 4) {
      checked++;
      const vals = postValues(cur);
      const r = expectedRun(scenario, vals);
      const rr = all.years.map((year, k) => ({
        year,
        inSample: true,
        totalObserved: all.total[k],
        totalModel: r[year - firstYearOfRun].deaths.total,
        totalError: r[year - firstYearOfRun].deaths.total / all.total[k] - 1,
        syntheticObserved: 0,
        syntheticModel: 0,
        syntheticError: 0,
      }));
      if (meetsBounds(rr.filter((x) => x.year >= options.firstYear && x.year <= options.lastYear))) {
        inBounds++;
        if (post.length < keep) post.push(postIds.map((id) => vals[id]));
      }
    }
  }
  const groups: CalibrationResult['groups'] = [];
  for (const group of groupNames) {
    for (const r of targets.groups[group]) {
      const a = annual[r.year - firstYearOfRun];
      groups.push({ group, year: r.year, observed: r.value, model: a.deaths[group] });
    }
  }
  return {
    fitYears: [options.firstYear, options.lastYear],
    free,
    values,
    loss: best.value,
    evaluations,
    rows,
    cumulative,
    withinBounds,
    accepted: {
      parameters: postIds,
      sets: post,
      proposals: iterations,
      acceptanceRate: accepts / iterations,
      withinBoundsShare: checked > 0 ? inBounds / checked : 0,
    },
    groups,
  };
}

function cumulativeOf(rows: FitRow[]) {
  const inRows = rows.filter((r) => r.inSample);
  const obs = inRows.reduce((a, r) => a + r.totalObserved, 0);
  const mod = inRows.reduce((a, r) => a + r.totalModel, 0);
  return {
    observed: obs,
    model: mod,
    error: mod / obs - 1,
    years: [inRows[0].year, inRows[inRows.length - 1].year] as [number, number],
  };
}

/** Each in-sample annual total within ±10% and the cumulative total within ±5%. */
export function meetsBounds(rows: FitRow[]): boolean {
  const inRows = rows.filter((r) => r.inSample);
  if (inRows.some((r) => Math.abs(r.totalError) > DEFAULTS.annualBound)) return false;
  return Math.abs(cumulativeOf(inRows).error) <= DEFAULTS.cumulativeBound;
}
