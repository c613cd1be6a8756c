/**
 * Sobol low-discrepancy sequence (I. M. Sobol', "On the distribution of points in a cube and the
 * approximate evaluation of integrals", USSR Comput. Math. Math. Phys. 7 (1967) 86-112), with the
 * direction numbers of S. Joe and F. Y. Kuo, "Constructing Sobol sequences with better
 * two-dimensional projections", SIAM J. Sci. Comput. 30 (2008) 2635-2654 (table new-joe-kuo-6.21201,
 * first 1,000 dimensions in data/analysis/joe-kuo-directions.json).
 *
 * Points are in Gray-code order (Antonov & Saleev 1979), as SciPy's `qmc.Sobol` and SALib produce
 * them: point i is the XOR of the direction numbers selected by the bits of gray(i) = i ^ (i >> 1), so
 * any point is computed directly from its index (workers need no shared state). 32-bit direction
 * numbers: points are multiples of 2^-32 and the first 2^32 points are defined. An optional digital
 * shift (XOR of every point with one random 32-bit word per dimension, Owen 1995 / L'Ecuyer & Lemieux
 * 2002) randomises the sequence by seed while keeping its net structure; shift 0 is the plain sequence,
 * equal to SciPy's unscrambled one bit for bit.
 */

import directions from '../../data/analysis/joe-kuo-directions.json' with { type: 'json' };
import { fail } from '../core/errors.js';
import { Xoshiro128 } from '../core/rng.js';

const MODULE = 'analysis/sobol-sequence';

/** Settings. */
export const DEFAULTS = {
  /** Bits per coordinate. */
  bits: 32,
  /** Dimensions the shipped direction numbers cover. */
  maxDimensions: (directions as { dimensions: number }).dimensions,
} as const;

type Row = [number, number, number, number[]];

/** Direction numbers v[j][k] (k = 0..31) of dimension j, as 32-bit integers. */
function directionTable(dims: number): Uint32Array {
  const B = DEFAULTS.bits;
  const v = new Uint32Array(dims * B);
  for (let k = 0; k < B; k++) v[k] = (1 << (B - 1 - k)) >>> 0; // dimension 1: every m_k = 1
  const rows = (directions as unknown as { rows: Row[] }).rows;
  for (let j = 1; j < dims; j++) {
    const [d, s, a, m] = rows[j - 1];
    if (d !== j + 1 || m.length !== s) throw new Error(`${MODULE}: direction numbers row ${j} is malformed`);
    const base = j * B;
    for (let k = 0; k < Math.min(s, B); k++) v[base + k] = (m[k] << (B - 1 - k)) >>> 0;
    for (let k = s; k < B; k++) {
      // v_k = a_1 v_{k-1} ^ ... ^ a_{s-1} v_{k-s+1} ^ v_{k-s} ^ (v_{k-s} >> s)   (Bratley & Fox 1988)
      let x = v[base + k - s] ^ (v[base + k - s] >>> s);
      for (let i = 1; i < s; i++) if ((a >>> (s - 1 - i)) & 1) x ^= v[base + k - i];
      v[base + k] = x >>> 0;
    }
  }
  return v;
}

/** A Sobol sequence in `dimensions` dimensions, optionally digitally shifted by a seed. */
export class SobolSequence {
  private readonly v: Uint32Array;
  private readonly shift: Uint32Array;

  /**
   * @param dimensions 1 .. DEFAULTS.maxDimensions
   * @param shiftSeed a seed for the digital shift, or null for the plain (unshifted) sequence
   */
  constructor(
    readonly dimensions: number,
    shiftSeed: number | null = null,
  ) {
    if (!Number.isSafeInteger(dimensions) || dimensions < 1 || dimensions > DEFAULTS.maxDimensions) {
      fail(MODULE, 'dimensions', dimensions, `an integer from 1 to ${DEFAULTS.maxDimensions}`);
    }
    this.v = directionTable(dimensions);
    this.shift = new Uint32Array(dimensions);
    if (shiftSeed !== null) {
      if (!Number.isSafeInteger(shiftSeed) || shiftSeed < 0)
        fail(MODULE, 'seed', shiftSeed, 'an integer >= 0');
      const g = Xoshiro128.fromSeed(shiftSeed, 0x50b01);
      for (let j = 0; j < dimensions; j++) this.shift[j] = g.nextU32();
    }
  }

  /** Write point `index` (0-based) into `out[offset .. offset + dimensions)`. */
  pointInto(index: number, out: Float64Array, offset = 0): void {
    if (!Number.isSafeInteger(index) || index < 0 || index >= 2 ** DEFAULTS.bits) {
      fail(MODULE, 'index', index, `an integer in [0, 2^${DEFAULTS.bits})`);
    }
    const gray = (index ^ Math.floor(index / 2)) >>> 0;
    const B = DEFAULTS.bits;
    const d = this.dimensions;
    for (let j = 0; j < d; j++) {
      let x = this.shift[j];
      let g = gray;
      for (let k = 0; g !== 0; k++, g >>>= 1) if (g & 1) x ^= this.v[j * B + k];
      out[offset + j] = (x >>> 0) / 2 ** B;
    }
  }

  /** Point `index` as a new array. */
  point(index: number): Float64Array {
    const out = new Float64Array(this.dimensions);
    this.pointInto(index, out);
    return out;
  }

  /** Points start .. start + n - 1, row-major (n x dimensions). */
  points(n: number, start = 0): Float64Array {
    if (!Number.isSafeInteger(n) || n < 0) fail(MODULE, 'n', n, 'an integer >= 0');
    const out = new Float64Array(n * this.dimensions);
    for (let i = 0; i < n; i++) this.pointInto(start + i, out, i * this.dimensions);
    return out;
  }
}
