/**
 * One chunk of an ensemble: replicates [start, end) of a job, each drawn from the uncertainty space
 * and run once per arm on common random numbers (same seed, same replicate index, same parameter
 * draw), flattened into one value per cell. This is the only place ensemble runs happen: the
 * in-process executor calls it directly and each worker thread calls the same function, so threads
 * cannot change results. A chunk returns its raw cell values in one Float64Array (transferred, not
 * copied, from a worker) plus integer counts; the caller adds them to its quantile sketches, whose
 * state depends only on the multiset of values, so chunks merge exactly in any grouping. Raw values
 * cost the worker nothing beyond the runs and keep the main thread's share small: no per-chunk
 * sketches to build, serialise, clone, validate and merge (about 1,500 per arm per chunk).
 */

import { fail } from '../core/errors.js';
import { releaseRun, runModel, runPaired } from '../engine/run.js';
import { noPolicy, summaryStartYear } from '../scenario/resolve.js';
import type { Policy, Scenario } from '../spec/scenario.js';
import { makeFlattener, type OutcomeLayout, outcomeLayout } from './outcomes.js';
import { type AcceptedSets, type Design, parameterSpace, Sampler } from './sampling.js';

/** One arm of an ensemble: a named policy. */
export interface Arm {
  name: string;
  policy: Policy;
}

/** Everything a chunk needs; plain data, so it crosses to worker threads by structured clone. */
export interface EnsembleJob {
  scenario: Scenario;
  /** One arm, or two for a paired comparison (difference = arms[0] - arms[1]). */
  arms: Arm[];
  paired: boolean;
  n: number;
  seed: number;
  design: Design;
  accepted: AcceptedSets | null;
  monthly: boolean;
  stochastic: boolean;
  alpha: number;
  /** Also return per-replicate parameter draws and summary outcomes. */
  replicateRows: boolean;
}

/** Replicates [start, end). */
export interface ChunkInput {
  start: number;
  end: number;
}

/** What a chunk returns. */
export interface ChunkResult {
  start: number;
  end: number;
  /**
   * Finite values, series-major: series s (arm 0's cells, arm 1's cells, ..., then the paired
   * difference's cells) holds replicates start..end-1 at [s * (end - start), (s + 1) * (end - start)).
   */
  values: Float64Array;
  /** Paired only: per cell, replicates with arm 0 < arm 1 and with arm 0 > arm 1. */
  less: Float64Array;
  greater: Float64Array;
  /** Per replicate: drawn parameters (in `drawnIds` order), then each arm's summary outcomes. */
  rows: Float64Array | null;
}

/** Per-job state built once per worker (or once in-process). */
export interface ChunkContext {
  job: EnsembleJob;
  sampler: Sampler;
  layout: OutcomeLayout;
  /** Ids of the parameters drawn per replicate, in row order. */
  drawnIds: string[];
  flatten: ReturnType<typeof makeFlattener>;
}

/**
 * The summary window's first year: the policy start's year, or the first year an arm's policy acts
 * when that is earlier (a policy begun in 2019 is summarised from 2019).
 */
export function windowStartYear(scenario: Scenario, policies: readonly Policy[] = []): number {
  return summaryStartYear(scenario, policies);
}

/** Build the per-job context (sampler, outcome layout from a deterministic probe run). */
export function setupChunk(job: EnsembleJob): ChunkContext {
  const space = parameterSpace(job.scenario, job.accepted);
  const sampler = new Sampler(space, job.design, job.seed, job.n);
  const probe = runModel({
    scenario: job.scenario,
    policy: noPolicy(),
    seed: job.seed,
    stochastic: false,
    monthly: job.monthly,
  });
  const layout = outcomeLayout(
    probe,
    windowStartYear(
      job.scenario,
      job.arms.map((a) => a.policy),
    ),
  );
  const drawnIds = [...(space.joint?.ids ?? []), ...space.ranged.map((p) => p.id)];
  return { job, sampler, layout, drawnIds, flatten: makeFlattener(layout) };
}

/** Run replicates [start, end) of the job and return their cell values and counts. */
export function runChunk(ctx: ChunkContext, input: ChunkInput): ChunkResult {
  const { job, sampler, layout, drawnIds, flatten } = ctx;
  const { start, end } = input;
  if (
    !(Number.isSafeInteger(start) && Number.isSafeInteger(end) && 0 <= start && start < end && end <= job.n)
  ) {
    fail('experiment/chunk', 'chunk', `${start}..${end}`, `a non-empty range within [0, ${job.n})`);
  }
  const cells = layout.cells;
  const armCount = job.arms.length;
  const paired = job.paired && armCount === 2;
  const seriesCount = armCount * cells + (paired ? cells : 0);
  const len = end - start;
  const out = new Float64Array(seriesCount * len);
  const less = new Float64Array(paired ? cells : 0);
  const greater = new Float64Array(paired ? cells : 0);
  const values = job.arms.map(() => new Float64Array(cells));
  const nSummary = layout.summaries.length;
  const summaryBase = cells - nSummary;
  const rowWidth = drawnIds.length + armCount * nSummary;
  const rows = job.replicateRows ? new Float64Array((end - start) * rowWidth) : null;

  for (let r = start; r < end; r++) {
    const draw = sampler.draw(r);
    const inputs = job.arms.map((arm) => ({
      scenario: job.scenario,
      policy: arm.policy,
      seed: job.seed,
      replicate: r,
      parameters: draw,
      monthly: job.monthly,
      stochastic: job.stochastic,
    }));
    // Two arms share the months before their policies differ: computed once (runPaired).
    const runs = armCount === 2 ? runPaired(inputs[0], inputs[1]) : [runModel(inputs[0])];
    for (let a = 0; a < armCount; a++) {
      const run = runs[a];
      const v = values[a];
      flatten(run, v);
      let k = a * cells * len + (r - start);
      for (let c = 0; c < cells; c++, k += len) {
        const x = v[c];
        if (!Number.isFinite(x)) nonFinite(layout, c, x, r, job.arms[a].name);
        out[k] = x;
      }
    }
    if (paired) {
      const v0 = values[0];
      const v1 = values[1];
      let k = armCount * cells * len + (r - start);
      for (let c = 0; c < cells; c++, k += len) {
        const d = v0[c] - v1[c];
        if (!Number.isFinite(d)) nonFinite(layout, c, d, r, 'difference');
        out[k] = d;
        if (v0[c] < v1[c]) less[c]++;
        else if (v0[c] > v1[c]) greater[c]++;
      }
    }
    // Every outcome is in `values` now: the runs' buffers go back to the pool for the next replicate.
    for (const run of runs) releaseRun(run);
    if (rows) {
      let k = (r - start) * rowWidth;
      for (const id of drawnIds) rows[k++] = draw[id];
      for (let a = 0; a < armCount; a++)
        for (let s = 0; s < nSummary; s++) rows[k++] = values[a][summaryBase + s];
    }
  }
  return { start, end, values: out, less, greater, rows };
}

function nonFinite(layout: OutcomeLayout, cell: number, x: number, replicate: number, arm: string): never {
  return fail(
    'experiment/chunk',
    `replicate ${replicate}, arm ${arm}, ${cellName(layout, cell)}`,
    x,
    'a finite outcome',
  );
}

/** A human name for a cell (for errors and listings). */
export function cellName(layout: OutcomeLayout, cell: number): string {
  const nA = layout.annualLeaves.length;
  const nM = layout.monthlyLeaves.length;
  const annualCells = layout.years.length * nA;
  if (cell < annualCells) return `${layout.annualLeaves[cell % nA]} ${layout.years[Math.floor(cell / nA)]}`;
  const m = cell - annualCells;
  if (m < layout.months.length * nM)
    return `${layout.monthlyLeaves[m % nM]} ${layout.months[Math.floor(m / nM)]}`;
  return layout.summaries[m - layout.months.length * nM].id;
}
