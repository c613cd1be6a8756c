/**
 * Streaming, fully mergeable quantile sketch for ensemble outcome bands.
 *
 * Source: C. Masson, J. E. Rim & H. K. Lee, "DDSketch: A Fast and Fully-Mergeable Quantile Sketch
 * with Relative-Error Guarantees", PVLDB 12(12), VLDB 2019 (arXiv:1908.10693). The exact,
 * order-independent sum follows the "small superaccumulator" idea of R. M. Neal, "Fast exact summation
 * using small and large superaccumulators", arXiv:1505.05571 (2015).
 *
 * Design
 * - Exact while small: while count <= exactCap (DEFAULTS.exactCap = 1024 values by default) the sketch
 *   keeps the raw values in a Float64Array buffer (grown geometrically, never beyond exactCap slots)
 *   and answers quantiles exactly. As soon as an `add` or a `merge` makes the count exceed exactCap,
 *   every buffered value is fed into the bucket stores below, the buffer is dropped and the sketch
 *   stays in bucket mode for good. The mode depends only on the total count, the buffer's content is
 *   a multiset (serialised sorted) and the bucket counts are a pure function of the multiset of
 *   values, so the state is the same whatever the order and grouping of adds and merges.
 * - A value x > 0 goes to bucket k = ceil(ln(x) / ln(gamma)) with gamma = (1 + a) / (1 - a), i.e. the
 *   bucket (gamma^(k-1), gamma^k]; its representative value is gamma^(k-1) * (1 + a), which is within
 *   relative error a of every value in the bucket. Negative values go to a second store keyed by |x|;
 *   values with |x| < DEFAULTS.minIndexable (2^-1020, about 8.9e-308; including 0 and -0) go to a zero count.
 * - Bucket counts are integers (held exactly in Float64Array, up to 2^53), so merging is integer
 *   addition: associative and commutative, hence independent of merge order and worker count.
 * - Bounded memory: each store keeps at most `maxBuckets` consecutive keys. When a new key would widen
 *   the span beyond that, every key below `maxKey - maxBuckets + 1` is folded into that key
 *   ("collapse lowest", i.e. the magnitudes closest to zero). The folded state is a pure function of
 *   the multiset of values seen (folding with a higher floor subsumes folding with a lower one), so
 *   collapsing keeps merges bit-for-bit order-independent. Each store's typed array holds at most
 *   2 * maxBuckets slots (64 KiB per store at the defaults), whatever N is; the exact-mode buffer holds
 *   at most exactCap slots (8 KiB at the defaults) and is freed when the sketch switches to buckets.
 * - count, min and max are exact. The sum is kept exactly in a fixed-point superaccumulator of 32-bit
 *   limbs covering the whole double range, so it is the exact real sum of the inputs and is
 *   order-independent; `sum` is that exact sum correctly rounded to a double and
 *   `mean = sum / count` (±Infinity only if |sum| exceeds Number.MAX_VALUE). A plain or
 *   Kahan/Neumaier float sum would depend on the order of additions and merges.
 *
 * Quantile definition: for n values sorted ascending as v[0..n-1], the q-quantile is the lower
 * nearest-rank element v[floor(q * (n - 1))] (computed in double arithmetic).
 *
 * Accuracy guarantee: while count <= exactCap, `quantile(q)` returns the exact q-quantile. Beyond
 * exactCap values, `quantile(q)` returns y with |y - x| <= alpha * |x| where x is the exact
 * q-quantile, provided |x| >= DEFAULTS.minIndexable (otherwise y = 0, absolute error < 8.9e-308) and
 * x's bucket was not collapsed, which holds whenever |x| >= M * gamma^(1 - maxBuckets), M being the
 * largest magnitude seen among values of x's sign (a span factor of about 6e17 at the defaults). The
 * sketch internally uses alpha - 1e-10 so floating-point rounding (~1e-13) never pushes the error
 * past alpha. Results are clamped to the exact [min, max], which never increases the error, and the
 * ranks 0 and n - 1 (e.g. q = 0 and q = 1) return the exact min and max.
 */

/** Default and limiting parameters of the sketch. */
export const DEFAULTS = {
  /** Relative accuracy of quantile queries once count > exactCap (0.5 %). */
  alpha: 0.005,
  /** Maximum number of consecutive buckets kept per store (positive and negative). */
  maxBuckets: 4096,
  /** Smallest accepted alpha. */
  minAlpha: 1e-6,
  /** Largest accepted alpha. */
  maxAlpha: 0.5,
  /** Smallest accepted maxBuckets. */
  minMaxBuckets: 8,
  /** Largest accepted maxBuckets. */
  maxMaxBuckets: 1 << 20,
  /** Safety margin subtracted from alpha internally to absorb floating-point rounding. */
  accuracyMargin: 1e-10,
  /** Magnitudes below this (2^-1020; bucket bounds then stay normal doubles for any alpha) count as zero. */
  minIndexable: 2 ** -1020,
  /** Initial typed-array capacity of a store (grown geometrically up to 2 * maxBuckets). */
  initialCapacity: 64,
  /** Number of values up to which the sketch keeps them raw and answers quantiles exactly. */
  exactCap: 1024,
  /** Largest accepted exactCap (8 MiB of buffered values); 0 (always bucketed) is the smallest. */
  maxExactCap: 1 << 20,
} as const;

const MODULE = 'analysis/quantile-sketch';
const FORMAT = 'crossroads/quantile-sketch@2';

/** Plain, JSON- and structured-clone-safe form of a sketch (canonical: equal data ⇒ equal object). */
export interface SerialisedQuantileSketch {
  format: typeof FORMAT;
  alpha: number;
  maxBuckets: number;
  /** Largest count at which the values are kept exactly. */
  exactCap: number;
  count: number;
  /**
   * The values sorted ascending (-0 stored as 0) while count <= exactCap, else null. When present,
   * zeroCount is 0 and both stores are empty.
   */
  exact: number[] | null;
  /** Count of values with |x| < DEFAULTS.minIndexable (bucket mode only). */
  zeroCount: number;
  /** Exact minimum, or null when empty. */
  min: number | null;
  /** Exact maximum, or null when empty. */
  max: number | null;
  /** Exact sum as sign and magnitude: sum = sign * Σ limbs[i] * 2^(32 * (offset + i) - 1074). */
  sum: { sign: -1 | 0 | 1; offset: number; limbs: number[] };
  /** Positive store: counts[i] is the count of bucket key offset + i (first and last non-zero). */
  positive: { offset: number; counts: number[] };
  /** Negative store keyed by |x|, same layout as `positive`. */
  negative: { offset: number; counts: number[] };
}

// ---------------------------------------------------------------------------------------------
// Exact sum (fixed-point superaccumulator)
// ---------------------------------------------------------------------------------------------

/** Number of 32-bit limbs: bit 0 is 2^-1074; 72 limbs cover 2^1024 * 2^53 with room to spare. */
const LIMBS = 72;
const TWO32 = 4294967296;
/** Additions between carry normalisations: limbs stay below 2^32 + 2^19 * 2^33 < 2^53. */
const NORMALISE_EVERY = 1 << 19;
/** POW2[s] = 2^s for s in [0, 32]. */
const POW2 = new Float64Array(33);
{
  let p = 1;
  for (let s = 0; s <= 32; s++) {
    POW2[s] = p;
    p *= 2;
  }
}
/** Shared scratch for bit extraction and sum rounding (module-level: no allocation per call). */
const BITS = new DataView(new ArrayBuffer(8));
const SCRATCH_LIMBS = new Float64Array(LIMBS);

/** Return 2^e exactly for e in [-1074, 1023]; return Infinity above (callers then overflow anyway). */
function pow2(e: number): number {
  if (e > 1023) return Number.POSITIVE_INFINITY;
  if (e < -1022) return pow2(e + 64) * 2 ** -64;
  BITS.setUint32(0, (e + 1023) << 20);
  BITS.setUint32(4, 0);
  return BITS.getFloat64(0);
}

/** Propagate carries so limbs 0..LIMBS-2 lie in [0, 2^32) and the top limb carries the sign. */
function normaliseLimbs(limbs: Float64Array): void {
  for (let j = 0; j < LIMBS - 1; j++) {
    const carry = Math.floor(limbs[j] / TWO32);
    if (carry !== 0) {
      limbs[j] -= carry * TWO32;
      limbs[j + 1] += carry;
    }
  }
}

class ExactSum {
  readonly limbs = new Float64Array(LIMBS);
  private pending = 0;

  add(value: number): void {
    BITS.setFloat64(0, value);
    const hi = BITS.getUint32(0);
    const lo = BITS.getUint32(4);
    const biased = (hi >>> 20) & 0x7ff;
    let mHi = hi & 0xfffff;
    let p = 0;
    if (biased !== 0) {
      mHi += 0x100000;
      p = biased - 1;
    }
    const j = p >>> 5;
    const scale = POW2[p & 31];
    const sign = hi >>> 31 === 0 ? 1 : -1;
    const a = lo * scale;
    const a1 = Math.floor(a / TWO32);
    const b = mHi * scale;
    const b1 = Math.floor(b / TWO32);
    const limbs = this.limbs;
    limbs[j] += sign * (a - a1 * TWO32);
    limbs[j + 1] += sign * (a1 + (b - b1 * TWO32));
    limbs[j + 2] += sign * b1;
    if (++this.pending >= NORMALISE_EVERY) this.normalise();
  }

  normalise(): void {
    normaliseLimbs(this.limbs);
    this.pending = 0;
  }

  merge(other: ExactSum): void {
    other.normalise();
    this.normalise();
    const limbs = this.limbs;
    for (let j = 0; j < LIMBS; j++) limbs[j] += other.limbs[j];
    this.normalise();
  }

  /** Write the canonical sign and magnitude limbs into SCRATCH_LIMBS; return the sign. */
  private magnitude(): -1 | 0 | 1 {
    this.normalise();
    SCRATCH_LIMBS.set(this.limbs);
    let sign: -1 | 0 | 1 = 1;
    if (SCRATCH_LIMBS[LIMBS - 1] < 0) {
      sign = -1;
      for (let j = 0; j < LIMBS; j++) SCRATCH_LIMBS[j] = -SCRATCH_LIMBS[j];
      normaliseLimbs(SCRATCH_LIMBS);
    }
    let any = false;
    for (let j = 0; j < LIMBS && !any; j++) any = SCRATCH_LIMBS[j] !== 0;
    return any ? sign : 0;
  }

  /** Round the exact sum to the nearest double (ties to even). Allocates; not on the hot path. */
  value(): number {
    const sign = this.magnitude();
    if (sign === 0) return 0;
    let n = 0n;
    for (let j = LIMBS - 1; j >= 0; j--) n = (n << 32n) | BigInt(SCRATCH_LIMBS[j]);
    const bits = n.toString(2).length;
    // n < 2^64: Number(n) rounds correctly and the scaling by 2^-1074 is exact (result < 2^53 ulps
    // stays an exact subnormal, larger results are normal).
    if (bits <= 64) return sign * (Number(n) * Number.MIN_VALUE);
    // Keep the top 64 bits plus a sticky bit, round once, then scale exactly by a power of two.
    const shift = bits - 64;
    let top = n >> BigInt(shift);
    if (top << BigInt(shift) !== n) top |= 1n;
    return sign * Number(top) * pow2(shift - 1074);
  }

  serialise(): SerialisedQuantileSketch['sum'] {
    const sign = this.magnitude();
    if (sign === 0) return { sign: 0, offset: 0, limbs: [] };
    let first = 0;
    while (SCRATCH_LIMBS[first] === 0) first++;
    let last = LIMBS - 1;
    while (SCRATCH_LIMBS[last] === 0) last--;
    return { sign, offset: first, limbs: Array.from(SCRATCH_LIMBS.subarray(first, last + 1)) };
  }

  load(sum: SerialisedQuantileSketch['sum']): void {
    const limbs = this.limbs;
    limbs.fill(0);
    for (let i = 0; i < sum.limbs.length; i++) limbs[sum.offset + i] = sum.sign * sum.limbs[i];
    this.normalise();
  }

  copyFrom(other: ExactSum): void {
    other.normalise();
    this.limbs.set(other.limbs);
    this.pending = 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Dense bucket store with "collapse lowest"
// ---------------------------------------------------------------------------------------------

const NO_COUNTS = new Float64Array(0);

class DenseStore {
  /** counts[i] is the count of key offset + i; slots outside [minKey, maxKey] are always 0. */
  counts: Float64Array = NO_COUNTS;
  offset = 0;
  minKey = 0;
  maxKey = -1;
  total = 0;

  constructor(private readonly maxBuckets: number) {}

  /** Number of consecutive keys spanned (0 when empty). */
  get span(): number {
    return this.total === 0 ? 0 : this.maxKey - this.minKey + 1;
  }

  add(key: number, count: number): void {
    let k = key;
    if (this.total === 0) {
      if (this.counts.length === 0) {
        this.counts = new Float64Array(Math.min(DEFAULTS.initialCapacity, 2 * this.maxBuckets));
      }
      this.offset = k - (this.counts.length >> 1);
      this.minKey = k;
      this.maxKey = k;
    } else if (k < this.minKey || k > this.maxKey) {
      k = this.extend(k);
    }
    this.counts[k - this.offset] += count;
    this.total += count;
  }

  /** Widen the key range to include `key`, collapsing the lowest keys; return the effective key. */
  private extend(key: number): number {
    const newMax = Math.max(key, this.maxKey);
    const floorKey = newMax - this.maxBuckets + 1;
    let newMin = Math.min(key, this.minKey);
    let folded = 0;
    if (newMin < floorKey) {
      newMin = floorKey;
      const end = Math.min(this.maxKey, floorKey - 1);
      const counts = this.counts;
      for (let k = this.minKey; k <= end; k++) {
        const i = k - this.offset;
        folded += counts[i];
        counts[i] = 0;
      }
    }
    this.ensureWindow(newMin, newMax);
    if (folded > 0) this.counts[floorKey - this.offset] += folded;
    this.minKey = newMin;
    this.maxKey = newMax;
    return Math.max(key, floorKey);
  }

  /** Make keys [lo, hi] addressable, moving the live range [max(minKey, lo), maxKey] if needed. */
  private ensureWindow(lo: number, hi: number): void {
    const capacity = this.counts.length;
    if (lo >= this.offset && hi < this.offset + capacity) return;
    const need = hi - lo + 1;
    let newCapacity = capacity;
    if (need > capacity) {
      newCapacity = Math.min(2 * this.maxBuckets, Math.max(2 * capacity, need));
    }
    const newOffset = lo - ((newCapacity - need) >> 1);
    const srcLo = Math.max(this.minKey, lo);
    const srcHi = this.maxKey;
    if (newCapacity !== capacity) {
      const next = new Float64Array(newCapacity);
      if (srcLo <= srcHi) {
        next.set(this.counts.subarray(srcLo - this.offset, srcHi - this.offset + 1), srcLo - newOffset);
      }
      this.counts = next;
    } else {
      const counts = this.counts;
      if (srcLo <= srcHi) {
        counts.copyWithin(srcLo - newOffset, srcLo - this.offset, srcHi - this.offset + 1);
        counts.fill(0, 0, srcLo - newOffset);
        counts.fill(0, srcHi - newOffset + 1);
      } else {
        counts.fill(0);
      }
    }
    this.offset = newOffset;
  }

  merge(other: DenseStore): void {
    if (other.total === 0) return;
    // Highest key first so the range (and any collapse floor) is settled once.
    for (let k = other.maxKey; k >= other.minKey; k--) {
      const c = other.counts[k - other.offset];
      if (c !== 0) this.add(k, c);
    }
  }

  serialise(): { offset: number; counts: number[] } {
    if (this.total === 0) return { offset: 0, counts: [] };
    return {
      offset: this.minKey,
      counts: Array.from(this.counts.subarray(this.minKey - this.offset, this.maxKey - this.offset + 1)),
    };
  }

  copyFrom(other: DenseStore): void {
    this.counts = other.counts.length === 0 ? NO_COUNTS : other.counts.slice();
    this.offset = other.offset;
    this.minKey = other.minKey;
    this.maxKey = other.maxKey;
    this.total = other.total;
  }
}

// ---------------------------------------------------------------------------------------------
// Validation helpers
// ---------------------------------------------------------------------------------------------

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  return typeof value;
}

function notFinite(value: unknown, where = ''): Error {
  return new Error(`${MODULE}: value ${describe(value)}${where} is not a finite number`);
}

function checkAlpha(alpha: unknown): number {
  if (typeof alpha !== 'number' || !(alpha >= DEFAULTS.minAlpha && alpha <= DEFAULTS.maxAlpha)) {
    throw new Error(
      `${MODULE}: alpha = ${describe(alpha)} is invalid; expected a number in [${DEFAULTS.minAlpha}, ${DEFAULTS.maxAlpha}]`,
    );
  }
  return alpha;
}

function checkMaxBuckets(maxBuckets: unknown): number {
  if (
    typeof maxBuckets !== 'number' ||
    !Number.isInteger(maxBuckets) ||
    maxBuckets < DEFAULTS.minMaxBuckets ||
    maxBuckets > DEFAULTS.maxMaxBuckets
  ) {
    throw new Error(
      `${MODULE}: maxBuckets = ${describe(maxBuckets)} is invalid; expected an integer in [${DEFAULTS.minMaxBuckets}, ${DEFAULTS.maxMaxBuckets}]`,
    );
  }
  return maxBuckets;
}

function checkExactCap(exactCap: unknown): number {
  if (
    typeof exactCap !== 'number' ||
    !Number.isInteger(exactCap) ||
    exactCap < 0 ||
    exactCap > DEFAULTS.maxExactCap
  ) {
    throw new Error(
      `${MODULE}: exactCap = ${describe(exactCap)} is invalid; expected an integer in [0, ${DEFAULTS.maxExactCap}]`,
    );
  }
  return exactCap;
}

function checkQ(q: unknown): number {
  if (typeof q !== 'number' || !(q >= 0 && q <= 1)) {
    throw new Error(`${MODULE}: q = ${describe(q)} is invalid; expected a number in [0, 1]`);
  }
  return q;
}

function bad(field: string, expectation: string): Error {
  return new Error(`${MODULE}: cannot deserialise: ${field} ${expectation}`);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function readStore(raw: unknown, field: string, maxBuckets: number): { offset: number; counts: number[] } {
  if (typeof raw !== 'object' || raw === null) throw bad(field, 'must be an object');
  const { offset, counts } = raw as { offset?: unknown; counts?: unknown };
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset))
    throw bad(`${field}.offset`, 'must be an integer');
  if (!Array.isArray(counts) || counts.length > maxBuckets) {
    throw bad(`${field}.counts`, `must be an array of at most ${maxBuckets} counts`);
  }
  for (const c of counts) if (!isCount(c)) throw bad(`${field}.counts`, 'must hold non-negative integers');
  if (counts.length > 0 && (counts[0] === 0 || counts[counts.length - 1] === 0)) {
    throw bad(`${field}.counts`, 'must start and end with a non-zero count');
  }
  if (counts.length === 0 && offset !== 0) throw bad(`${field}.offset`, 'must be 0 for an empty store');
  return { offset, counts: counts as number[] };
}

// ---------------------------------------------------------------------------------------------
// Public sketch
// ---------------------------------------------------------------------------------------------

const NO_VALUES = new Float64Array(0);

/** Validate a serialised exact sum (sign and magnitude limbs). */
function readSum(raw: unknown): SerialisedQuantileSketch['sum'] {
  if (typeof raw !== 'object' || raw === null) throw bad('sum', 'must be an object');
  const { sign, offset, limbs } = raw as { sign?: unknown; offset?: unknown; limbs?: unknown };
  if (sign !== -1 && sign !== 0 && sign !== 1) throw bad('sum.sign', 'must be -1, 0 or 1');
  if (
    typeof offset !== 'number' ||
    !Number.isInteger(offset) ||
    offset < 0 ||
    !Array.isArray(limbs) ||
    offset + limbs.length > LIMBS ||
    limbs.some((v) => !isCount(v) || v >= TWO32) ||
    (sign === 0) !== (limbs.length === 0) ||
    (limbs.length > 0 && (limbs[0] === 0 || limbs[limbs.length - 1] === 0))
  ) {
    throw bad('sum', `must hold an offset and 32-bit limbs within ${LIMBS} limbs`);
  }
  return { sign, offset, limbs: limbs as number[] };
}

function sameSum(a: SerialisedQuantileSketch['sum'], b: SerialisedQuantileSketch['sum']): boolean {
  return (
    a.sign === b.sign &&
    a.offset === b.offset &&
    a.limbs.length === b.limbs.length &&
    a.limbs.every((v, i) => v === b.limbs[i])
  );
}

/**
 * Mergeable quantile sketch: exact up to `exactCap` values, then a DDSketch with collapsing dense
 * stores whose quantiles have relative error <= alpha (see the module header for the full guarantee).
 */
export class QuantileSketch {
  /** Relative accuracy requested at creation (applies once count > exactCap). */
  readonly alpha: number;
  /** Maximum consecutive buckets per store. */
  readonly maxBuckets: number;
  /** Largest count at which the raw values are kept and quantiles are exact. */
  readonly exactCap: number;
  private readonly lnGamma: number;
  private readonly multiplier: number;
  private readonly representativeFactor: number;
  private readonly positive: DenseStore;
  private readonly negative: DenseStore;
  private readonly exactSum = new ExactSum();
  /** Raw values in slots [0, n) while n <= exactCap (exact mode); empty in bucket mode. */
  private buffer: Float64Array = NO_VALUES;
  /** Whether buffer[0, n) is sorted ascending. */
  private sorted = true;
  private zeroCount = 0;
  private n = 0;
  private lo = Number.POSITIVE_INFINITY;
  private hi = Number.NEGATIVE_INFINITY;

  private constructor(alpha: number, maxBuckets: number, exactCap: number) {
    this.alpha = alpha;
    this.maxBuckets = maxBuckets;
    this.exactCap = exactCap;
    const a = alpha - DEFAULTS.accuracyMargin;
    this.lnGamma = Math.log1p((2 * a) / (1 - a));
    this.multiplier = 1 / this.lnGamma;
    this.representativeFactor = 1 + a;
    this.positive = new DenseStore(maxBuckets);
    this.negative = new DenseStore(maxBuckets);
  }

  /**
   * Create an empty sketch: exact up to `exactCap` values, then relative accuracy `alpha` with at
   * most `maxBuckets` buckets per store. `exactCap = 0` gives a pure DDSketch.
   */
  static create(
    alpha: number = DEFAULTS.alpha,
    maxBuckets: number = DEFAULTS.maxBuckets,
    exactCap: number = DEFAULTS.exactCap,
  ): QuantileSketch {
    return new QuantileSketch(checkAlpha(alpha), checkMaxBuckets(maxBuckets), checkExactCap(exactCap));
  }

  /** Rebuild a sketch from `serialise()` output (e.g. received from a worker); validate it fully. */
  static deserialise(data: unknown): QuantileSketch {
    if (typeof data !== 'object' || data === null) throw bad('data', 'must be an object');
    const d = data as Partial<Record<keyof SerialisedQuantileSketch, unknown>>;
    if (d.format !== FORMAT) throw bad('format', `must be ${JSON.stringify(FORMAT)}`);
    const sketch = QuantileSketch.create(
      checkAlpha(d.alpha),
      checkMaxBuckets(d.maxBuckets),
      checkExactCap(d.exactCap),
    );
    const positive = readStore(d.positive, 'positive', sketch.maxBuckets);
    const negative = readStore(d.negative, 'negative', sketch.maxBuckets);
    if (!isCount(d.count)) throw bad('count', 'must be a non-negative safe integer');
    if (!isCount(d.zeroCount)) throw bad('zeroCount', 'must be a non-negative safe integer');
    const sum = readSum(d.sum);
    if (d.count <= sketch.exactCap) {
      const exact = d.exact;
      if (!Array.isArray(exact) || exact.length !== d.count) {
        throw bad('exact', `must be an array of count = ${d.count} values when count <= exactCap`);
      }
      if (d.zeroCount !== 0 || positive.counts.length > 0 || negative.counts.length > 0) {
        throw bad('zeroCount/positive/negative', 'must be 0 and empty while the values are kept exactly');
      }
      for (let i = 0; i < exact.length; i++) {
        const v: unknown = exact[i];
        if (typeof v !== 'number' || !Number.isFinite(v)) throw bad('exact', 'must hold finite numbers');
        if (i > 0 && !(exact[i - 1] <= v)) throw bad('exact', 'must be sorted ascending');
      }
      sketch.reserve(d.count);
      for (const v of exact as number[]) sketch.insert(v);
      if (d.count === 0) {
        if (d.min !== null || d.max !== null) throw bad('min/max', 'must be null for an empty sketch');
      } else if (d.min !== sketch.lo || d.max !== sketch.hi) {
        throw bad('min/max', 'must equal the first and last exact values');
      }
      if (!sameSum(sum, sketch.exactSum.serialise()))
        throw bad('sum', 'must equal the exact sum of the values');
      return sketch;
    }
    if (d.exact !== null) throw bad('exact', 'must be null when count > exactCap');
    let total = d.zeroCount;
    for (const c of positive.counts) total += c;
    for (const c of negative.counts) total += c;
    if (total !== d.count) throw bad('count', `must equal the bucket total ${total}`);
    if (
      typeof d.min !== 'number' ||
      typeof d.max !== 'number' ||
      !Number.isFinite(d.min) ||
      !Number.isFinite(d.max) ||
      d.min > d.max
    ) {
      throw bad('min/max', 'must be finite numbers with min <= max');
    }
    for (let i = 0; i < positive.counts.length; i++) {
      const c = positive.counts[i];
      if (c > 0) sketch.positive.add(positive.offset + i, c);
    }
    for (let i = 0; i < negative.counts.length; i++) {
      const c = negative.counts[i];
      if (c > 0) sketch.negative.add(negative.offset + i, c);
    }
    sketch.zeroCount = d.zeroCount;
    sketch.n = d.count;
    sketch.lo = d.min;
    sketch.hi = d.max;
    sketch.buffer = NO_VALUES;
    sketch.exactSum.load(sum);
    return sketch;
  }

  /** Add one finite value; throw on NaN or ±Infinity. Does not allocate in steady state. */
  add(value: number): void {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw notFinite(value);
    this.insert(value);
  }

  /** Add every value of `values`; validate all first so a bad value leaves the sketch unchanged. */
  addMany(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw notFinite(v, ` at index ${i}`);
    }
    for (let i = 0; i < values.length; i++) this.insert(values[i]);
  }

  private insert(value: number): void {
    const n = this.n;
    if (n >= Number.MAX_SAFE_INTEGER) throw new Error(`${MODULE}: count would exceed 2^53 - 1`);
    const v = value === 0 ? 0 : value; // fold -0 into +0 so min/max are order-independent
    if (n < this.exactCap) {
      if (n === this.buffer.length) this.reserve(n + 1);
      const buffer = this.buffer;
      if (n > 0 && v < buffer[n - 1]) this.sorted = false;
      buffer[n] = v;
    } else {
      if (n === this.exactCap) this.toBuckets();
      this.bucket(v);
    }
    if (v !== 0) this.exactSum.add(v);
    if (v < this.lo) this.lo = v;
    if (v > this.hi) this.hi = v;
    this.n = n + 1;
  }

  /** Count `v` (not -0) in its bucket. */
  private bucket(v: number): void {
    if (v >= DEFAULTS.minIndexable) {
      this.positive.add(Math.ceil(Math.log(v) * this.multiplier), 1);
    } else if (v <= -DEFAULTS.minIndexable) {
      this.negative.add(Math.ceil(Math.log(-v) * this.multiplier), 1);
    } else {
      this.zeroCount++;
    }
  }

  /** Make room for `need` (<= exactCap) buffered values, growing geometrically up to exactCap. */
  private reserve(need: number): void {
    const length = this.buffer.length;
    if (need <= length) return;
    const next = new Float64Array(
      Math.min(this.exactCap, Math.max(need, 2 * length, DEFAULTS.initialCapacity)),
    );
    next.set(this.buffer.subarray(0, this.n));
    this.buffer = next;
  }

  /** Leave exact mode for good: count every buffered value in its bucket and drop the buffer. */
  private toBuckets(): void {
    const buffer = this.buffer;
    for (let i = 0; i < this.n; i++) this.bucket(buffer[i]);
    this.buffer = NO_VALUES;
    this.sorted = true;
  }

  /** Sort the buffered values in place (exact mode only); their multiset is unchanged. */
  private sortBuffer(): void {
    if (this.sorted) return;
    this.buffer.subarray(0, this.n).sort();
    this.sorted = true;
  }

  /**
   * Merge `other` into this sketch; throw if alpha, maxBuckets or exactCap differ. The result is
   * order-independent: it leaves exact mode exactly when the merged count exceeds exactCap.
   */
  merge(other: QuantileSketch): void {
    if (!(other instanceof QuantileSketch)) throw new Error(`${MODULE}: merge expects a QuantileSketch`);
    if (other.alpha !== this.alpha) {
      throw new Error(
        `${MODULE}: cannot merge sketches with different alpha (${this.alpha} vs ${other.alpha})`,
      );
    }
    if (other.maxBuckets !== this.maxBuckets) {
      throw new Error(
        `${MODULE}: cannot merge sketches with different maxBuckets (${this.maxBuckets} vs ${other.maxBuckets})`,
      );
    }
    if (other.exactCap !== this.exactCap) {
      throw new Error(
        `${MODULE}: cannot merge sketches with different exactCap (${this.exactCap} vs ${other.exactCap})`,
      );
    }
    if (this.n + other.n > Number.MAX_SAFE_INTEGER) throw new Error(`${MODULE}: count would exceed 2^53 - 1`);
    const src = other === this ? this.clone() : other;
    const total = this.n + src.n;
    if (total <= this.exactCap) {
      // Both are in exact mode: concatenate the buffers.
      if (src.n > 0) {
        this.reserve(total);
        this.buffer.set(src.buffer.subarray(0, src.n), this.n);
        this.sorted = this.n === 0 ? src.sorted : false;
      }
    } else {
      if (this.n <= this.exactCap) this.toBuckets();
      if (src.n <= src.exactCap) {
        const values = src.buffer;
        for (let i = 0; i < src.n; i++) this.bucket(values[i]);
      } else {
        this.positive.merge(src.positive);
        this.negative.merge(src.negative);
        this.zeroCount += src.zeroCount;
      }
    }
    this.exactSum.merge(src.exactSum);
    this.n = total;
    if (src.lo < this.lo) this.lo = src.lo;
    if (src.hi > this.hi) this.hi = src.hi;
  }

  /** Return an independent deep copy. */
  clone(): QuantileSketch {
    const copy = new QuantileSketch(this.alpha, this.maxBuckets, this.exactCap);
    copy.positive.copyFrom(this.positive);
    copy.negative.copyFrom(this.negative);
    copy.exactSum.copyFrom(this.exactSum);
    copy.buffer = this.buffer.length === 0 ? NO_VALUES : this.buffer.slice();
    copy.sorted = this.sorted;
    copy.zeroCount = this.zeroCount;
    copy.n = this.n;
    copy.lo = this.lo;
    copy.hi = this.hi;
    return copy;
  }

  /**
   * Return the lower nearest-rank q-quantile v[floor(q * (n - 1))]: exact while count <= exactCap,
   * else within relative error alpha (see the module header for the guarantee); throw if empty.
   */
  quantile(q: number): number {
    checkQ(q);
    if (this.n === 0) throw new Error(`${MODULE}: cannot take quantile q = ${q} of an empty sketch`);
    const rank = Math.floor(q * (this.n - 1));
    if (this.n <= this.exactCap) {
      this.sortBuffer();
      return this.buffer[rank];
    }
    if (rank === 0) return this.lo;
    if (rank === this.n - 1) return this.hi;
    let estimate = 0;
    let seen = 0;
    const neg = this.negative;
    const pos = this.positive;
    if (rank < neg.total) {
      for (let k = neg.maxKey; k >= neg.minKey; k--) {
        seen += neg.counts[k - neg.offset];
        if (seen > rank) {
          estimate = -this.representative(k);
          break;
        }
      }
    } else if (rank >= neg.total + this.zeroCount) {
      seen = neg.total + this.zeroCount;
      for (let k = pos.minKey; k <= pos.maxKey; k++) {
        seen += pos.counts[k - pos.offset];
        if (seen > rank) {
          estimate = this.representative(k);
          break;
        }
      }
    }
    if (estimate < this.lo) return this.lo;
    if (estimate > this.hi) return this.hi;
    return estimate;
  }

  /** Return `quantile(q)` for each q of `qs`, in order. */
  quantiles(qs: ArrayLike<number>): Float64Array {
    for (let i = 0; i < qs.length; i++) checkQ(qs[i]);
    const out = new Float64Array(qs.length);
    for (let i = 0; i < qs.length; i++) out[i] = this.quantile(qs[i]);
    return out;
  }

  private representative(key: number): number {
    return Math.exp((key - 1) * this.lnGamma) * this.representativeFactor;
  }

  /** Exact number of values added. */
  get count(): number {
    return this.n;
  }

  /** Whether the values are still kept raw (count <= exactCap), so quantiles are exact. */
  get isExact(): boolean {
    return this.n <= this.exactCap;
  }

  /** Exact minimum (NaN when empty). */
  get min(): number {
    return this.n === 0 ? Number.NaN : this.lo;
  }

  /** Exact maximum (NaN when empty). */
  get max(): number {
    return this.n === 0 ? Number.NaN : this.hi;
  }

  /** Sum of the values: the exact sum rounded once to the nearest double, hence order-independent. */
  get sum(): number {
    return this.exactSum.value();
  }

  /** Mean = sum / count (NaN when empty); order-independent bit for bit. */
  get mean(): number {
    return this.n === 0 ? Number.NaN : this.exactSum.value() / this.n;
  }

  /** Number of bucket keys spanned by both stores (0 while exact; at most 2 * maxBuckets). */
  get bucketCount(): number {
    return this.positive.span + this.negative.span;
  }

  /** Number of allocated typed-array slots in both stores (at most 4 * maxBuckets). */
  get capacity(): number {
    return this.positive.counts.length + this.negative.counts.length;
  }

  /** Number of allocated slots of the exact-value buffer (at most exactCap; 0 once bucketed). */
  get bufferCapacity(): number {
    return this.buffer.length;
  }

  /** Return the canonical plain-object form (JSON-safe; equal data gives deep-equal output). */
  serialise(): SerialisedQuantileSketch {
    const exact = this.n <= this.exactCap;
    if (exact) this.sortBuffer();
    return {
      format: FORMAT,
      alpha: this.alpha,
      maxBuckets: this.maxBuckets,
      exactCap: this.exactCap,
      count: this.n,
      exact: exact ? Array.from(this.buffer.subarray(0, this.n)) : null,
      zeroCount: this.zeroCount,
      min: this.n === 0 ? null : this.lo,
      max: this.n === 0 ? null : this.hi,
      sum: this.exactSum.serialise(),
      positive: this.positive.serialise(),
      negative: this.negative.serialise(),
    };
  }
}

/** Create an empty sketch (alias of `QuantileSketch.create`). */
export function createQuantileSketch(
  alpha: number = DEFAULTS.alpha,
  maxBuckets: number = DEFAULTS.maxBuckets,
  exactCap: number = DEFAULTS.exactCap,
): QuantileSketch {
  return QuantileSketch.create(alpha, maxBuckets, exactCap);
}

/** Merge `sketches` into a new sketch without mutating them; throw if empty or incompatible. */
export function mergeAll(sketches: readonly QuantileSketch[]): QuantileSketch {
  if (!Array.isArray(sketches) || sketches.length === 0) {
    throw new Error(`${MODULE}: mergeAll expects a non-empty array of sketches`);
  }
  const result = sketches[0].clone();
  for (let i = 1; i < sketches.length; i++) result.merge(sketches[i]);
  return result;
}
