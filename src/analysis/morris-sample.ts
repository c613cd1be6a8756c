/**
 * Morris trajectories for elementary-effects screening (M. D. Morris, "Factorial sampling plans for
 * preliminary computational experiments", Technometrics 33 (1991) 161-174). Each of r trajectories
 * starts at a random point of the p-level grid {0, 1/(p-1), ..., 1} and moves one input at a time, in a
 * random order, by +-Delta with Delta = p / (2 (p - 1)) (Morris's recommended step for even p), so it
 * has D + 1 points and gives one elementary effect per input. Rows are laid out as SALib's
 * `morris.sample` lays them out: trajectory t holds rows t (D + 1) .. t (D + 1) + D. Points are in the
 * unit cube; map them to the inputs' distributions by inverse CDF.
 */

import { fail } from '../core/errors.js';
import { Xoshiro128 } from '../core/rng.js';

const MODULE = 'analysis/morris-sample';

/** Settings (SALib's defaults). */
export const DEFAULTS = {
  levels: 4,
  seed: 1,
  maxTrajectories: 1_000_000,
} as const;

/** Options of a Morris design. */
export interface MorrisOptions {
  /** Grid levels p (even, >= 2). */
  levels?: number;
  seed?: number;
}

/** Rows of the design: r (D + 1). */
export function morrisRows(trajectories: number, dimensions: number): number {
  return trajectories * (dimensions + 1);
}

/** Check the design's sizes. */
export function checkMorris(trajectories: number, dimensions: number, levels: number): void {
  if (!Number.isSafeInteger(trajectories) || trajectories < 2 || trajectories > DEFAULTS.maxTrajectories) {
    fail(MODULE, 'trajectories', trajectories, `an integer from 2 to ${DEFAULTS.maxTrajectories}`);
  }
  if (!Number.isSafeInteger(dimensions) || dimensions < 1)
    fail(MODULE, 'dimensions', dimensions, 'an integer >= 1');
  if (!Number.isSafeInteger(levels) || levels < 2 || levels % 2 !== 0 || levels > 1000) {
    fail(MODULE, 'levels', levels, 'an even integer from 2 to 1000');
  }
}

/** The step Delta of a p-level grid. */
export function morrisDelta(levels: number): number {
  return levels / (2 * (levels - 1));
}

/** r trajectories of D + 1 points each, row-major (r (D + 1) x D). */
export function morrisSample(
  trajectories: number,
  dimensions: number,
  options: MorrisOptions = {},
): Float64Array {
  const levels = options.levels ?? DEFAULTS.levels;
  checkMorris(trajectories, dimensions, levels);
  const seed = options.seed ?? DEFAULTS.seed;
  if (!Number.isSafeInteger(seed) || seed < 0) fail(MODULE, 'seed', seed, 'an integer >= 0');
  const D = dimensions;
  const delta = morrisDelta(levels);
  // Base levels k / (p - 1) with k < p / 2, so that base + Delta stays within [0, 1].
  const baseLevels = levels / 2;
  const g = Xoshiro128.fromSeed(seed, 0x3022);
  const out = new Float64Array(morrisRows(trajectories, D) * D);
  const x = new Float64Array(D);
  const sign = new Int8Array(D);
  const order = new Int32Array(D);
  for (let t = 0; t < trajectories; t++) {
    for (let k = 0; k < D; k++) {
      const base = Math.floor(g.next() * baseLevels) / (levels - 1);
      sign[k] = g.next() < 0.5 ? -1 : 1;
      // A falling input starts at base + Delta and ends at base.
      x[k] = sign[k] > 0 ? base : Math.round((base + delta) * (levels - 1)) / (levels - 1);
      order[k] = k;
    }
    // Fisher-Yates shuffle of the order in which inputs move.
    for (let k = D - 1; k > 0; k--) {
      const m = Math.floor(g.next() * (k + 1));
      const tmp = order[k];
      order[k] = order[m];
      order[m] = tmp;
    }
    let row = t * (D + 1);
    out.set(x, row * D);
    for (let s = 0; s < D; s++) {
      const k = order[s];
      x[k] += sign[k] * delta;
      // Grid values stay exact: snap the sum back to the nearest level.
      x[k] = Math.round(x[k] * (levels - 1)) / (levels - 1);
      row++;
      out.set(x, row * D);
    }
  }
  return out;
}
