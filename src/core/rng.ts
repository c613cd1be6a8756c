/**
 * Seeded random numbers. xoshiro128** (Blackman & Vigna, "Scrambled linear pseudorandom number
 * generators", ACM TOMS 2021) on four 32-bit words: fast in JavaScript without BigInt.
 * The state is seeded from (seed, replicate) with SplitMix32-style mixing (Steele, Lea & Flood 2014),
 * and a run's independent streams are made by the generator's jump function (2^64 steps apart),
 * never by picking new seeds. Nothing in Crossroads uses the unseeded global generator.
 */

import { fail } from './errors.js';

/** A generator of uniform numbers in [0, 1). */
export interface Rng {
  /** Next uniform double in [0, 1) with 53 random bits. */
  next(): number;
  /** Next unsigned 32-bit integer. */
  nextU32(): number;
}

const JUMP = [0x8764000b, 0xf542d2d3, 0x6fa035c3, 0x77f2db5b];

function mix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** xoshiro128** generator with an explicit, copyable state. */
export class Xoshiro128 implements Rng {
  private s: Uint32Array;
  constructor(state: Uint32Array) {
    if (state.length !== 4 || (state[0] | state[1] | state[2] | state[3]) === 0) {
      fail('core/rng', 'state', Array.from(state), 'four 32-bit words, not all zero');
    }
    this.s = Uint32Array.from(state);
  }

  /** Seed from a run seed and a replicate index (both non-negative integers below 2^53). */
  static fromSeed(seed: number, replicate = 0): Xoshiro128 {
    if (!Number.isSafeInteger(seed) || seed < 0) fail('core/rng', 'seed', seed, 'an integer >= 0');
    if (!Number.isSafeInteger(replicate) || replicate < 0) {
      fail('core/rng', 'replicate', replicate, 'an integer >= 0');
    }
    const seedLo = seed >>> 0;
    const seedHi = Math.floor(seed / 2 ** 32) >>> 0;
    const repLo = replicate >>> 0;
    const repHi = Math.floor(replicate / 2 ** 32) >>> 0;
    let x = mix32(seedLo ^ mix32(seedHi ^ 0x5bd1e995));
    x = mix32(x ^ repLo);
    x = mix32(x ^ mix32(repHi ^ 0x27d4eb2f));
    const st = new Uint32Array(4);
    for (let i = 0; i < 4; i++) {
      x = mix32(x + i * 0x6a09e667);
      st[i] = x;
    }
    if ((st[0] | st[1] | st[2] | st[3]) === 0) st[0] = 1;
    return new Xoshiro128(st);
  }

  /** Copy of the current state. */
  state(): Uint32Array {
    return Uint32Array.from(this.s);
  }

  clone(): Xoshiro128 {
    return new Xoshiro128(this.s);
  }

  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  next(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Advance by 2^64 steps in place (used to make non-overlapping streams). */
  jump(): void {
    const s = this.s;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (const word of JUMP) {
      for (let b = 0; b < 32; b++) {
        if ((word >>> b) & 1) {
          s0 ^= s[0];
          s1 ^= s[1];
          s2 ^= s[2];
          s3 ^= s[3];
        }
        this.nextU32();
      }
    }
    s[0] = s0 >>> 0;
    s[1] = s1 >>> 0;
    s[2] = s2 >>> 0;
    s[3] = s3 >>> 0;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * Make `count` independent streams for one run: stream i is the run's generator jumped i+1 times.
 * Stream order is part of the model version: add new streams at the end.
 */
export function makeStreams(seed: number, replicate: number, count: number): Xoshiro128[] {
  const base = Xoshiro128.fromSeed(seed, replicate);
  const out: Xoshiro128[] = [];
  for (let i = 0; i < count; i++) {
    base.jump();
    out.push(base.clone());
  }
  return out;
}
