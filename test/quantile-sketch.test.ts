import { describe, expect, it } from 'vitest';
import {
  createQuantileSketch,
  DEFAULTS,
  mergeAll,
  QuantileSketch,
  type SerialisedQuantileSketch,
} from '../src/analysis/quantile-sketch.js';

// ---------------------------------------------------------------------------------------------
// Seeded PRNG and distributions (no Math.random)
// ---------------------------------------------------------------------------------------------

/** Mulberry32: small, seeded, deterministic uniform generator on [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(rand: () => number): number {
  const u = 1 - rand();
  const v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function generate(n: number, rand: () => number, draw: (rand: () => number) => number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = draw(rand);
  return out;
}

function shuffle<T>(items: T[], rand: () => number): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const DISTRIBUTIONS: Record<string, (rand: () => number) => number> = {
  uniform: (r) => r() * 1000,
  lognormalHeavyTail: (r) => Math.exp(2 + 3 * normal(r)),
  signedWithZeros: (r) => (r() < 0.15 ? 0 : 250 * normal(r)),
  signedHeavyTail: (r) => (r() < 0.5 ? -1 : 1) * Math.exp(4 * normal(r)),
  negativeOnly: (r) => -Math.exp(normal(r)),
  smallIntegers: (r) => Math.floor(r() * 7) - 3,
};

// ---------------------------------------------------------------------------------------------
// Exact reference (same definition as the module: lower nearest rank floor(q * (n - 1)))
// ---------------------------------------------------------------------------------------------

function exactQuantile(sorted: Float64Array, q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))];
}

const BAND_QS = [0.05, 0.25, 0.5, 0.75, 0.95];
const QS = [0, 0.001, 0.01, 0.05, 0.1, 0.25, 0.333, 0.5, 0.667, 0.75, 0.9, 0.95, 0.99, 0.999, 1];

/**
 * Assert the documented guarantee for every q: |estimate - exact| <= alpha * |exact| when x = exact is
 * indexable and above the collapse floor M * gamma^(1 - maxBuckets) (M = largest magnitude of x's
 * sign); below the floor the estimate over-states |x| but stays under floor * (1 + alpha); below
 * minIndexable the absolute error is below minIndexable. Return how many q met the full guarantee.
 */
function expectAccurate(values: Float64Array, sketch: QuantileSketch, qs: readonly number[]): number {
  const sorted = Float64Array.from(values).sort();
  const lo = sorted[0];
  const hi = sorted[sorted.length - 1];
  const a = sketch.alpha - DEFAULTS.accuracyMargin;
  const gamma = (1 + a) / (1 - a);
  const slack = 1 + 1e-9;
  let full = 0;
  for (const q of qs) {
    const exact = exactQuantile(sorted, q);
    const estimate = sketch.quantile(q);
    const error = Math.abs(estimate - exact);
    const magnitude = Math.abs(exact);
    const floor = (exact > 0 ? hi : -lo) * gamma ** (1 - sketch.maxBuckets);
    const where = `q=${q}: estimate ${estimate} vs exact ${exact}`;
    if (magnitude < DEFAULTS.minIndexable) {
      if (!(error < DEFAULTS.minIndexable)) throw new Error(`${where} (zero bucket)`);
    } else if (magnitude >= floor * slack) {
      if (!(error <= sketch.alpha * magnitude))
        throw new Error(`${where} (relative error ${error / magnitude})`);
      full++;
    } else if (!(Math.sign(estimate) === Math.sign(exact) && Math.abs(estimate) >= magnitude)) {
      throw new Error(`${where} (collapsed bucket must over-state the magnitude)`);
    } else if (!(Math.abs(estimate) <= floor * (1 + sketch.alpha) * slack)) {
      throw new Error(`${where} (collapsed bucket above floor ${floor})`);
    }
    expect(estimate).toBeGreaterThanOrEqual(lo);
    expect(estimate).toBeLessThanOrEqual(hi);
  }
  return full;
}

/** Assert the full relative-error guarantee (no q below a collapse floor or in the zero bucket). */
function expectWithinAlpha(values: Float64Array, sketch: QuantileSketch, qs: readonly number[]): void {
  const sorted = Float64Array.from(values).sort();
  const nonZero = qs.filter((q) => exactQuantile(sorted, q) !== 0).length;
  expect(expectAccurate(values, sketch, qs)).toBe(nonZero);
}

function sketchOf(
  values: ArrayLike<number>,
  alpha?: number,
  maxBuckets?: number,
  exactCap?: number,
): QuantileSketch {
  const sketch = QuantileSketch.create(alpha, maxBuckets, exactCap);
  sketch.addMany(values);
  return sketch;
}

function key(sketch: QuantileSketch): string {
  return JSON.stringify(sketch.serialise());
}

// ---------------------------------------------------------------------------------------------
// Accuracy against exact quantiles
// ---------------------------------------------------------------------------------------------

describe('quantile-sketch accuracy', () => {
  for (const [name, draw] of Object.entries(DISTRIBUTIONS)) {
    it(`stays within alpha of exact quantiles: ${name}`, () => {
      const values = generate(20_000, prng(name.length * 7919), draw);
      const sketch = sketchOf(values);
      expectWithinAlpha(values, sketch, QS);
      expect(sketch.count).toBe(values.length);
    });
  }

  it('stays within alpha for N = 100k spanning negative, zero and positive values', () => {
    const rand = prng(20240601);
    const values = generate(100_000, rand, (r) => {
      const u = r();
      if (u < 0.1) return 0;
      return (u < 0.4 ? -1 : 1) * Math.exp(3 * normal(r));
    });
    const sketch = sketchOf(values);
    expectWithinAlpha(values, sketch, QS);
    const qs = Array.from({ length: 200 }, () => rand());
    expectWithinAlpha(values, sketch, qs);
  });

  it('returns the value itself for constant inputs and N = 1 (exact and bucket mode)', () => {
    for (const c of [42.5, -3, 0, 1e-300, 7e305, -0.001]) {
      for (const exactCap of [DEFAULTS.exactCap, 0]) {
        const sketch = sketchOf(new Float64Array(1000).fill(c), undefined, undefined, exactCap);
        for (const q of QS) expect(sketch.quantile(q)).toBe(c);
        const single = sketchOf([c], undefined, undefined, exactCap);
        for (const q of QS) expect(single.quantile(q)).toBe(c);
        expect(single.min).toBe(c);
        expect(single.max).toBe(c);
        expect(single.mean).toBe(c);
      }
    }
  });

  it('returns exact min and max at q = 0 and q = 1', () => {
    const values = generate(5000, prng(3), DISTRIBUTIONS.signedHeavyTail);
    const sketch = sketchOf(values);
    const sorted = Float64Array.from(values).sort();
    expect(sketch.quantile(0)).toBe(sorted[0]);
    expect(sketch.quantile(1)).toBe(sorted[sorted.length - 1]);
    expect(sketch.min).toBe(sorted[0]);
    expect(sketch.max).toBe(sorted[sorted.length - 1]);
  });

  it('holds at bucket boundaries and across the whole double range', () => {
    const values: number[] = [];
    for (let e = -300; e <= 300; e += 3) values.push(10 ** e, -(10 ** e));
    const a = DEFAULTS.alpha - DEFAULTS.accuracyMargin;
    const gamma = (1 + a) / (1 - a);
    for (let k = -500; k <= 500; k += 7) {
      const boundary = gamma ** k;
      values.push(boundary, boundary * (1 + 1e-15), boundary * (1 - 1e-15));
    }
    values.push(Number.MAX_VALUE, -Number.MAX_VALUE, DEFAULTS.minIndexable, 1, -1);
    const arr = Float64Array.from(values);
    const qs = Array.from({ length: arr.length }, (_, i) => i / (arr.length - 1));
    // 1e-300..1e308 needs ~1.6e5 buckets at alpha = 0.5 %: with enough buckets every q is within alpha.
    // (exactCap = 0 forces bucket mode for these ~1,000 values.)
    expectWithinAlpha(arr, sketchOf(arr, DEFAULTS.alpha, 2 ** 18, 0), qs);
    // With the default 4096 buckets, magnitudes far below the extremes collapse as documented.
    const collapsed = sketchOf(arr, DEFAULTS.alpha, DEFAULTS.maxBuckets, 0);
    const full = expectAccurate(arr, collapsed, qs);
    expect(full).toBeGreaterThan(0);
    expect(full).toBeLessThan(qs.length);
  });

  it('reports magnitudes below minIndexable as zero in bucket mode (absolute error below minIndexable)', () => {
    const sketch = sketchOf([1e-310, -5e-324, 2e-309, 1, -1], undefined, undefined, 0);
    expect(sketch.quantile(0.5)).toBe(0);
    expect(sketch.quantile(0.25)).toBe(0);
    expect(sketch.quantile(0.75)).toBe(0);
    expect(sketch.min).toBe(-1);
    expect(sketch.max).toBe(1);
  });

  it('meets the documented guarantee for any alpha and maxBuckets (seeded property test)', () => {
    const rand = prng(99);
    const names = Object.keys(DISTRIBUTIONS);
    let full = 0;
    let total = 0;
    for (let trial = 0; trial < 60; trial++) {
      const alpha = [0.0001, 0.001, 0.005, 0.01, 0.05, 0.2, 0.5][trial % 7];
      const maxBuckets = [8, 100, 4096, 2 ** 17][Math.floor(rand() * 4)];
      const n = 1 + Math.floor(rand() * 3000);
      const draw = DISTRIBUTIONS[names[Math.floor(rand() * names.length)]];
      const scale = 10 ** Math.floor(rand() * 40 - 20);
      const values = generate(n, rand, (r) => scale * draw(r));
      // exactCap = 0: a pure DDSketch, so the bucket guarantee is what is tested.
      const sketch = sketchOf(values, alpha, maxBuckets, 0);
      const qs = [...QS, ...Array.from({ length: 20 }, () => rand())];
      full += expectAccurate(values, sketch, qs);
      total += qs.length;
    }
    // Both regimes (full guarantee and collapsed) are exercised.
    expect(full).toBeGreaterThan(total / 2);
    expect(full).toBeLessThan(total);
  });

  it('computes quantiles() in input order, matching quantile()', () => {
    const values = generate(10_000, prng(5), DISTRIBUTIONS.lognormalHeavyTail);
    const sketch = sketchOf(values);
    const bands = sketch.quantiles(BAND_QS);
    expect(bands).toBeInstanceOf(Float64Array);
    expect(Array.from(bands)).toEqual(BAND_QS.map((q) => sketch.quantile(q)));
    for (let i = 1; i < bands.length; i++) expect(bands[i]).toBeGreaterThanOrEqual(bands[i - 1]);
  });

  it('computes an exact-sum mean', () => {
    const values = generate(50_000, prng(8), DISTRIBUTIONS.signedWithZeros);
    const sketch = sketchOf(values);
    // Reference: Neumaier-compensated sum (accurate to ~1 ulp for this data).
    let s = 0;
    let c = 0;
    for (const v of values) {
      const t = s + v;
      c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
      s = t;
    }
    expect(Math.abs(sketch.sum - (s + c))).toBeLessThanOrEqual(1e-12 * Math.abs(s + c));
    expect(sketch.mean).toBe(sketch.sum / values.length);
    // Cancellation that defeats any float summation order: the exact sum is 2.
    const tricky = [1e300, 1, -1e300, 1e-300, 1, -1e-300];
    for (let i = 0; i < 20; i++) {
      const perm = shuffle(tricky, prng(i));
      const sk = sketchOf(perm);
      expect(sk.sum).toBe(2);
      expect(sk.mean).toBe(2 / 6);
    }
    // Correct rounding of the exact sum: 10 x 0.1 = 1.0000000000000000555 rounds to 1.
    expect(sketchOf(new Float64Array(10).fill(0.1)).sum).toBe(1);
  });

  it('collapses lowest buckets beyond maxBuckets, keeping the guarantee above the collapse floor', () => {
    const maxBuckets = 1000; // spans a factor gamma^999 = e^20 at alpha = 1 %
    const alpha = 0.01;
    const values = generate(20_000, prng(11), (r) => (r() < 0.5 ? -1 : 1) * Math.exp(5 * normal(r)));
    const sketch = sketchOf(values, alpha, maxBuckets);
    expect(sketch.bucketCount).toBeLessThanOrEqual(2 * maxBuckets);
    const qs = Array.from({ length: 1001 }, (_, i) => i / 1000);
    const full = expectAccurate(values, sketch, qs);
    expect(full).toBeGreaterThan(300);
    expect(full).toBeLessThan(900);
  });
});

// ---------------------------------------------------------------------------------------------
// Exact mode (count <= exactCap)
// ---------------------------------------------------------------------------------------------

describe('quantile-sketch exact mode', () => {
  it('returns exactly the sorted-array quantile for every rank while N <= exactCap', () => {
    const rand = prng(2718);
    for (const [name, draw] of Object.entries(DISTRIBUTIONS)) {
      for (const n of [1, 2, 3, 10, 99, 100, 1000, DEFAULTS.exactCap]) {
        const values = generate(n, rand, draw);
        const sketch = sketchOf(values);
        const sorted = Float64Array.from(values).sort();
        expect(sketch.isExact, `${name} n=${n}`).toBe(true);
        expect(sketch.bucketCount).toBe(0);
        const qs = [...QS, ...Array.from({ length: 50 }, () => rand())];
        if (n <= 1000) for (let i = 0; i < n; i++) qs.push(n === 1 ? 0 : i / (n - 1));
        for (const q of qs) {
          const expected = exactQuantile(sorted, q);
          expect(Object.is(sketch.quantile(q), expected === 0 ? 0 : expected), `${name} n=${n} q=${q}`).toBe(
            true,
          );
        }
        expect(sketch.serialise().exact).toEqual(Array.from(sorted, (v) => (v === 0 ? 0 : v)));
        expect(sketch.min).toBe(sorted[0]);
        expect(sketch.max).toBe(sorted[n - 1]);
      }
    }
  });

  it('separates the medians of two small arms whose difference is far below the bucket width', () => {
    // 100 replicates of ~110,000 deaths: the 0.5 % bucket width (~±550) dwarfs a 37-death effect.
    const rand = prng(1100);
    const counterfactual = generate(100, rand, (r) => Math.round(110_000 + 400 * normal(r)));
    const policy = counterfactual.map((v) => v - 37);
    const a = sketchOf(counterfactual);
    const b = sketchOf(policy);
    const sortedA = Float64Array.from(counterfactual).sort();
    for (const q of BAND_QS) {
      expect(a.quantile(q)).toBe(exactQuantile(sortedA, q));
      expect(a.quantile(q) - b.quantile(q)).toBe(37);
    }
    // The pure DDSketch (exactCap = 0) cannot resolve the effect at some quantiles.
    const bucketA = sketchOf(counterfactual, undefined, undefined, 0);
    const bucketB = sketchOf(policy, undefined, undefined, 0);
    expect(BAND_QS.some((q) => bucketA.quantile(q) - bucketB.quantile(q) !== 37)).toBe(true);
  });

  it('switches to buckets exactly when the count exceeds exactCap, by add or by merge', () => {
    const cap = 50;
    const values = generate(cap + 1, prng(6), DISTRIBUTIONS.signedWithZeros);
    const atCap = sketchOf(values.subarray(0, cap), undefined, undefined, cap);
    expect(atCap.isExact).toBe(true);
    expect(atCap.bufferCapacity).toBe(cap);
    const byAdd = atCap.clone();
    byAdd.add(values[cap]);
    expect(byAdd.isExact).toBe(false);
    expect(byAdd.bufferCapacity).toBe(0);
    expect(byAdd.serialise().exact).toBeNull();
    const reference = key(byAdd);
    expect(key(sketchOf(values, undefined, undefined, cap))).toBe(reference);
    // Within alpha after the switch (the buckets hold every value, buffered ones included).
    expectWithinAlpha(values, byAdd, QS);
    const one = sketchOf([values[cap]], undefined, undefined, cap);
    const left = atCap.clone();
    left.merge(one);
    expect(key(left)).toBe(reference);
    const right = one.clone();
    right.merge(atCap);
    expect(key(right)).toBe(reference);
    // exactCap = 0: bucket mode from the first value.
    const pure = sketchOf([5], undefined, undefined, 0);
    expect(pure.isExact).toBe(false);
    expect(pure.bufferCapacity).toBe(0);
  });

  it('is unaffected by quantile queries, serialisation and cloning between adds', () => {
    const values = generate(300, prng(12), DISTRIBUTIONS.signedHeavyTail);
    const reference = key(sketchOf(values));
    const sketch = QuantileSketch.create();
    for (let i = 0; i < values.length; i++) {
      sketch.add(values[i]);
      if (i % 17 === 0) {
        sketch.quantile(0.5);
        sketch.serialise();
        const copy = sketch.clone();
        copy.add(1e9);
        expect(copy.count).toBe(sketch.count + 1);
      }
    }
    expect(key(sketch)).toBe(reference);
  });

  it('round-trips exact sketches through JSON and structured clone, folding -0 into 0', () => {
    const sketch = sketchOf([2.5, -0, 1e-310, -7, 0, 2.5]);
    const data = sketch.serialise();
    expect(data.exact).toEqual([-7, 0, 0, 1e-310, 2.5, 2.5]);
    expect(Object.is(data.exact?.[1], 0)).toBe(true);
    for (const back of [
      QuantileSketch.deserialise(JSON.parse(JSON.stringify(data))),
      QuantileSketch.deserialise(structuredClone(data)),
    ]) {
      expect(back.serialise()).toEqual(data);
      expect(back.quantiles(QS)).toEqual(sketch.quantiles(QS));
      expect(back.mean).toBe(sketch.mean);
    }
    // A structured-clone -0 in the exact list is accepted and canonicalised.
    const negZero = { ...data, exact: [-7, -0, 0, 1e-310, 2.5, 2.5] };
    expect(QuantileSketch.deserialise(negZero).serialise()).toEqual(data);
  });
});

// ---------------------------------------------------------------------------------------------
// Merge-order independence (bit-for-bit)
// ---------------------------------------------------------------------------------------------

function partition(values: Float64Array, k: number, rand: () => number): Float64Array[] {
  const parts: number[][] = Array.from({ length: k }, () => []);
  for (const v of values) parts[Math.floor(rand() * k)].push(v);
  return parts.map((p) => Float64Array.from(p));
}

function treeMerge(sketches: QuantileSketch[]): QuantileSketch {
  let level = sketches.map((s) => s.clone());
  while (level.length > 1) {
    const next: QuantileSketch[] = [];
    for (let i = 0; i < level.length; i += 2) {
      if (i + 1 < level.length) level[i].merge(level[i + 1]);
      next.push(level[i]);
    }
    level = next;
  }
  return level[0];
}

describe('quantile-sketch merging', () => {
  const cases: Array<[string, number | undefined, number | undefined]> = [
    ['defaults', undefined, undefined],
    ['heavy collapsing (maxBuckets 16)', 0.02, 16],
    ['fine alpha', 0.0005, 512],
  ];
  for (const [label, alpha, maxBuckets] of cases) {
    it(`is bit-for-bit independent of merge order, grouping and worker count: ${label}`, () => {
      const rand = prng(4242);
      const values = generate(30_000, rand, (r) => {
        const u = r();
        if (u < 0.05) return 0;
        return (u < 0.35 ? -1 : 1) * Math.exp(6 * normal(r));
      });
      const reference = key(sketchOf(values, alpha, maxBuckets));
      for (const k of [1, 2, 3, 7, 16, 61]) {
        const parts = partition(values, k, rand).map((p) =>
          sketchOf(shuffle(Array.from(p), rand), alpha, maxBuckets),
        );
        expect(key(mergeAll(parts))).toBe(reference);
        expect(key(mergeAll(parts.slice().reverse()))).toBe(reference);
        expect(key(mergeAll(shuffle(parts, rand)))).toBe(reference);
        expect(key(treeMerge(shuffle(parts, rand)))).toBe(reference);
        // Via the wire format, as from worker threads (JSON and structured clone).
        const wired = parts.map((p) => QuantileSketch.deserialise(JSON.parse(JSON.stringify(p.serialise()))));
        expect(key(mergeAll(shuffle(wired, rand)))).toBe(reference);
        const cloned = parts.map((p) => QuantileSketch.deserialise(structuredClone(p.serialise())));
        expect(key(treeMerge(cloned))).toBe(reference);
      }
    });
  }

  /** Merge random pairs from the pool (on clones) until one sketch remains: an arbitrary grouping. */
  function randomGroupMerge(sketches: QuantileSketch[], rand: () => number): QuantileSketch {
    const pool = sketches.map((s) => s.clone());
    while (pool.length > 1) {
      const i = Math.floor(rand() * pool.length);
      const [a] = pool.splice(i, 1);
      const j = Math.floor(rand() * pool.length);
      if (rand() < 0.5) {
        pool[j].merge(a);
      } else {
        a.merge(pool[j]);
        pool[j] = a;
      }
    }
    return pool[0];
  }

  for (const exactCap of [64, 1000, DEFAULTS.exactCap]) {
    it(`is identical whatever the grouping when parts below exactCap = ${exactCap} merge above it`, () => {
      const rand = prng(exactCap);
      for (const n of [exactCap - 1, exactCap, exactCap + 1, 3 * exactCap + 7]) {
        const values = generate(n, rand, (r) =>
          r() < 0.1 ? 0 : (r() < 0.3 ? -1 : 1) * Math.exp(3 * normal(r)),
        );
        const whole = sketchOf(values, undefined, undefined, exactCap);
        const reference = key(whole);
        expect(whole.isExact).toBe(n <= exactCap);
        const fewest = Math.max(2, Math.ceil(n / exactCap));
        for (const k of [fewest, fewest + 1, 5, 16]) {
          // k shuffled chunks of near-equal size, each at most exactCap values.
          const shuffled = shuffle(Array.from(values), rand);
          const parts = Array.from({ length: k }, (_, w) =>
            sketchOf(
              shuffled.slice(Math.floor((w * n) / k), Math.floor(((w + 1) * n) / k)),
              undefined,
              undefined,
              exactCap,
            ),
          );
          for (const p of parts) expect(p.isExact).toBe(true);
          expect(parts.reduce((t, p) => t + p.count, 0)).toBe(n);
          expect(key(mergeAll(parts))).toBe(reference);
          expect(key(mergeAll(parts.slice().reverse()))).toBe(reference);
          expect(key(treeMerge(shuffle(parts, rand)))).toBe(reference);
          for (let t = 0; t < 3; t++) expect(key(randomGroupMerge(parts, rand))).toBe(reference);
          const wired = parts.map((p) =>
            QuantileSketch.deserialise(JSON.parse(JSON.stringify(p.serialise()))),
          );
          expect(key(randomGroupMerge(wired, rand))).toBe(reference);
        }
        // Interleaved adds and merges, and self-merge across the cap.
        const half = Math.floor(n / 2);
        const mixed = sketchOf(values.subarray(0, 1), undefined, undefined, exactCap);
        mixed.merge(sketchOf(values.subarray(half), undefined, undefined, exactCap));
        mixed.addMany(values.subarray(1, half));
        expect(key(mixed)).toBe(reference);
        const doubled = whole.clone();
        doubled.merge(doubled);
        expect(key(doubled)).toBe(key(sketchOf([...values, ...values], undefined, undefined, exactCap)));
      }
    });
  }

  it('yields identical bands and mean across worker counts', () => {
    const values = generate(20_000, prng(77), DISTRIBUTIONS.signedHeavyTail);
    const single = sketchOf(values);
    for (const workers of [2, 4, 8, 13]) {
      const parts: QuantileSketch[] = [];
      const chunk = Math.ceil(values.length / workers);
      for (let w = 0; w < workers; w++) parts.push(sketchOf(values.subarray(w * chunk, (w + 1) * chunk)));
      const merged = mergeAll(parts);
      expect(Array.from(merged.quantiles(BAND_QS))).toEqual(Array.from(single.quantiles(BAND_QS)));
      expect(Object.is(merged.mean, single.mean)).toBe(true);
      expect(merged.count).toBe(single.count);
    }
  });

  it('treats -0 and +0 alike regardless of order', () => {
    expect(key(sketchOf([-0, 0, 1]))).toBe(key(sketchOf([0, -0, 1])));
    expect(Object.is(sketchOf([-0]).min, 0)).toBe(true);
  });

  it('merges empty sketches and self-merges correctly; mergeAll does not mutate inputs', () => {
    const a = sketchOf([1, 2, 3]);
    const before = key(a);
    const empty = QuantileSketch.create();
    expect(key(mergeAll([empty, a, QuantileSketch.create()]))).toBe(before);
    expect(key(a)).toBe(before);
    expect(key(empty)).toBe(key(QuantileSketch.create()));
    a.merge(a);
    expect(key(a)).toBe(key(sketchOf([1, 2, 3, 1, 2, 3])));
  });

  it('round-trips through serialise/deserialise unchanged', () => {
    const sketch = sketchOf(generate(5000, prng(1), DISTRIBUTIONS.signedWithZeros));
    const data = sketch.serialise();
    const back = QuantileSketch.deserialise(JSON.parse(JSON.stringify(data)));
    expect(back.serialise()).toEqual(data);
    expect(back.quantiles(QS)).toEqual(sketch.quantiles(QS));
    expect(back.mean).toBe(sketch.mean);
    const empty = QuantileSketch.deserialise(QuantileSketch.create().serialise());
    expect(empty.count).toBe(0);
    expect(Number.isNaN(empty.mean)).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Memory bound (structure size, not time)
// ---------------------------------------------------------------------------------------------

describe('quantile-sketch memory', () => {
  it('keeps the exact buffer within exactCap and the buckets bounded as N grows to 1e6', () => {
    const rand = prng(314);
    const sketch = QuantileSketch.create();
    const cap = DEFAULTS.exactCap;
    const bufferSizes = new Set<number>();
    const sizes: number[] = [];
    const capacities: number[] = [];
    let added = 0;
    for (const target of [1e3, cap, cap + 1, 1e4, 1e5, 1e6]) {
      for (; added < target; added++) {
        sketch.add((rand() < 0.3 ? -1 : 1) * Math.exp(2 * normal(rand)));
        if (added < cap + 10) {
          expect(sketch.bufferCapacity).toBeLessThanOrEqual(cap);
          bufferSizes.add(sketch.bufferCapacity);
        }
      }
      sizes.push(sketch.bucketCount);
      capacities.push(sketch.capacity);
      if (target <= cap) {
        expect(sketch.isExact).toBe(true);
        expect(sketch.bucketCount).toBe(0);
        expect(sketch.capacity).toBe(0);
      } else {
        expect(sketch.isExact).toBe(false);
        expect(sketch.bufferCapacity).toBe(0);
      }
    }
    // Geometric growth: 64, 128, ..., exactCap (1024), then freed (0).
    expect(bufferSizes.size).toBeLessThanOrEqual(Math.log2(cap) + 2);
    expect(sketch.count).toBe(1e6);
    for (const c of capacities) expect(c).toBeLessThanOrEqual(4 * DEFAULTS.maxBuckets);
    // Bucket count is governed by the value range (log-scale), not by N.
    expect(sizes[5]).toBeLessThanOrEqual(2 * DEFAULTS.maxBuckets);
    expect(sizes[5]).toBeLessThan(sizes[2] * 3);
    expect(capacities[5]).toBeLessThanOrEqual(capacities[3] * 2);
    expect(JSON.stringify(sketch.serialise()).length).toBeLessThan(200_000);
  });

  it('never exceeds maxBuckets per store even on adversarial range drift', () => {
    const maxBuckets = 32;
    const sketch = QuantileSketch.create(0.01, maxBuckets);
    for (let i = 0; i < 200_000; i++) {
      const v = 1.0002 ** i;
      sketch.add(v);
      sketch.add(-1 / v);
      if (i % 997 === 0) {
        expect(sketch.bucketCount).toBeLessThanOrEqual(2 * maxBuckets);
        expect(sketch.capacity).toBeLessThanOrEqual(4 * maxBuckets);
      }
    }
    expect(sketch.quantile(1)).toBe(sketch.max);
    expect(sketch.quantile(0)).toBe(sketch.min);
  });
});

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

describe('quantile-sketch errors', () => {
  it('rejects non-finite values with a clear message and leaves the sketch unchanged', () => {
    const sketch = createQuantileSketch();
    expect(() => sketch.add(Number.NaN)).toThrow(
      'analysis/quantile-sketch: value NaN is not a finite number',
    );
    expect(() => sketch.add(Number.POSITIVE_INFINITY)).toThrow(
      'analysis/quantile-sketch: value Infinity is not a finite number',
    );
    expect(() => sketch.add(Number.NEGATIVE_INFINITY)).toThrow(
      'analysis/quantile-sketch: value -Infinity is not a finite number',
    );
    expect(() => sketch.add('3' as unknown as number)).toThrow(/value "3" is not a finite number/);
    expect(() => sketch.addMany([1, 2, Number.NaN])).toThrow(
      'analysis/quantile-sketch: value NaN at index 2 is not a finite number',
    );
    expect(sketch.count).toBe(0);
  });

  it('rejects bad q values naming q and the expectation', () => {
    const sketch = sketchOf([1, 2, 3]);
    for (const q of [-0.1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => sketch.quantile(q)).toThrow(
        `analysis/quantile-sketch: q = ${q} is invalid; expected a number in [0, 1]`,
      );
    }
    expect(() => sketch.quantiles([0.5, 2])).toThrow(/q = 2 is invalid/);
    expect(() => QuantileSketch.create().quantile(0.5)).toThrow(/empty sketch/);
    const empty = QuantileSketch.create();
    expect(Number.isNaN(empty.min) && Number.isNaN(empty.max) && Number.isNaN(empty.mean)).toBe(true);
  });

  it('rejects bad parameters and incompatible merges', () => {
    for (const alpha of [0, -0.1, 0.9, Number.NaN, 1e-9]) {
      expect(() => QuantileSketch.create(alpha)).toThrow(/alpha = .* is invalid/);
    }
    for (const maxBuckets of [0, 4, 10.5, 2 ** 21]) {
      expect(() => QuantileSketch.create(0.01, maxBuckets)).toThrow(/maxBuckets = .* is invalid/);
    }
    expect(() => QuantileSketch.create(0.01).merge(QuantileSketch.create(0.02))).toThrow(/different alpha/);
    expect(() => QuantileSketch.create(0.01, 64).merge(QuantileSketch.create(0.01, 128))).toThrow(
      /different maxBuckets/,
    );
    expect(() => mergeAll([])).toThrow(/non-empty array/);
  });

  it('rejects bad exactCap values and merges of sketches with different exactCap', () => {
    for (const exactCap of [-1, 1.5, Number.NaN, DEFAULTS.maxExactCap + 1, '10']) {
      expect(() => QuantileSketch.create(0.01, 64, exactCap as number)).toThrow(
        /analysis\/quantile-sketch: exactCap = .* is invalid; expected an integer in \[0, \d+\]/,
      );
    }
    expect(QuantileSketch.create(0.01, 64, 0).exactCap).toBe(0);
    expect(() => QuantileSketch.create(0.01, 64, 10).merge(QuantileSketch.create(0.01, 64, 20))).toThrow(
      /different exactCap \(10 vs 20\)/,
    );
  });

  it('rejects malformed serialised data (bucket mode)', () => {
    const good = sketchOf([-2, 0, 3], undefined, undefined, 0).serialise();
    expect(good.exact).toBeNull();
    expect(QuantileSketch.deserialise(structuredClone(good)).serialise()).toEqual(good);
    const mutate = (f: (d: SerialisedQuantileSketch) => void): unknown => {
      const d = structuredClone(good);
      f(d);
      return d;
    };
    const bads: unknown[] = [
      null,
      42,
      mutate((d) => {
        (d as { format: string }).format = 'other';
      }),
      mutate((d) => {
        (d as { format: string }).format = 'crossroads/quantile-sketch@1';
      }),
      mutate((d) => {
        d.count = 4;
      }),
      mutate((d) => {
        d.positive.counts = [0, 1];
      }),
      mutate((d) => {
        d.negative.counts = [-1];
      }),
      mutate((d) => {
        d.min = null;
      }),
      mutate((d) => {
        d.sum.limbs = [2 ** 40];
      }),
      mutate((d) => {
        d.alpha = 2;
      }),
      mutate((d) => {
        d.exactCap = -1;
      }),
      mutate((d) => {
        delete (d as { exactCap?: number }).exactCap;
      }),
      // Bucket mode (count > exactCap) must not carry exact values.
      mutate((d) => {
        d.exact = [-2, 0, 3];
      }),
    ];
    for (const b of bads) expect(() => QuantileSketch.deserialise(b)).toThrow(/analysis\/quantile-sketch/);
  });

  it('rejects malformed serialised data (exact mode)', () => {
    const good = sketchOf([3, -2, 0, 3.5]).serialise();
    expect(good.exact).toEqual([-2, 0, 3, 3.5]);
    expect(QuantileSketch.deserialise(structuredClone(good)).serialise()).toEqual(good);
    const patch = (changes: Record<string, unknown>): unknown => ({ ...structuredClone(good), ...changes });
    const cases: Array<[unknown, RegExp]> = [
      [patch({ exact: null }), /exact must be an array of count = 4/],
      [patch({ exact: [-2, 0, 3] }), /exact must be an array of count = 4/],
      [patch({ exact: [-2, 3, 0, 3.5] }), /exact must be sorted ascending/],
      [patch({ exact: [-2, 0, 3, Number.NaN] }), /exact must hold finite numbers/],
      [patch({ exact: [-2, 0, 3, '3.5'] }), /exact must hold finite numbers/],
      [patch({ zeroCount: 1 }), /must be 0 and empty while the values are kept exactly/],
      [
        patch({ positive: { offset: 5, counts: [1] } }),
        /must be 0 and empty while the values are kept exactly/,
      ],
      [patch({ min: -3 }), /min\/max must equal the first and last exact values/],
      [patch({ max: null }), /min\/max must equal the first and last exact values/],
      [patch({ sum: sketchOf([1]).serialise().sum }), /sum must equal the exact sum/],
      [patch({ exactCap: 3 }), /exact must be null when count > exactCap/],
    ];
    for (const [b, message] of cases) {
      expect(() => QuantileSketch.deserialise(b)).toThrow(/^analysis\/quantile-sketch: cannot deserialise/);
      expect(() => QuantileSketch.deserialise(b)).toThrow(message);
    }
    const empty = QuantileSketch.create().serialise();
    expect(empty.exact).toEqual([]);
    expect(() => QuantileSketch.deserialise({ ...empty, min: 0 })).toThrow(
      /must be null for an empty sketch/,
    );
  });
});
