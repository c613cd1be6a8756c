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

/**
 * Improved spread (F. Campolongo, J. Cariboni and A. Saltelli, "An effective screening design for
 * sensitivity analysis of large models", Environ. Model. Softw. 22 (2007) 1509-1518): draw
 * `candidates` trajectories and keep the r whose points are most spread out, the distance between
 * two trajectories being the sum of the Euclidean distances between all their points. The best subset
 * is a hard combinatorial problem; this picks it greedily (the farthest pair first, then each time the
 * candidate adding the most distance to those kept), as Ruano, Ewald and Sabater's local search
 * (Environ. Model. Softw. 37, 2012) starts. Cost: candidates^2 (D + 1)^2 D operations.
 */
export function morrisSampleSpread(
  trajectories: number,
  dimensions: number,
  candidates: number,
  options: MorrisOptions = {},
): Float64Array {
  if (!Number.isSafeInteger(candidates) || candidates < trajectories || candidates > 1000) {
    fail(MODULE, 'candidates', candidates, `an integer from ${trajectories} (the trajectories kept) to 1000`);
  }
  const all = morrisSample(candidates, dimensions, options);
  const D = dimensions;
  const P = D + 1;
  const dist = new Float64Array(candidates * candidates);
  for (let a = 0; a < candidates; a++) {
    for (let b = a + 1; b < candidates; b++) {
      let s = 0;
      for (let i = 0; i < P; i++) {
        const pa = (a * P + i) * D;
        for (let j = 0; j < P; j++) {
          const pb = (b * P + j) * D;
          let q = 0;
          for (let k = 0; k < D; k++) {
            const d = all[pa + k] - all[pb + k];
            q += d * d;
          }
          s += Math.sqrt(q);
        }
      }
      dist[a * candidates + b] = s;
      dist[b * candidates + a] = s;
    }
  }
  const chosen: number[] = [];
  let best = -1;
  let pair = [0, 1];
  for (let a = 0; a < candidates; a++)
    for (let b = a + 1; b < candidates; b++)
      if (dist[a * candidates + b] > best) {
        best = dist[a * candidates + b];
        pair = [a, b];
      }
  chosen.push(...pair.slice(0, Math.min(2, trajectories)));
  const gain = new Float64Array(candidates);
  for (const c of chosen) for (let x = 0; x < candidates; x++) gain[x] += dist[c * candidates + x];
  while (chosen.length < trajectories) {
    let pick = -1;
    for (let x = 0; x < candidates; x++) {
      if (chosen.includes(x)) continue;
      if (pick < 0 || gain[x] > gain[pick]) pick = x;
    }
    chosen.push(pick);
    for (let x = 0; x < candidates; x++) gain[x] += dist[pick * candidates + x];
  }
  // Keep the candidates' order, so the design is the same whichever way it was picked.
  chosen.sort((a, b) => a - b);
  const out = new Float64Array(morrisRows(trajectories, D) * D);
  chosen.forEach((c, t) => {
    out.set(all.subarray(c * P * D, (c + 1) * P * D), t * P * D);
  });
  return out;
}

/** Total spread of a design's trajectories (the sum of pairwise trajectory distances). */
export function morrisSpread(design: Float64Array, trajectories: number, dimensions: number): number {
  const D = dimensions;
  const P = D + 1;
  let total = 0;
  for (let a = 0; a < trajectories; a++)
    for (let b = a + 1; b < trajectories; b++)
      for (let i = 0; i < P; i++)
        for (let j = 0; j < P; j++) {
          let q = 0;
          for (let k = 0; k < D; k++) {
            const d = design[(a * P + i) * D + k] - design[(b * P + j) * D + k];
            q += d * d;
          }
          total += Math.sqrt(q);
        }
  return total;
}
