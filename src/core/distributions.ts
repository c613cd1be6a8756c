/**
 * Distributions drawn through an injected generator. Inverse-CDF sampling is used throughout so that
 * common random numbers give monotone, paired responses (a larger mean never yields a smaller draw
 * from the same uniform).
 */

import type { Rng } from './rng.js';

// Acklam's rational approximation to the normal quantile (relative error < 1.15e-9).
const A = [
  -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
  2.506628277459239,
];
const B = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
const C = [
  -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const D = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];

/** Standard normal quantile function Φ⁻¹(p) for p in (0, 1). */
export function normalQuantile(p: number): number {
  if (p <= 0) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  const plow = 0.02425;
  let x: number;
  if (p < plow) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
      ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
  } else if (p <= 1 - plow) {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) /
      (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x =
      -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
      ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
  }
  return x;
}

/** Complementary error function (Numerical Recipes erfcc, fractional error < 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Standard normal draw by inversion. */
export function normal(rng: Rng): number {
  let u = rng.next();
  if (u === 0) u = Number.MIN_VALUE;
  return normalQuantile(u);
}

/** A value from the uniform on [lo, hi) given u in [0, 1). */
export function uniformAt(u: number, lo: number, hi: number): number {
  return lo + (hi - lo) * u;
}

/** A value from the log-uniform on [lo, hi] (both > 0) given u in [0, 1). */
export function logUniformAt(u: number, lo: number, hi: number): number {
  return Math.exp(Math.log(lo) + (Math.log(hi) - Math.log(lo)) * u);
}

/** A value from the triangular distribution (lo, mode, hi) given u in [0, 1). */
export function triangularAt(u: number, lo: number, mode: number, hi: number): number {
  if (hi === lo) return lo;
  const f = (mode - lo) / (hi - lo);
  return u < f
    ? lo + Math.sqrt(u * (hi - lo) * (mode - lo))
    : hi - Math.sqrt((1 - u) * (hi - lo) * (hi - mode));
}

/**
 * Poisson-like count with mean `mean` by a continuity-corrected normal approximation at the given
 * standard normal deviate, floored at zero. Monotone in `mean` for fixed z once mean > z²/4, which is
 * what common random numbers need; used only where means are in the hundreds or more.
 */
export function poissonApproxAt(z: number, mean: number): number {
  if (mean <= 0) return 0;
  return Math.max(0, mean + z * Math.sqrt(mean));
}

/**
 * Poisson count with mean `mean` by inversion of one uniform `u` (one draw whatever the count, so
 * paired runs stay aligned); above a mean of 30 the normal approximation (rounded, at least 0).
 */
export function poissonAt(u: number, mean: number): number {
  if (!(mean > 0)) return 0;
  if (mean > 30) return Math.max(0, Math.round(mean + normalQuantile(Math.max(u, 1e-300)) * Math.sqrt(mean)));
  let k = 0;
  let p = Math.exp(-mean);
  let cdf = p;
  while (u > cdf && k < 1000) {
    k++;
    p *= mean / k;
    cdf += p;
  }
  return k;
}
