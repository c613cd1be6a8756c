/**
 * Global sensitivity of one model outcome to the declared uncertainties: Sobol indices on a Saltelli
 * design or Morris elementary effects on trajectories (the pure methods are in src/analysis). The
 * inputs are the dimensions of the ensemble's parameter space (experiment/sampling.ts): every ranged
 * parameter, plus the calibration's accepted sets as one joint input (a draw picks a whole set, so the
 * history stays consistent; its index measures the history-shaping parameters together). A design
 * point is mapped to parameter values exactly as an ensemble replicate is (`valuesAt`).
 *
 * The outcome is any cell the ensemble layout names: a summary outcome (`deaths.total:sum:2026-2035`),
 * an annual leaf in a year (`deaths.total:2030`), or a leaf with a summary (`deaths.total`, its
 * summary). With a policy it is the paired reduction (no new policy - policy, e.g. deaths averted),
 * both arms on the same parameters and random numbers (forked at the policy start, `runPaired`).
 *
 * Runs use expected values (no process noise) by default, so the outcome is a function of the inputs
 * alone, as the estimators assume; with `stochastic`, every point uses the same random streams
 * (common random numbers). Rows are evaluated in chunks by any executor and placed by index, so the
 * indices do not depend on the executor or its thread count.
 */

import {
  DEFAULTS as MORRIS,
  morrisRows,
  morrisSample,
  morrisSampleSpread,
} from '../analysis/morris-sample.js';
import { saltelliRows, saltelliSample } from '../analysis/saltelli-sample.js';
import { fail } from '../core/errors.js';
import { releaseRun, runModel, runPaired } from '../engine/run.js';
import { noPolicy } from '../scenario/resolve.js';
import type { Policy, Scenario } from '../spec/scenario.js';
import { cellName, windowStartYear } from './chunk.js';
import { makeFlattener, type OutcomeLayout, outcomeLayout } from './outcomes.js';
import { type AcceptedSets, type ParameterSpace, parameterSpace, valuesAt } from './sampling.js';

const MODULE = 'experiment/sensitivity';

/** Settings. */
export const SENSITIVITY_DEFAULTS = {
  /** Saltelli's base sample N (N (D + 2) runs) and Morris's trajectories r (r (D + 1) runs). */
  n: { sobol: 64, morris: 20 },
  seed: 1,
  outcome: 'deaths.total',
  /** Most model runs one analysis may ask for. */
  maxRuns: 2_000_000,
  /** Name of the joint input (the calibration's accepted sets). */
  jointInput: 'calibration:accepted-set',
} as const;

/** Methods. */
export type SensitivityMethod = 'sobol' | 'morris';
export const SENSITIVITY_METHODS: readonly SensitivityMethod[] = ['sobol', 'morris'];

/** What to analyse; plain data, so it crosses to workers (and later to other machines). */
export interface SensitivityJob {
  method: SensitivityMethod;
  /** Saltelli's base sample N, or Morris's trajectory count r. */
  n: number;
  seed: number;
  /** Morris grid levels. */
  levels: number;
  scenario: Scenario;
  /** null: the outcome under no new policy; a policy: the reduction no new policy - policy. */
  policy: Policy | null;
  accepted: AcceptedSets | null;
  outcome: string;
  stochastic: boolean;
  /** Morris: pick the r trajectories from this many candidates for spread (Campolongo 2007); none: r random ones. */
  candidates?: number | null;
}

/** Rows [start, end) of the design. */
export interface SensitivityChunkInput {
  start: number;
  end: number;
}

/** The outcome at those rows. */
export interface SensitivityChunkResult {
  start: number;
  end: number;
  values: Float64Array;
}

/** Per-job state (built once per worker). */
export interface SensitivityContext {
  job: SensitivityJob;
  layout: OutcomeLayout;
  flatten: ReturnType<typeof makeFlattener>;
  space: ParameterSpace;
  /** The design, row-major, `dimensions` columns. */
  design: Float64Array;
  dimensions: number;
  rows: number;
  cell: number;
  outcomeName: string;
}

/** Names of the inputs, in design column order. */
export function inputNames(space: ParameterSpace): string[] {
  return [...(space.joint ? [SENSITIVITY_DEFAULTS.jointInput] : []), ...space.ranged.map((p) => p.id)];
}

/** The cell an outcome name selects, and its canonical name. */
export function outcomeCell(layout: OutcomeLayout, name: string): { cell: number; name: string } {
  const names: string[] = [];
  for (let c = 0; c < layout.cells; c++) names.push(cellName(layout, c));
  // A summary id as is; `leaf:year` as the annual cell `leaf year`; a bare leaf as its summary.
  let wanted = name;
  const m = /^(.+):(\d{4})$/.exec(name);
  if (m) wanted = `${m[1]} ${m[2]}`;
  else if (!name.includes(':')) {
    const s = layout.summaries.find((x) => x.outcome === name);
    if (s) wanted = s.id;
  }
  const cell = names.indexOf(wanted);
  if (cell < 0) {
    const examples = [
      ...layout.summaries.slice(0, 6).map((s) => s.id),
      `${layout.annualLeaves[0]}:${layout.years[layout.years.length - 1]}`,
    ];
    fail(
      MODULE,
      '--outcome',
      name,
      `a summary outcome, LEAF:YEAR or a leaf with a summary, e.g. ${examples.join(', ')}; summaries: ${layout.summaries.map((s) => s.id).join(', ')}`,
    );
  }
  return { cell, name: m ? name : wanted };
}

/** Validate a job. */
export function checkSensitivityJob(job: SensitivityJob): void {
  if (!SENSITIVITY_METHODS.includes(job.method)) {
    fail(MODULE, '--method', job.method, `one of ${SENSITIVITY_METHODS.join(', ')}`);
  }
  if (!Number.isSafeInteger(job.seed) || job.seed < 0) fail(MODULE, '--seed', job.seed, 'an integer >= 0');
  if (!Number.isSafeInteger(job.n) || job.n < 2) fail(MODULE, '-n', job.n, 'an integer >= 2');
}

/** Build the design and find the outcome (once per worker, and once in the caller). */
export function setupSensitivity(job: SensitivityJob): SensitivityContext {
  checkSensitivityJob(job);
  const space = parameterSpace(job.scenario, job.accepted);
  // The outcome layout from a deterministic probe run, as ensembles build it.
  const probe = runModel({ scenario: job.scenario, policy: noPolicy(), seed: job.seed, stochastic: false });
  const layout = outcomeLayout(probe, windowStartYear(job.scenario));
  const D = space.dimensions;
  if (D < 1) fail(MODULE, 'scenario.parameters', 0, 'at least one parameter with a range');
  const rows = job.method === 'sobol' ? saltelliRows(job.n, D) : morrisRows(job.n, D);
  if (rows > SENSITIVITY_DEFAULTS.maxRuns) {
    fail(
      MODULE,
      '-n',
      job.n,
      `at most ${SENSITIVITY_DEFAULTS.maxRuns.toLocaleString('en-US')} design points (${job.method}: ${rows.toLocaleString('en-US')} for ${D} inputs)`,
    );
  }
  const design =
    job.method === 'sobol'
      ? saltelliSample(job.n, D, { seed: job.seed })
      : job.candidates
        ? morrisSampleSpread(job.n, D, job.candidates, { seed: job.seed, levels: job.levels })
        : morrisSample(job.n, D, { seed: job.seed, levels: job.levels });
  const { cell, name } = outcomeCell(layout, job.outcome);
  return {
    job,
    layout,
    flatten: makeFlattener(layout),
    space,
    design,
    dimensions: D,
    rows,
    cell,
    outcomeName: name,
  };
}

/** Evaluate the outcome at design rows [start, end). */
export function runSensitivityChunk(
  ctx: SensitivityContext,
  input: SensitivityChunkInput,
): SensitivityChunkResult {
  const { job, layout, flatten, space, design, dimensions: D, rows, cell } = ctx;
  const { start, end } = input;
  if (
    !(Number.isSafeInteger(start) && Number.isSafeInteger(end) && 0 <= start && start < end && end <= rows)
  ) {
    fail(MODULE, 'chunk', `${start}..${end}`, `a non-empty range within [0, ${rows})`);
  }
  const values = new Float64Array(end - start);
  const v0 = new Float64Array(layout.cells);
  const v1 = new Float64Array(layout.cells);
  const none = noPolicy();
  for (let r = start; r < end; r++) {
    const parameters = valuesAt(space, design.subarray(r * D, (r + 1) * D));
    // Every point on the same random streams (replicate 0): common random numbers when stochastic.
    const base = {
      scenario: job.scenario,
      seed: job.seed,
      replicate: 0,
      parameters,
      stochastic: job.stochastic,
    };
    let x: number;
    if (job.policy) {
      const [a, b] = runPaired({ ...base, policy: none }, { ...base, policy: job.policy });
      flatten(a, v0);
      flatten(b, v1);
      releaseRun(a);
      releaseRun(b);
      x = v0[cell] - v1[cell];
    } else {
      const a = runModel({ ...base, policy: none });
      flatten(a, v0);
      releaseRun(a);
      x = v0[cell];
    }
    if (!Number.isFinite(x)) fail(MODULE, `design row ${r}, ${ctx.outcomeName}`, x, 'a finite outcome');
    values[r - start] = x;
  }
  return { start, end, values };
}

/** Default Morris levels. */
export const DEFAULT_LEVELS = MORRIS.levels;
