/**
 * Morris elementary-effects measures from a trajectory design (see morris-sample.ts): per input the
 * mean effect mu, the mean absolute effect mu* (Campolongo, Cariboni & Saltelli, "An effective
 * screening design for sensitivity analysis of large models", Environ. Model. Softw. 22 (2007)
 * 1509-1518), and the standard deviation sigma (Morris 1991; sample SD, n - 1), as SALib's
 * `morris.analyze` computes them. Each step of a trajectory changes one input; the effect is the change
 * in output divided by the signed step in the unit cube. mu*'s confidence half-width is z_{(1+c)/2}
 * times the standard deviation of mu* over R bootstrap resamples of the r effects (SALib's
 * `mu_star_conf`).
 */

import { normalQuantile } from '../core/distributions.js';
import { fail } from '../core/errors.js';
import { Xoshiro128 } from '../core/rng.js';
import { checkBootstrap, sampleSd } from './sobol-indices.js';

const MODULE = 'analysis/morris-indices';

/** Settings (SALib's defaults). */
export const DEFAULTS = {
  resamples: 100,
  confidence: 0.95,
  seed: 1,
} as const;

/** Options of the analysis. */
export interface MorrisAnalyzeOptions {
  resamples?: number;
  confidence?: number;
  seed?: number;
}

/** One input's measures. */
export interface MorrisIndex {
  mu: number;
  mu_star: number;
  mu_star_conf: number;
  sigma: number;
}

/** Elementary effects, input-major (D x r), from the design X (r (D + 1) x D) and outputs Y. */
export function elementaryEffects(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  dimensions: number,
): Float64Array {
  const D = dimensions;
  if (!Number.isSafeInteger(D) || D < 1) fail(MODULE, 'dimensions', D, 'an integer >= 1');
  const stride = D + 1;
  if (y.length === 0 || y.length % stride !== 0) {
    fail(MODULE, 'y.length', y.length, `a positive multiple of D + 1 = ${stride} (r trajectories)`);
  }
  if (x.length !== y.length * D)
    fail(MODULE, 'x.length', x.length, `${y.length * D} (one row of D per output)`);
  const r = y.length / stride;
  const ee = new Float64Array(D * r);
  const seen = new Uint8Array(D);
  for (let t = 0; t < r; t++) {
    seen.fill(0);
    for (let s = 0; s < D; s++) {
      const a = (t * stride + s) * D;
      const b = a + D;
      let moved = -1;
      for (let k = 0; k < D; k++) {
        if (x[b + k] !== x[a + k]) {
          if (moved >= 0)
            fail(
              MODULE,
              `x row ${t * stride + s + 1}`,
              'several inputs changed',
              'one input changed per step',
            );
          moved = k;
        }
      }
      if (moved < 0 || seen[moved]) {
        fail(
          MODULE,
          `x row ${t * stride + s + 1}`,
          moved < 0 ? 'no input changed' : `input ${moved} moved twice`,
          'each input moved once per trajectory',
        );
      }
      seen[moved] = 1;
      const dy = y[t * stride + s + 1] - y[t * stride + s];
      const e = dy / (x[b + moved] - x[a + moved]);
      if (!Number.isFinite(e))
        fail(MODULE, `y[${t * stride + s + 1}]`, y[t * stride + s + 1], 'a finite model output');
      ee[moved * r + t] = e;
    }
  }
  return ee;
}

/** mu, mu*, its confidence half-width and sigma per input. */
export function morrisIndices(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  dimensions: number,
  options: MorrisAnalyzeOptions = {},
): { indices: MorrisIndex[]; trajectories: number } {
  const resamples = options.resamples ?? DEFAULTS.resamples;
  const confidence = options.confidence ?? DEFAULTS.confidence;
  checkBootstrap(confidence, resamples, MODULE);
  const ee = elementaryEffects(x, y, dimensions);
  const r = ee.length / dimensions;
  const z = normalQuantile(0.5 + confidence / 2);
  const g = Xoshiro128.fromSeed(options.seed ?? DEFAULTS.seed, 0xb00757);
  const boot = new Float64Array(resamples);
  const indices: MorrisIndex[] = [];
  for (let i = 0; i < dimensions; i++) {
    const e = ee.subarray(i * r, (i + 1) * r);
    let mu = 0;
    let muStar = 0;
    for (const v of e) {
      mu += v;
      muStar += Math.abs(v);
    }
    mu /= r;
    muStar /= r;
    for (let b = 0; b < resamples; b++) {
      let s = 0;
      for (let k = 0; k < r; k++) s += Math.abs(e[Math.floor(g.next() * r)]);
      boot[b] = s / r;
    }
    indices.push({ mu, mu_star: muStar, mu_star_conf: z * sampleSd(boot), sigma: r > 1 ? sampleSd(e) : 0 });
  }
  return { indices, trajectories: r };
}
