/**
 * Ensembles: N replicates of one or two arms over the declared uncertainties, accumulated into
 * quantile sketches (memory independent of N) and merged in chunk order, so results are the same
 * whatever the executor or its thread count. With two arms the replicates are paired (common random
 * numbers) and the difference arms[0] - arms[1] gets its own bands and P(arms[0] beats arms[1]).
 */

import { QuantileSketch, DEFAULTS as SKETCH } from '../analysis/quantile-sketch.js';
import { fail } from '../core/errors.js';
import { hashValue } from '../core/hash.js';
import { alignPolicyStart } from '../scenario/resolve.js';
import type { Scenario } from '../spec/scenario.js';
import { MODEL_VERSION, PACKAGE_VERSION } from '../version.js';
import {
  type Arm,
  type ChunkInput,
  type ChunkResult,
  type EnsembleJob,
  type ObservationJob,
  setupChunk,
} from './chunk.js';
import { type Executor, InProcessExecutor } from './executor.js';
import { type OutcomeLayout, outcomeInfo } from './outcomes.js';
import { type AcceptedSets, DESIGNS, type Design } from './sampling.js';

const MODULE = 'experiment/ensemble';
/** The sketches' exact capacity as text ("1,024"). */
const EXACT_CAP = SKETCH.exactCap.toLocaleString('en-US');

/** Ensemble settings. */
export const ENSEMBLE_DEFAULTS = {
  /** Quantiles of the bands. */
  quantiles: [0.05, 0.25, 0.5, 0.75, 0.95],
  /** Largest N accepted: 10^6 replicates (two arms: 2 million runs, about an hour on 2 cores). */
  maxReplicates: 1_000_000,
  seed: 1,
  design: 'monte-carlo' as Design,
  /** Relative accuracy of band values beyond the sketch's exact capacity (1,024 replicates): 0.5 %. */
  alpha: SKETCH.alpha,
  /**
   * Chunks per thread (load balance) and chunk size bounds (per-message cost vs the memory of the
   * chunks in flight: a chunk carries replicates x cells values, ~9 MB at 250 paired replicates of
   * ~1,500 cells); none changes results.
   */
  chunksPerThread: 8,
  minChunk: 16,
  maxChunk: 250,
} as const;

/** What to run. */
export interface EnsembleSpec {
  scenario: Scenario;
  /** One arm, or two for a paired comparison. */
  arms: Arm[];
  /** Compare arms[0] with arms[1] on common random numbers (default: true when there are two arms). */
  paired?: boolean;
  n: number;
  seed?: number;
  design?: Design;
  /** Accepted calibration sets (null: calibrated parameters held at their declared values). */
  accepted?: AcceptedSets | null;
  /** Where the accepted sets came from (for the manifest). */
  acceptedSource?: string;
  /** SHA-256 of the accepted-sets file, recorded in the manifest beside its name. */
  acceptedHash?: string | null;
  monthly?: boolean;
  /** Draw process noise in each run (default true). */
  stochastic?: boolean;
  quantiles?: readonly number[];
  alpha?: number;
  /** Collect per-replicate rows (parameter draws and summary outcomes) for `onReplicates`. */
  replicateRows?: boolean;
  /** Also band one annual outcome with observation error (see `ObservationJob`); changes no other output. */
  observation?: ObservationJob | null;
}

/** Statistics of one cell over the N replicates. */
export interface CellStats {
  /** Exact mean. */
  mean: number;
  /** Median (within alpha relative error). */
  median: number;
  /** Exact minimum and maximum. */
  min: number;
  max: number;
  /** Band values at `quantiles`, each within alpha relative error of the exact quantile. */
  q: number[];
}

/** Provenance of an ensemble. */
export interface EnsembleManifest {
  kind: 'ensemble' | 'paired';
  packageVersion: string;
  modelVersion: string;
  scenario: { name: string; hash: string };
  arms: { name: string; policy: string; hash: string }[];
  seed: number;
  n: number;
  design: Design;
  stochastic: boolean;
  quantiles: number[];
  bands: { method: string; alpha: number; meaning: string };
  parameters: {
    drawn: number;
    defaultDistribution: string;
    calibrated: { source: string; sha256: string | null; sets: number; drawn: string[] } | null;
    heldAtDeclared: string[];
    notes: string[];
  };
  streams: string;
}

/** An ensemble's result. */
export interface EnsembleResult {
  manifest: EnsembleManifest;
  layout: OutcomeLayout;
  quantiles: number[];
  arms: { name: string; stats: CellStats[] }[];
  /** Paired only: arms[0] - arms[1] per replicate. */
  difference: {
    of: [string, string];
    stats: CellStats[];
    /** P(arms[0] beats arms[1]) per cell by the outcome's direction (ties count half); null for info outcomes. */
    pBeats: (number | null)[];
  } | null;
  /** The merged sketches (arm cells, then difference cells) for further queries. */
  sketches: QuantileSketch[];
  /** Column names of per-replicate rows. */
  replicateColumns: string[];
  /** With `spec.observation`: the observable values' sketches, one per year. */
  observable?: { arm: number; leaf: string; years: number[]; sketches: QuantileSketch[] } | null;
}

/** A block of per-replicate rows, delivered in replicate order. */
export interface ReplicateBlock {
  start: number;
  end: number;
  columns: string[];
  /** Row-major, `columns.length` values per replicate. */
  rows: Float64Array;
}

/** How to run. */
export interface RunEnsembleOptions {
  /** Default: in-process. The caller owns (and closes) the executor. */
  executor?: Executor;
  signal?: AbortSignal;
  /** Replicates finished so far, of n. */
  onProgress?: (done: number, total: number) => void;
  onReplicates?: (block: ReplicateBlock) => void;
  /** Replicates per chunk (does not change results). */
  chunkSize?: number;
}

/** Check a replicate count; `flag` names the option in the error. */
export function checkReplicates(n: number, flag = 'n'): number {
  if (!Number.isSafeInteger(n) || n < 1 || n > ENSEMBLE_DEFAULTS.maxReplicates) {
    fail(
      MODULE,
      flag,
      n,
      `an integer from 1 to ${ENSEMBLE_DEFAULTS.maxReplicates.toLocaleString('en-US')} (replicates)`,
    );
  }
  return n;
}

/** Check a seed. */
export function checkSeed(seed: number, flag = 'seed'): number {
  if (!Number.isSafeInteger(seed) || seed < 0) fail(MODULE, flag, seed, 'an integer >= 0');
  return seed;
}

const QUANTILES_EXPECTED = 'up to 20 distinct quantiles strictly between 0 and 1 (e.g. 0.05,0.5,0.95)';

/** Check band quantiles: distinct, strictly between 0 and 1, at most 20; returns them sorted. */
export function checkQuantiles(
  qs: readonly number[],
  flag = 'quantiles',
  expected = QUANTILES_EXPECTED,
): number[] {
  if (
    qs.length === 0 ||
    qs.length > 20 ||
    qs.some((q) => !(q > 0 && q < 1)) ||
    new Set(qs).size !== qs.length
  ) {
    fail(MODULE, flag, qs.join(','), expected);
  }
  return [...qs].sort((a, b) => a - b);
}

/** Parse percentiles as written on a command line (`5,25,50,75,95`) into checked, sorted quantiles. */
export function parsePercentiles(raw: string, flag = 'quantiles'): number[] {
  const expected = 'up to 20 distinct percentiles strictly between 0 and 100, e.g. 5,25,50,75,95';
  const qs = raw
    .split(',')
    .map((p) => (/^\d+(\.\d+)?$/.test(p.trim()) ? Number(p.trim()) / 100 : Number.NaN));
  try {
    return checkQuantiles(qs, flag, expected);
  } catch {
    return fail(MODULE, flag, raw, expected);
  }
}

/** The job a spec describes, validated. */
export function ensembleJob(spec: EnsembleSpec): EnsembleJob {
  if (spec.arms.length < 1 || spec.arms.length > 2) fail(MODULE, 'arms', spec.arms.length, 'one or two arms');
  const design = spec.design ?? ENSEMBLE_DEFAULTS.design;
  if (!DESIGNS.includes(design)) fail(MODULE, 'design', design, `one of ${DESIGNS.join(', ')}`);
  return {
    // The hand-over month every arm shares (a policy may ask for it before its first action).
    scenario: alignPolicyStart(
      spec.scenario,
      spec.arms.map((a) => a.policy),
    ),
    arms: spec.arms,
    paired: spec.paired ?? spec.arms.length === 2,
    n: checkReplicates(spec.n),
    seed: checkSeed(spec.seed ?? ENSEMBLE_DEFAULTS.seed),
    design,
    accepted: spec.accepted ?? null,
    monthly: spec.monthly ?? false,
    stochastic: spec.stochastic ?? true,
    alpha: spec.alpha ?? ENSEMBLE_DEFAULTS.alpha,
    replicateRows: spec.replicateRows ?? false,
    ...(spec.observation ? { observation: spec.observation } : {}),
  };
}

/** Split [0, n) into chunks. */
export function chunks(n: number, size: number): ChunkInput[] {
  const out: ChunkInput[] = [];
  for (let s = 0; s < n; s += size) out.push({ start: s, end: Math.min(n, s + size) });
  return out;
}

/** Run an ensemble. */
export async function runEnsemble(
  spec: EnsembleSpec,
  options: RunEnsembleOptions = {},
): Promise<EnsembleResult> {
  const job = ensembleJob(spec);
  const quantiles = checkQuantiles(spec.quantiles ?? ENSEMBLE_DEFAULTS.quantiles);
  const executor = options.executor ?? new InProcessExecutor();
  const ctx = setupChunk(job);
  const { layout } = ctx;
  const cells = layout.cells;
  const armCount = job.arms.length;
  const paired = job.paired && armCount === 2;
  const replicateColumns = [
    ...ctx.drawnIds,
    ...job.arms.flatMap((a) => layout.summaries.map((s) => `${a.name}:${s.id}`)),
  ];

  const size =
    options.chunkSize ??
    Math.min(
      ENSEMBLE_DEFAULTS.maxChunk,
      Math.max(
        ENSEMBLE_DEFAULTS.minChunk,
        Math.ceil(job.n / (executor.concurrency * ENSEMBLE_DEFAULTS.chunksPerThread)),
      ),
    );
  const inputs = chunks(job.n, size);

  // Accumulators, merged in chunk order through a reorder buffer (out-of-order results wait).
  const merged: QuantileSketch[] = [];
  for (let i = 0; i < armCount * cells + (paired ? cells : 0); i++)
    merged.push(QuantileSketch.create(job.alpha));
  const obsYears = ctx.observation?.years ?? [];
  const observable = obsYears.map(() => QuantileSketch.create(job.alpha));
  const less = new Float64Array(paired ? cells : 0);
  const greater = new Float64Array(paired ? cells : 0);
  const waiting = new Map<number, ChunkResult>();
  let nextToMerge = 0;
  let done = 0;
  const mergeOne = (r: ChunkResult): void => {
    const len = r.end - r.start;
    if (r.values.length !== merged.length * len) {
      throw new Error(`${MODULE}: chunk ${r.start}..${r.end} returned ${r.values.length} values`);
    }
    for (let i = 0; i < merged.length; i++) merged[i].addMany(r.values.subarray(i * len, (i + 1) * len));
    if (observable.length) {
      if (r.observable?.length !== observable.length * len)
        throw new Error(`${MODULE}: chunk ${r.start}..${r.end} returned no observable values`);
      for (let j = 0; j < observable.length; j++)
        observable[j].addMany(r.observable.subarray(j * len, (j + 1) * len));
    }
    for (let c = 0; c < less.length; c++) {
      less[c] += r.less[c];
      greater[c] += r.greater[c];
    }
    if (r.rows && options.onReplicates) {
      options.onReplicates({ start: r.start, end: r.end, columns: replicateColumns, rows: r.rows });
    }
  };
  options.onProgress?.(0, job.n);
  // Results are consumed here as they arrive, so the executor need not keep them (memory would grow with N).
  await executor.map('ensemble-chunk', job, inputs, {
    signal: options.signal,
    retain: false,
    onResult: (index, result) => {
      done += result.end - result.start;
      waiting.set(index, result);
      while (waiting.has(nextToMerge)) {
        const r = waiting.get(nextToMerge) as ChunkResult;
        waiting.delete(nextToMerge);
        mergeOne(r);
        nextToMerge++;
      }
      options.onProgress?.(done, job.n);
    },
  });
  if (nextToMerge !== inputs.length)
    throw new Error(`${MODULE}: ${inputs.length - nextToMerge} chunks were not merged`);

  const statsOf = (s: QuantileSketch): CellStats => ({
    mean: s.mean,
    median: s.quantile(0.5),
    min: s.min,
    max: s.max,
    q: Array.from(s.quantiles(quantiles)),
  });
  const arms = job.arms.map((a, k) => ({
    name: a.name,
    stats: merged.slice(k * cells, (k + 1) * cells).map(statsOf),
  }));
  let difference: EnsembleResult['difference'] = null;
  if (paired) {
    const directions = cellDirections(layout);
    difference = {
      of: [job.arms[0].name, job.arms[1].name],
      stats: merged.slice(armCount * cells).map(statsOf),
      pBeats: directions.map((d, c) => {
        if (d === 'info') return null;
        const ties = job.n - less[c] - greater[c];
        return ((d === 'minimise' ? less[c] : greater[c]) + 0.5 * ties) / job.n;
      }),
    };
  }
  return {
    manifest: manifestOf(spec, job, quantiles, ctx),
    layout,
    quantiles,
    arms,
    difference,
    sketches: merged,
    replicateColumns,
    observable:
      job.observation && ctx.observation
        ? { arm: job.observation.arm, leaf: job.observation.leaf, years: obsYears, sketches: observable }
        : null,
  };
}

/** The direction of each cell's outcome. */
export function cellDirections(layout: OutcomeLayout): ('minimise' | 'maximise' | 'info')[] {
  const out: ('minimise' | 'maximise' | 'info')[] = [];
  const directionOf = (leaf: string) => outcomeInfo(layout, leaf).direction;
  for (let y = 0; y < layout.years.length; y++) for (const l of layout.annualLeaves) out.push(directionOf(l));
  for (let m = 0; m < layout.months.length; m++)
    for (const l of layout.monthlyLeaves) out.push(directionOf(l));
  for (const s of layout.summaries) out.push(s.direction);
  return out;
}

function manifestOf(
  spec: EnsembleSpec,
  job: EnsembleJob,
  quantiles: number[],
  ctx: ReturnType<typeof setupChunk>,
): EnsembleManifest {
  const space = ctx.sampler.space;
  return {
    kind: job.paired && job.arms.length === 2 ? 'paired' : 'ensemble',
    packageVersion: PACKAGE_VERSION,
    modelVersion: MODEL_VERSION,
    scenario: { name: job.scenario.name, hash: hashValue(job.scenario) },
    arms: job.arms.map((a) => ({ name: a.name, policy: a.policy.name, hash: hashValue(a.policy) })),
    seed: job.seed,
    n: job.n,
    design: job.design,
    stochastic: job.stochastic,
    quantiles,
    bands: {
      method: `exact up to ${EXACT_CAP} replicates, then DDSketch (Masson, Rim & Lee, VLDB 2019); merged exactly in chunk order`,
      alpha: job.alpha,
      meaning: `band values are the exact lower nearest-rank quantiles of the N replicate values up to ${EXACT_CAP} replicates, and within ±${job.alpha * 100}% (relative) beyond; mean, min and max are exact`,
    },
    parameters: {
      drawn: space.ranged.length,
      defaultDistribution: 'triangular with mode = declared value, where a range declares no distribution',
      calibrated: space.joint
        ? {
            source: spec.acceptedSource ?? 'accepted sets',
            sha256: spec.acceptedHash ?? null,
            sets: space.joint.sets.length,
            drawn: space.joint.ids,
          }
        : null,
      heldAtDeclared: space.heldAtDeclared,
      notes: space.notes,
    },
    streams:
      'replicate i: parameters from the (seed, i) xoshiro128** generator long-jumped 2^96; run streams makeStreams(seed, i); both arms share both (common random numbers)',
  };
}
