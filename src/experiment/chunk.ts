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

import { normal } from '../core/distributions.js';
import { fail } from '../core/errors.js';
import { releaseRun, runModel, runPaired } from '../engine/run.js';
import { noPolicy, summaryStartYear } from '../scenario/resolve.js';
import type { Policy, Scenario } from '../spec/scenario.js';
import { makeFlattener, type OutcomeLayout, outcomeLayout } from './outcomes.js';
import {
  type AcceptedSets,
  type Design,
  jointIndex,
  observationStream,
  parameterSpace,
  Sampler,
  valuesAt,
} from './sampling.js';

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
  /** Also return observable values of one annual outcome (absent or null: none). */
  observation?: ObservationJob | null;
}

/**
 * Observation and structural error on one annual outcome of one arm, for the years given: each
 * replicate's value times exp(sigma e), e ~ Normal(0, 1) independently per year, sigma the error
 * sigma of the accepted set the replicate drew (`sigmas[k]` for row k of the accepted sets), e from
 * the replicate's own observation stream (`observationStream`), so no model output changes.
 */
export interface ObservationJob {
  arm: number;
  /** Annual leaf, e.g. `deaths.total`. */
  leaf: string;
  years: number[];
  /** One sigma per accepted set, in the accepted sets' row order. */
  sigmas: number[];
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
  /**
   * With `job.observation`: observable values, series-major like `values` (year j of the context's
   * `observation.years` holds replicates start..end-1 at [j * (end - start), (j + 1) * (end - start))).
   */
  observable?: Float64Array;
}

/** Per-job state built once per worker (or once in-process). */
export interface ChunkContext {
  job: EnsembleJob;
  sampler: Sampler;
  layout: OutcomeLayout;
  /** Ids of the parameters drawn per replicate, in row order. */
  drawnIds: string[];
  flatten: ReturnType<typeof makeFlattener>;
  /** With `job.observation`: the years it covers (those in the layout) and their cells. */
  observation: { years: number[]; cells: number[] } | null;
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
  let observation: ChunkContext['observation'] = null;
  const o = job.observation;
  if (o) {
    const leaf = layout.annualLeaves.indexOf(o.leaf);
    if (leaf < 0) fail('experiment/chunk', 'observation.leaf', o.leaf, 'an annual outcome');
    if (!(o.arm >= 0 && o.arm < job.arms.length))
      fail('experiment/chunk', 'observation.arm', o.arm, 'an arm');
    if (!space.joint || space.joint.sets.length !== o.sigmas.length)
      fail('experiment/chunk', 'observation.sigmas', o.sigmas.length, 'one sigma per accepted set');
    const years = o.years.filter((y) => layout.years.includes(y));
    const nA = layout.annualLeaves.length;
    observation = { years, cells: years.map((y) => layout.years.indexOf(y) * nA + leaf) };
  }
  return { job, sampler, layout, drawnIds, flatten: makeFlattener(layout), observation };
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
  const obs = ctx.observation;
  const observable = obs ? new Float64Array(obs.years.length * len) : undefined;

  for (let r = start; r < end; r++) {
    const u = sampler.uniforms(r);
    const draw = valuesAt(sampler.space, u);
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
    if (obs && observable && job.observation) {
      const sigma = job.observation.sigmas[jointIndex(sampler.space, u[0])];
      const v = values[job.observation.arm];
      const g = observationStream(job.seed, r);
      for (let j = 0; j < obs.cells.length; j++)
        observable[j * len + (r - start)] = v[obs.cells[j]] * Math.exp(sigma * normal(g));
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
  return observable
    ? { start, end, values: out, less, greater, rows, observable }
    : { start, end, values: out, less, greater, rows };
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
