/**
 * Running a sensitivity analysis: the design's model evaluations (sensitivity-chunk.ts) through any
 * executor, placed by row index, then the estimators of src/analysis. See sensitivity-chunk.ts for
 * what the inputs and the outcome are.
 */

import { type MorrisIndex, morrisIndices } from '../analysis/morris-indices.js';
import { type SobolIndex, sobolIndices } from '../analysis/sobol-indices.js';
import { hashValue } from '../core/hash.js';
import { MODEL_VERSION, PACKAGE_VERSION } from '../version.js';
import { ENSEMBLE_DEFAULTS } from './ensemble.js';
import { type Executor, InProcessExecutor } from './executor.js';
import {
  inputNames,
  SENSITIVITY_DEFAULTS,
  type SensitivityChunkInput,
  type SensitivityContext,
  type SensitivityJob,
  type SensitivityMethod,
  setupSensitivity,
} from './sensitivity-chunk.js';

const MODULE = 'experiment/sensitivity';

/** How to run. */
export interface RunSensitivityOptions {
  executor?: Executor;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  chunkSize?: number;
  /** Bootstrap resamples (default 100, as SALib) and confidence level (0.95). */
  resamples?: number;
  confidence?: number;
}

/** Provenance and the indices, in SALib's names. */
export interface SensitivityResult {
  method: SensitivityMethod;
  n: number;
  outcome: string;
  indices: ({ input: string } & (SobolIndex | MorrisIndex))[];
  runs: number;
  /** The outcome's mean and variance over the design (Sobol: over A and B). */
  outputMean: number;
  outputVariance: number | null;
  /** The outcome at every design row (not part of the JSON output). */
  outputs: Float64Array;
  manifest: {
    packageVersion: string;
    modelVersion: string;
    scenario: { name: string; hash: string };
    policy: { name: string; hash: string } | null;
    quantity: string;
    seed: number;
    stochastic: boolean;
    design: string;
    confidence: string;
    inputs: number;
    notes: string[];
  };
}

/** Run the design's model evaluations through an executor and analyse them. */
export async function runSensitivity(
  job: SensitivityJob,
  options: RunSensitivityOptions = {},
): Promise<SensitivityResult> {
  const ctx = setupSensitivity(job);
  const executor = options.executor ?? new InProcessExecutor();
  const size =
    options.chunkSize ??
    Math.min(
      ENSEMBLE_DEFAULTS.maxChunk,
      Math.max(
        ENSEMBLE_DEFAULTS.minChunk,
        Math.ceil(ctx.rows / (executor.concurrency * ENSEMBLE_DEFAULTS.chunksPerThread)),
      ),
    );
  const inputs: SensitivityChunkInput[] = [];
  for (let s = 0; s < ctx.rows; s += size) inputs.push({ start: s, end: Math.min(ctx.rows, s + size) });
  const y = new Float64Array(ctx.rows);
  const filled = new Uint8Array(inputs.length);
  let done = 0;
  options.onProgress?.(0, ctx.rows);
  await executor.map('sensitivity-chunk', job, inputs, {
    signal: options.signal,
    retain: false,
    onResult: (index, r) => {
      if (r.values.length !== r.end - r.start || r.start !== inputs[index].start) {
        throw new Error(`${MODULE}: chunk ${index} returned rows ${r.start}..${r.end}`);
      }
      y.set(r.values, r.start);
      filled[index] = 1;
      done += r.end - r.start;
      options.onProgress?.(done, ctx.rows);
    },
  });
  if (filled.some((f) => f === 0)) throw new Error(`${MODULE}: some chunks returned no result`);
  return analyse(ctx, y, options);
}

/** The indices from the outputs at every design row (exported for tests and other executors). */
export function analyse(
  ctx: SensitivityContext,
  y: Float64Array,
  options: { resamples?: number; confidence?: number } = {},
): SensitivityResult {
  const { job, space, dimensions: D } = ctx;
  const names = inputNames(space);
  const boot = { resamples: options.resamples, confidence: options.confidence, seed: job.seed };
  let indices: SensitivityResult['indices'];
  let outputMean: number;
  let outputVariance: number | null = null;
  if (job.method === 'sobol') {
    const r = sobolIndices(y, D, boot);
    indices = r.indices.map((ix, i) => ({ input: names[i], ...ix }));
    outputMean = r.mean;
    outputVariance = r.variance;
  } else {
    const r = morrisIndices(ctx.design, y, D, boot);
    indices = r.indices.map((ix, i) => ({ input: names[i], ...ix }));
    outputMean = y.reduce((a, b) => a + b, 0) / y.length;
  }
  const notes = [...space.notes];
  if (space.joint) {
    notes.push(
      `${SENSITIVITY_DEFAULTS.jointInput}: one input standing for the ${space.joint.ids.length} history-shaping parameters drawn jointly from ${space.joint.sets.length} accepted calibration sets`,
    );
  }
  const confidence = options.confidence ?? 0.95;
  return {
    method: job.method,
    n: job.n,
    outcome: ctx.outcomeName,
    indices,
    runs: ctx.rows * (job.policy ? 2 : 1),
    outputs: y,
    outputMean,
    outputVariance,
    manifest: {
      packageVersion: PACKAGE_VERSION,
      modelVersion: MODEL_VERSION,
      scenario: { name: job.scenario.name, hash: hashValue(job.scenario) },
      policy: job.policy ? { name: job.policy.name, hash: hashValue(job.policy) } : null,
      quantity: job.policy
        ? `${ctx.outcomeName}: no new policy - ${job.policy.name} (paired: same parameters and random numbers)`
        : `${ctx.outcomeName} under no new policy`,
      seed: job.seed,
      stochastic: job.stochastic,
      design:
        job.method === 'sobol'
          ? `Saltelli 2010 cross-sampling on a Sobol sequence (Joe-Kuo directions, digital shift by seed): N (D + 2) = ${ctx.rows} points`
          : `Morris 1991 trajectories${job.candidates ? ` (the ${job.n} most spread of ${job.candidates} candidates, Campolongo 2007)` : ''}, ${job.levels} levels, Delta = ${(job.levels / (2 * (job.levels - 1))).toFixed(4)}: r (D + 1) = ${ctx.rows} points`,
      confidence: `${confidence * 100}% bootstrap over ${options.resamples ?? 100} resamples (z x SD, as SALib)`,
      inputs: D,
      notes,
    },
  };
}
