/**
 * Sampling the declared uncertainties. Parameters marked `calibrated: true` are drawn jointly: one
 * whole set from the calibration's accepted parameter sets (data/calibration/accepted.json), so every
 * replicate stays consistent with history. Every other parameter with a range is drawn from its
 * declared distribution (triangular with mode = value when none is declared: the value is the best
 * estimate, the range its plausible bounds). Without accepted sets the calibrated parameters are held
 * at their declared values and the space says so in `notes`.
 *
 * Designs (McKay, Beckman & Conover, Technometrics 1979, for the Latin hypercube):
 * - Monte Carlo: replicate i is a pure function of (seed, i).
 * - Latin hypercube: replicate i of an N-point design is a pure function of (seed, N, i). Each
 *   dimension's strata are permuted by a keyed Feistel permutation of [0, N) with cycle walking
 *   (Black & Rogaway, "Ciphers with arbitrary finite domains", CT-RSA 2002), so one point is computed
 *   in O(dimensions) without building the whole design.
 *
 * The parameter stream of replicate i is the (seed, i) generator long-jumped by 2^96 steps; the run's
 * own streams (health, supply, events: `makeStreams(seed, i, k)`) are the same generator jumped 1..k
 * times by 2^64, so the two never overlap for any k < 2^32 and drawing parameters leaves the run's
 * stochastic events untouched.
 */

import { logUniformAt, triangularAt, uniformAt } from '../core/distributions.js';
import { CrossroadsError, fail, type InputIssue } from '../core/errors.js';
import { Xoshiro128 } from '../core/rng.js';
import type { Scenario } from '../spec/scenario.js';

const MODULE = 'experiment/sampling';

/** Sampling settings. */
export const SAMPLING_DEFAULTS = {
  /** Distribution used when a parameter declares a range but no distribution. */
  distribution: 'triangular',
  /** Rounds of the Feistel permutation used by the Latin hypercube (4 rounds: a pseudorandom permutation). */
  feistelRounds: 4,
} as const;

/** How replicates are placed in the uncertainty space. */
export type Design = 'monte-carlo' | 'latin-hypercube';
export const DESIGNS: readonly Design[] = ['monte-carlo', 'latin-hypercube'];

/** The calibration's accepted parameter sets (`crossroads calibrate` writes them). */
export interface AcceptedSets {
  parameters: string[];
  sets: number[][];
}

/** One parameter drawn from its declared range. */
export interface RangedParameter {
  id: string;
  distribution: 'uniform' | 'loguniform' | 'triangular';
  lo: number;
  hi: number;
  mode: number;
}

/** What a design draws: the dimensions, in draw order. */
export interface ParameterSpace {
  /** Parameters drawn from their declared distributions, sorted by id. */
  ranged: RangedParameter[];
  /** Calibrated parameters drawn jointly (one accepted set per replicate), or null. */
  joint: { ids: string[]; sets: number[][] } | null;
  /** Calibrated parameters held at their declared values. */
  heldAtDeclared: string[];
  /** Plain-language notes for the manifest (e.g. why calibrated parameters are held). */
  notes: string[];
  /** Number of uniform dimensions (the joint draw counts as one, drawn first). */
  dimensions: number;
}

/** Validate parsed `accepted.json` content; `label` names the file in errors. */
export function checkAcceptedSets(data: unknown, label: string): AcceptedSets {
  const d = data as Partial<AcceptedSets> | null;
  if (typeof d !== 'object' || d === null || !Array.isArray(d.parameters) || !Array.isArray(d.sets)) {
    fail(MODULE, label, data, '{ "parameters": string[], "sets": number[][] }');
  }
  const issues: InputIssue[] = [];
  d.parameters.forEach((p, i) => {
    if (typeof p !== 'string' || p === '')
      issues.push({ path: `${label}.parameters[${i}]`, value: p, expected: 'a parameter id' });
  });
  if (new Set(d.parameters).size !== d.parameters.length) {
    issues.push({
      path: `${label}.parameters`,
      value: d.parameters.join(','),
      expected: 'distinct parameter ids',
    });
  }
  d.sets.forEach((s, i) => {
    if (
      !Array.isArray(s) ||
      s.length !== d.parameters?.length ||
      s.some((v) => typeof v !== 'number' || !Number.isFinite(v))
    ) {
      issues.push({
        path: `${label}.sets[${i}]`,
        value: s,
        expected: `${d.parameters?.length} finite numbers, one per listed parameter`,
      });
    }
  });
  if (issues.length) throw new CrossroadsError(MODULE, issues.slice(0, 10));
  return { parameters: [...d.parameters], sets: d.sets.map((s) => [...s]) };
}

/** Build the space a design samples: which parameters vary and how. */
export function parameterSpace(scenario: Scenario, accepted: AcceptedSets | null): ParameterSpace {
  const ids = Object.keys(scenario.parameters).sort();
  const calibrated = ids.filter((id) => scenario.parameters[id].calibrated === true);
  const notes: string[] = [];
  let joint: ParameterSpace['joint'] = null;
  const heldAtDeclared: string[] = [];

  if (accepted && accepted.sets.length > 0) {
    const unknown = accepted.parameters.filter((p) => !scenario.parameters[p]);
    if (unknown.length) {
      fail(MODULE, 'accepted.parameters', unknown.join(', '), 'ids of parameters declared in the scenario');
    }
    // Every parameter listed in the accepted sets is drawn jointly (the calibrated ones and the
    // other history-shaping ones sampled with them), unless the scenario overrides its value
    // (the resolver then marks it `calibrated: false`).
    const cols = accepted.parameters
      .map((p, j) => [p, j] as const)
      .filter(([p]) => scenario.parameters[p].calibrated !== false);
    const skipped = accepted.parameters.filter((p) => scenario.parameters[p].calibrated === false);
    if (skipped.length)
      notes.push(
        `accepted sets also list ${skipped.join(', ')}, overridden by this scenario: drawn from their declared ranges instead`,
      );
    joint = { ids: cols.map(([p]) => p), sets: accepted.sets.map((s) => cols.map(([, j]) => s[j])) };
    for (const id of calibrated) if (!joint.ids.includes(id)) heldAtDeclared.push(id);
    notes.push(
      `${joint.ids.length} history-shaping parameters (${calibrated.length} fitted) drawn jointly from ${accepted.sets.length} accepted sets`,
    );
    if (heldAtDeclared.length)
      notes.push(
        `calibrated but missing from the accepted sets, held at declared values: ${heldAtDeclared.join(', ')}`,
      );
    if (joint.ids.length === 0) joint = null;
  } else if (calibrated.length) {
    heldAtDeclared.push(...calibrated);
    notes.push(
      `no accepted calibration sets (run \`crossroads calibrate\`): the ${calibrated.length} calibrated parameters are held at their declared values, so the bands understate uncertainty`,
    );
  }

  const ranged: RangedParameter[] = [];
  for (const id of ids) {
    const p = scenario.parameters[id];
    if (p.calibrated === true || !p.range || joint?.ids.includes(id)) continue;
    const [lo, hi] = p.range;
    if (hi <= lo) continue; // a degenerate range is a constant
    ranged.push({
      id,
      distribution: p.distribution ?? SAMPLING_DEFAULTS.distribution,
      lo,
      hi,
      mode: p.value,
    });
  }
  return { ranged, joint, heldAtDeclared, notes, dimensions: ranged.length + (joint ? 1 : 0) };
}

// Long-jump polynomial of xoshiro128** (2^96 steps; Blackman & Vigna's reference code).
const LONG_JUMP = [0xb523952e, 0x0b6f099f, 0xccf5a0ef, 0x1c580662];

/** The parameter stream of replicate `replicate`: the (seed, replicate) generator long-jumped 2^96 steps. */
export function parameterStream(seed: number, replicate: number): Xoshiro128 {
  return longJumped(Xoshiro128.fromSeed(seed, replicate));
}

/**
 * The observation-error stream of replicate `replicate` (the observable band of `crossroads run`):
 * the (seed, replicate) generator long-jumped twice (2^97 steps), clear of the parameter stream
 * (2^96) and of the run's streams (k 2^64, k < 2^32), so drawing it changes no model output.
 */
export function observationStream(seed: number, replicate: number): Xoshiro128 {
  return longJumped(longJumped(Xoshiro128.fromSeed(seed, replicate)));
}

function longJumped(g: Xoshiro128): Xoshiro128 {
  const acc = new Uint32Array(4);
  for (const word of LONG_JUMP) {
    for (let b = 0; b < 32; b++) {
      if ((word >>> b) & 1) {
        const s = g.state();
        acc[0] ^= s[0];
        acc[1] ^= s[1];
        acc[2] ^= s[2];
        acc[3] ^= s[3];
      }
      g.nextU32();
    }
  }
  return new Xoshiro128(acc);
}

/** murmur3's 32-bit finaliser: a bijective mix used to derive permutation keys. */
function fmix32(h: number): number {
  let x = h >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** A keyed pseudorandom permutation of [0, n). */
export class StratumPermutation {
  private readonly half: number;
  private readonly mask: number;
  private readonly keys: Uint32Array;
  constructor(
    readonly n: number,
    key: readonly number[],
  ) {
    if (!Number.isSafeInteger(n) || n < 1 || n > 2 ** 30) fail(MODULE, 'n', n, 'an integer in [1, 2^30]');
    const bits = Math.max(2, Math.ceil(Math.log2(n)));
    this.half = Math.ceil(bits / 2);
    this.mask = (1 << this.half) - 1;
    this.keys = new Uint32Array(SAMPLING_DEFAULTS.feistelRounds);
    let h = 0x9e3779b9;
    for (const k of key) h = fmix32(h ^ fmix32(k >>> 0) ^ fmix32(Math.floor(k / 2 ** 32) + 0x632be5ab));
    for (let r = 0; r < this.keys.length; r++) {
      h = fmix32(h + 0x6a09e667 + r);
      this.keys[r] = h;
    }
  }

  /** The image of i (0 <= i < n). */
  at(i: number): number {
    let x = i;
    do x = this.feistel(x);
    while (x >= this.n);
    return x;
  }

  private feistel(x: number): number {
    let l = (x >>> this.half) & this.mask;
    let r = x & this.mask;
    for (const k of this.keys) {
      const f = fmix32(r ^ k) & this.mask;
      const t = r;
      r = l ^ f;
      l = t;
    }
    return ((l << this.half) | r) >>> 0;
  }
}

/** A sampler bound to one space, design, seed and size. */
export class Sampler {
  private readonly perms: StratumPermutation[] = [];
  constructor(
    readonly space: ParameterSpace,
    readonly design: Design,
    readonly seed: number,
    readonly n: number,
  ) {
    if (!DESIGNS.includes(design)) fail(MODULE, 'design', design, `one of ${DESIGNS.join(', ')}`);
    if (!Number.isSafeInteger(n) || n < 1) fail(MODULE, 'n', n, 'an integer >= 1');
    if (design === 'latin-hypercube') {
      for (let j = 0; j < space.dimensions; j++) this.perms.push(new StratumPermutation(n, [seed, n, j]));
    }
  }

  /** The unit-cube point of replicate `index` (one uniform per dimension, in draw order). */
  uniforms(index: number): Float64Array {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.n) {
      fail(MODULE, 'index', index, `an integer in [0, ${this.n})`);
    }
    const g = parameterStream(this.seed, index);
    const u = new Float64Array(this.space.dimensions);
    for (let j = 0; j < u.length; j++) {
      const v = g.next();
      u[j] = this.design === 'latin-hypercube' ? (this.perms[j].at(index) + v) / this.n : v;
    }
    return u;
  }

  /** The parameter values of replicate `index` (only the parameters that vary). */
  draw(index: number): Record<string, number> {
    return valuesAt(this.space, this.uniforms(index));
  }
}

/** The accepted set (row of `space.joint.sets`) a replicate draws, from its first uniform. */
export function jointIndex(space: ParameterSpace, u0: number): number {
  const n = space.joint?.sets.length ?? 0;
  return Math.min(n - 1, Math.floor(u0 * n));
}

/**
 * The parameter values at a unit-cube point of a space (one uniform per dimension, in draw order):
 * the joint dimension picks an accepted set, each ranged parameter is its distribution's inverse CDF.
 * Designs other than these replicates (Saltelli, Morris) place their points with it.
 */
export function valuesAt(space: ParameterSpace, u: ArrayLike<number>): Record<string, number> {
  if (u.length !== space.dimensions) fail(MODULE, 'point', u.length, `${space.dimensions} coordinates`);
  const out: Record<string, number> = {};
  let j = 0;
  const joint = space.joint;
  if (joint) {
    const set = joint.sets[jointIndex(space, u[j++])];
    for (let c = 0; c < joint.ids.length; c++) out[joint.ids[c]] = set[c];
  }
  for (const p of space.ranged) {
    const v = u[j++];
    out[p.id] =
      p.distribution === 'uniform'
        ? uniformAt(v, p.lo, p.hi)
        : p.distribution === 'loguniform'
          ? logUniformAt(v, p.lo, p.hi)
          : triangularAt(v, p.lo, Math.min(p.hi, Math.max(p.lo, p.mode)), p.hi);
  }
  return out;
}
