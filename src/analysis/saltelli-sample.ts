/**
 * Saltelli's cross-sampling design for first-order and total Sobol indices (A. Saltelli et al.,
 * "Variance based sensitivity analysis of model output. Design and estimator for the total
 * sensitivity index", Comput. Phys. Commun. 181 (2010) 259-270, section 3). Two N x D matrices A and B
 * are the first and last D columns of a 2D-dimensional Sobol sequence; AB_i is A with column i taken
 * from B. Rows are laid out as SALib's `saltelli.sample(..., calc_second_order=False)` lays them out:
 * for each base point j, the D + 2 rows A_j, AB_1j, ..., AB_Dj, B_j. The model is evaluated N (D + 2)
 * times. Points are in the unit cube; map them to the inputs' distributions by inverse CDF.
 */

import { fail } from '../core/errors.js';
import { DEFAULTS as SOBOL, SobolSequence } from './sobol-sequence.js';

const MODULE = 'analysis/saltelli-sample';

/** Settings. */
export const DEFAULTS = {
  /** Sobol points skipped before the first base point (0: Owen 2020 advises against skipping). */
  skip: 0,
  /** Largest base sample N (2^24: N (D + 2) rows must fit in memory). */
  maxN: 2 ** 24,
} as const;

/** Options of a Saltelli design. */
export interface SaltelliOptions {
  /** Seed of the Sobol sequence's digital shift; null for the plain sequence (default). */
  seed?: number | null;
  skip?: number;
}

/** Rows of the design: N (D + 2). */
export function saltelliRows(n: number, dimensions: number): number {
  return n * (dimensions + 2);
}

/** Check N and D of a Saltelli design. */
export function checkSaltelli(n: number, dimensions: number): void {
  if (!Number.isSafeInteger(n) || n < 2 || n > DEFAULTS.maxN) {
    fail(MODULE, 'n', n, `an integer from 2 to ${DEFAULTS.maxN} (the base sample size N)`);
  }
  const maxD = Math.floor(SOBOL.maxDimensions / 2);
  if (!Number.isSafeInteger(dimensions) || dimensions < 1 || dimensions > maxD) {
    fail(MODULE, 'dimensions', dimensions, `an integer from 1 to ${maxD} (2D Sobol dimensions are used)`);
  }
}

/** The design: N (D + 2) rows of D unit-cube coordinates, row-major. */
export function saltelliSample(n: number, dimensions: number, options: SaltelliOptions = {}): Float64Array {
  checkSaltelli(n, dimensions);
  const skip = options.skip ?? DEFAULTS.skip;
  if (!Number.isSafeInteger(skip) || skip < 0) fail(MODULE, 'skip', skip, 'an integer >= 0');
  const D = dimensions;
  const seq = new SobolSequence(2 * D, options.seed ?? null);
  const base = new Float64Array(2 * D);
  const out = new Float64Array(saltelliRows(n, D) * D);
  let r = 0;
  for (let j = 0; j < n; j++) {
    seq.pointInto(skip + j, base);
    // A_j
    for (let k = 0; k < D; k++) out[r * D + k] = base[k];
    r++;
    // AB_ij: A_j with column i from B_j
    for (let i = 0; i < D; i++, r++) {
      for (let k = 0; k < D; k++) out[r * D + k] = k === i ? base[D + k] : base[k];
    }
    // B_j
    for (let k = 0; k < D; k++) out[r * D + k] = base[D + k];
    r++;
  }
  return out;
}
