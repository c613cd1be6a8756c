/**
 * First-order and total Sobol sensitivity indices from a Saltelli design (see saltelli-sample.ts),
 * with bootstrap confidence intervals, as SALib's `sobol.analyze(..., calc_second_order=False)`
 * computes them:
 * - first order, Saltelli et al. 2010 (Comput. Phys. Commun. 181, 259-270, table 2 (b)):
 *   V_i = mean_j f(B)_j (f(AB_i)_j - f(A)_j);
 * - total, Jansen 1999 ("Analysis of variance designs for model output", Comput. Phys. Commun. 117,
 *   35-43; Saltelli 2010 table 2 (f)): VT_i = mean_j (f(A)_j - f(AB_i)_j)^2 / 2;
 * both divided by Var(Y), the population variance of the 2N values f(A), f(B).
 * Confidence: the N base rows are resampled with replacement R times (Efron & Tibshirani 1993); the
 * half-width is z_{(1+c)/2} times the standard deviation of the R estimates (SALib's `S1_conf`,
 * `ST_conf`), so an estimate +- conf is an approximate c-level interval.
 */

import { normalQuantile } from '../core/distributions.js';
import { fail } from '../core/errors.js';
import { Xoshiro128 } from '../core/rng.js';

const MODULE = 'analysis/sobol-indices';

/** Settings (SALib's defaults). */
export const DEFAULTS = {
  resamples: 100,
  confidence: 0.95,
  seed: 1,
} as const;

/** Options of the analysis. */
export interface SobolAnalyzeOptions {
  resamples?: number;
  confidence?: number;
  /** Seed of the bootstrap's resampling. */
  seed?: number;
}

/** One input's indices. */
export interface SobolIndex {
  S1: number;
  S1_conf: number;
  ST: number;
  ST_conf: number;
}

/** Result: one entry per input, plus the output's mean and variance. */
export interface SobolIndices {
  indices: SobolIndex[];
  n: number;
  mean: number;
  variance: number;
}

/** Check a confidence level and a resample count. */
export function checkBootstrap(confidence: number, resamples: number, module = MODULE): void {
  if (!(confidence > 0 && confidence < 1))
    fail(module, 'confidence', confidence, 'a level strictly between 0 and 1');
  if (!Number.isSafeInteger(resamples) || resamples < 2 || resamples > 100_000) {
    fail(module, 'resamples', resamples, 'an integer from 2 to 100000');
  }
}

/** Sample standard deviation (n - 1). */
export function sampleSd(xs: Float64Array): number {
  let m = 0;
  for (const x of xs) m += x;
  m /= xs.length;
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return Math.sqrt(s / (xs.length - 1));
}

/**
 * The indices of D inputs from Y, the model outputs at the N (D + 2) rows of a Saltelli design
 * (in the design's row order).
 */
export function sobolIndices(
  y: ArrayLike<number>,
  dimensions: number,
  options: SobolAnalyzeOptions = {},
): SobolIndices {
  const D = dimensions;
  if (!Number.isSafeInteger(D) || D < 1) fail(MODULE, 'dimensions', D, 'an integer >= 1');
  const stride = D + 2;
  if (y.length === 0 || y.length % stride !== 0) {
    fail(MODULE, 'y.length', y.length, `a positive multiple of D + 2 = ${stride} (N (D + 2) outputs)`);
  }
  const N = y.length / stride;
  if (N < 2) fail(MODULE, 'n', N, 'at least 2 base rows');
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i])) fail(MODULE, `y[${i}]`, y[i], 'a finite model output');
  }
  const resamples = options.resamples ?? DEFAULTS.resamples;
  const confidence = options.confidence ?? DEFAULTS.confidence;
  checkBootstrap(confidence, resamples);
  const z = normalQuantile(0.5 + confidence / 2);

  // Columns: fA[j], fB[j], fAB[i][j].
  const fA = new Float64Array(N);
  const fB = new Float64Array(N);
  const fAB = new Float64Array(N * D);
  for (let j = 0; j < N; j++) {
    fA[j] = y[j * stride];
    for (let i = 0; i < D; i++) fAB[i * N + j] = y[j * stride + 1 + i];
    fB[j] = y[j * stride + D + 1];
  }

  // One estimate over the base rows `rows` (identity or a bootstrap resample).
  const estimate = (
    rows: Int32Array | null,
    s1: Float64Array,
    st: Float64Array,
  ): { mean: number; v: number } => {
    let sum = 0;
    for (let k = 0; k < N; k++) {
      const j = rows ? rows[k] : k;
      sum += fA[j] + fB[j];
    }
    const mean = sum / (2 * N);
    let ss = 0;
    for (let k = 0; k < N; k++) {
      const j = rows ? rows[k] : k;
      ss += (fA[j] - mean) ** 2 + (fB[j] - mean) ** 2;
    }
    const v = ss / (2 * N);
    for (let i = 0; i < D; i++) {
      let a = 0;
      let b = 0;
      const base = i * N;
      for (let k = 0; k < N; k++) {
        const j = rows ? rows[k] : k;
        const d = fAB[base + j] - fA[j];
        a += fB[j] * d;
        b += d * d;
      }
      // A constant output has no variance to apportion: its indices are 0.
      s1[i] = v > 0 ? a / N / v : 0;
      st[i] = v > 0 ? b / (2 * N) / v : 0;
    }
    return { mean, v };
  };

  const S1 = new Float64Array(D);
  const ST = new Float64Array(D);
  const { mean, v } = estimate(null, S1, ST);

  const bS1 = new Float64Array(resamples * D);
  const bST = new Float64Array(resamples * D);
  const rows = new Int32Array(N);
  const g = Xoshiro128.fromSeed(options.seed ?? DEFAULTS.seed, 0xb00757);
  const s1 = new Float64Array(D);
  const st = new Float64Array(D);
  for (let r = 0; r < resamples; r++) {
    for (let k = 0; k < N; k++) rows[k] = Math.floor(g.next() * N);
    estimate(rows, s1, st);
    for (let i = 0; i < D; i++) {
      bS1[i * resamples + r] = s1[i];
      bST[i * resamples + r] = st[i];
    }
  }
  const indices: SobolIndex[] = [];
  for (let i = 0; i < D; i++) {
    indices.push({
      S1: S1[i],
      S1_conf: z * sampleSd(bS1.subarray(i * resamples, (i + 1) * resamples)),
      ST: ST[i],
      ST_conf: z * sampleSd(bST.subarray(i * resamples, (i + 1) * resamples)),
    });
  }
  return { indices, n: N, mean, variance: v };
}
