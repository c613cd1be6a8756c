import { describe, expect, it } from 'vitest';
import { Float64Arena } from '../src/core/arena.js';
import { normalQuantile, poissonApproxAt, triangularAt } from '../src/core/distributions.js';
import { CrossroadsError } from '../src/core/errors.js';
import { canonicalJson, hashValue, sha256Hex } from '../src/core/hash.js';
import { makeStreams, Xoshiro128 } from '../src/core/rng.js';
import { formatMonth, makeTimeAxis, parseMonth } from '../src/core/time.js';

describe('sha256', () => {
  it('matches FIPS 180-4 test vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
    // Multi-block message and UTF-8.
    expect(sha256Hex('a'.repeat(1000))).toBe(
      '41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3',
    );
  });
});

describe('canonical JSON', () => {
  it('sorts keys at every level and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 0, y: 'x' }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"y":"x","z":0}]},"b":1}',
    );
  });
  it('gives the same hash whatever the key order', () => {
    expect(hashValue({ a: 1, b: [2, 3] })).toBe(hashValue({ b: [2, 3], a: 1 }));
    expect(hashValue({ a: 1 })).not.toBe(hashValue({ a: 2 }));
  });
  it('rejects non-finite numbers with the path', () => {
    expect(() => canonicalJson({ x: [1, Number.NaN] })).toThrow(/x\[1\]/);
  });
});

describe('random streams', () => {
  it('replays bit for bit from (seed, replicate)', () => {
    const a = Xoshiro128.fromSeed(42, 7);
    const b = Xoshiro128.fromSeed(42, 7);
    for (let i = 0; i < 1000; i++) expect(a.nextU32()).toBe(b.nextU32());
  });
  it('gives different sequences for different seeds and replicates', () => {
    const first = (s: number, r: number) => Xoshiro128.fromSeed(s, r).nextU32();
    const seen = new Set<number>();
    for (let s = 0; s < 50; s++) for (let r = 0; r < 20; r++) seen.add(first(s, r));
    expect(seen.size).toBe(1000);
  });
  it('makes jumped streams that do not overlap their first outputs', () => {
    const [s0, s1, s2] = makeStreams(1, 0, 3);
    const xs = new Set<number>();
    for (const s of [s0, s1, s2]) for (let i = 0; i < 2000; i++) xs.add(s.nextU32());
    expect(xs.size).toBeGreaterThan(5990);
  });
  it('produces uniform doubles in [0,1) with the right mean and spread', () => {
    const r = Xoshiro128.fromSeed(3);
    let sum = 0;
    let sq = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      sum += u;
      sq += u * u;
    }
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(sq / n - sum ** 2 / n ** 2 - 1 / 12)).toBeLessThan(0.002);
  });
  it('rejects a bad seed with a clear error', () => {
    expect(() => Xoshiro128.fromSeed(-1)).toThrow(CrossroadsError);
    expect(() => Xoshiro128.fromSeed(1.5)).toThrow(/seed/);
  });
});

describe('distributions', () => {
  it('normal quantile matches known values', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 6);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306, 6);
  });
  it('triangular stays inside its support and hits the mode at its CDF point', () => {
    expect(triangularAt(0, 1, 2, 4)).toBe(1);
    expect(triangularAt(1 / 3, 1, 2, 4)).toBeCloseTo(2, 9);
    expect(triangularAt(0.999999, 1, 2, 4)).toBeLessThan(4);
  });
  it('the count approximation is monotone in its mean for a fixed deviate', () => {
    for (const z of [-3, -1, 0, 1, 3]) {
      let prev = -1;
      for (let m = 10; m < 1e5; m *= 1.5) {
        const v = poissonApproxAt(z, m);
        expect(v).toBeGreaterThanOrEqual(prev);
        prev = v;
      }
    }
  });
});

describe('time', () => {
  it('parses and formats months', () => {
    expect(formatMonth(parseMonth('2026-01'))).toBe('2026-01');
    expect(parseMonth('2015-12') - parseMonth('2015-01')).toBe(11);
  });
  it('names the field and expectation on bad months', () => {
    expect(() => parseMonth('2026-13', 'levers[0].start')).toThrow(
      /levers\[0\]\.start.*"2026-13".*between 01 and 12/,
    );
    expect(() => parseMonth('Jan 2026')).toThrow(/YYYY-MM/);
  });
  it('builds the 2015-2035 axis with 252 monthly steps', () => {
    const a = makeTimeAxis('2015-01', '2035-12');
    expect(a.steps).toBe(252);
    expect(a.years).toBe(21);
  });
});

describe('Float64Arena', () => {
  it('gives zeroed, disjoint views, and reuses released buffers zeroed again', () => {
    const a = new Float64Arena(64);
    const x = a.zeros(10);
    const y = a.filled(10, 2);
    const big = a.zeros(40); // more than a quarter block: its own buffer
    expect(x.buffer).toBe(y.buffer);
    expect(big.buffer).not.toBe(x.buffer);
    x.fill(7);
    expect(Array.from(y)).toEqual(new Array(10).fill(2));
    big.fill(9);
    a.release();
    expect(() => a.zeros(1)).toThrow(/used after release/);
    const b = new Float64Arena(64);
    const x2 = b.zeros(10);
    const big2 = b.zeros(40);
    // Same lengths come back from the pool, cleared.
    expect(x2.buffer === x.buffer || big2.buffer === big.buffer).toBe(true);
    expect(Array.from(x2).every((v) => v === 0)).toBe(true);
    expect(Array.from(big2).every((v) => v === 0)).toBe(true);
    b.release();
  });
});
