/**
 * The health posterior (health-2): what is sampled, its density, one adaptive Metropolis chain and the
 * convergence diagnostics. Pure (no I/O): `chains.ts` runs several chains on worker threads.
 *
 * Model: log(observed) = log(expected deaths) + e, e ~ Normal(0, sigma_c^2), independently for each
 * fitted (year, group) point, where c is the point's error class (total, synthetic opioids, other
 * groups). The sigmas stand for observation and structural error and are sampled with the model
 * parameters (log-uniform priors on [sigmaMin, sigmaMax] from data/calibration/free-parameters.json);
 * every model parameter has a uniform prior on its declared range (log-uniform when the range spans
 * a factor of 10 or more), times the informative priors declared in free-parameters.json (health-2).
 * Besides the groups, the points include deaths involving a stimulant and no opioid (health-2). The chain moves in the logit of each parameter's unit interval.
 *
 * Sampler: adaptive Metropolis (Haario, Saksman & Tamminen, Bernoulli 2001) with global scale
 * adaptation toward 23.4% acceptance (Andrieu & Thoms, Stat. Comput. 2008) during the first half of
 * the chain; the second half uses the frozen proposal (an ordinary Metropolis chain), and only it is
 * kept. Diagnostics: split R-hat and effective sample size with Geyer's initial monotone sequence, as
 * in Stan (Gelman et al., Bayesian Data Analysis, 3rd ed., ch. 11).
 */

import freeFile from '../../data/calibration/free-parameters.json' with { type: 'json' };
import targets from '../../data/targets/deaths.json' with { type: 'json' };
import { nelderMead } from '../analysis/nelder-mead.js';
import { normal } from '../core/distributions.js';
import { CrossroadsError } from '../core/errors.js';
import { Xoshiro128 } from '../core/rng.js';
import type { Scenario } from '../spec/scenario.js';
import { EXTRA_SERIES, type ExtraSeries, GROUPS, type Group, historyRun } from './history-run.js';

/** One fitted observation. */
export interface Point {
  year: number;
  group: Group | ExtraSeries;
  /** Column of `historyRun`'s rows: index into GROUPS, or GROUPS.length + index into EXTRA_SERIES. */
  g: number;
  /** Error class: 0 total, 1 synthetic opioids, 2 other groups. */
  cls: number;
  observed: number;
  /** True when the count is an estimate (no final count found). */
  estimate: boolean;
}

export const SIGMA_IDS = ['sigma.total', 'sigma.syntheticOpioids', 'sigma.otherGroups'] as const;

/** Observations of the fitted groups in [first, last] (years without a count are skipped). */
export function observations(first: number, last: number): Point[] {
  const series: Record<Group, { year: number; value: number; note?: string; source: string }[]> = {
    total: targets.total,
    syntheticOpioids: targets.syntheticOpioids,
    otherOpioids: targets.groups.otherOpioids,
    cocaine: targets.groups.cocaine,
    otherStimulants: targets.groups.otherStimulants,
  };
  const out: Point[] = [];
  for (const [g, group] of GROUPS.entries()) {
    for (const r of series[group]) {
      if (r.year < first || r.year > last) continue;
      out.push({
        year: r.year,
        group,
        g,
        cls: g === 0 ? 0 : g === 1 ? 1 : 2,
        observed: r.value,
        estimate: r.source.startsWith('estimate'),
      });
    }
  }
  // Deaths involving a stimulant and no opioid (published shares), fitted with the other groups' sigma.
  const without = targets.withoutOpioids as unknown as Record<
    string,
    { year: number; value: number; source: string }[]
  >;
  for (const [k, extra] of EXTRA_SERIES.entries()) {
    for (const r of without[extra.target]) {
      if (r.year < first || r.year > last) continue;
      out.push({
        year: r.year,
        group: extra.key,
        g: GROUPS.length + k,
        cls: 2,
        observed: r.value,
        estimate: false,
      });
    }
  }
  if (!out.some((p) => p.year === last && p.group === 'total'))
    throw new CrossroadsError('calibration', [
      { path: 'years', value: last, expected: 'a last fitted year with a CDC/NCHS total (2015-2024)' },
    ]);
  return out;
}

/** How one sampled dimension maps to the unit interval. */
export interface Dim {
  id: string;
  lo: number;
  hi: number;
  log: boolean;
  /**
   * An informative prior (health-2): Normal(mean, sd) on the value (on its logarithm for a log
   * dimension), truncated to the range. Absent: uniform (log-uniform) on the range.
   */
  prior?: { mean: number; sd: number };
}

/** A declared informative prior (data/calibration/free-parameters.json `priors`). */
interface PriorSpec {
  mean: number;
  sd: number;
  source: string;
}

/** The sampled dimensions: the posterior's model parameters, then the three error sigmas. */
export function dimensions(scenario: Scenario): Dim[] {
  const dims: Dim[] = [];
  const priors = ((freeFile as { priors?: Record<string, PriorSpec | string> }).priors ?? {}) as Record<
    string,
    PriorSpec | string
  >;
  for (const id of posteriorParameters(scenario)) {
    const [lo, hi] = scenario.parameters[id].range!;
    const log = lo > 0 && hi / lo >= 10;
    const spec = priors[id];
    if (typeof spec === 'object' && !(spec.sd > 0 && Number.isFinite(spec.mean) && (!log || spec.mean > 0)))
      throw new CrossroadsError('calibration', [
        {
          path: `priors.${id}`,
          value: spec,
          expected: 'a prior { mean, sd > 0, source } (mean > 0 on a log range)',
        },
      ]);
    const prior =
      typeof spec === 'object' ? { mean: log ? Math.log(spec.mean) : spec.mean, sd: spec.sd } : undefined;
    dims.push({ id, lo, hi, log, ...(prior ? { prior } : {}) });
  }
  const ranges = freeFile.sigmaRange as unknown as Record<string, [number, number]>;
  for (const id of SIGMA_IDS) {
    const [lo, hi] = ranges[id.slice('sigma.'.length)];
    dims.push({ id, lo, hi, log: true });
  }
  return dims;
}

/**
 * Model parameters in the posterior: those listed in free-parameters.json (`parameters`, the point
 * fit's free set, and `sampled`, the others that shape the history), each declared with a range.
 */
export function posteriorParameters(scenario: Scenario): string[] {
  const ids = [...freeFile.parameters, ...freeFile.sampled];
  for (const id of ids) {
    const spec = scenario.parameters[id];
    if (!spec?.range || !(spec.range[1] > spec.range[0]))
      throw new CrossroadsError('calibration', [
        { path: `parameters.${id}`, value: spec?.range, expected: 'a declared parameter with a range' },
      ]);
  }
  return ids;
}

export const toUnit = (d: Dim, v: number): number =>
  d.log ? (Math.log(v) - Math.log(d.lo)) / (Math.log(d.hi) - Math.log(d.lo)) : (v - d.lo) / (d.hi - d.lo);
export const fromUnit = (d: Dim, u: number): number =>
  d.log ? Math.exp(Math.log(d.lo) + u * (Math.log(d.hi) - Math.log(d.lo))) : d.lo + u * (d.hi - d.lo);
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const logit = (u: number) => Math.log(u / (1 - u));

/** The posterior of one fit: the dimensions, the points and the density. */
export class Posterior {
  readonly dims: Dim[];
  readonly points: Point[];
  readonly modelDims: number;
  constructor(
    readonly scenario: Scenario,
    readonly lastYear: number,
  ) {
    this.dims = dimensions(scenario);
    this.modelDims = this.dims.length - SIGMA_IDS.length;
    this.points = observations(Number(scenario.horizon.start.slice(0, 4)), lastYear);
  }

  /** Model parameter values of a point in unit space. */
  values(u: ArrayLike<number>): Record<string, number> {
    const v: Record<string, number> = {};
    for (let i = 0; i < this.modelDims; i++) v[this.dims[i].id] = fromUnit(this.dims[i], u[i]);
    return v;
  }

  /** Error sigmas (by class) of a point in unit space. */
  sigmas(u: ArrayLike<number>): number[] {
    return SIGMA_IDS.map((_, k) => fromUnit(this.dims[this.modelDims + k], u[this.modelDims + k]));
  }

  /** Expected deaths by year and group up to the last fitted year. */
  expected(u: ArrayLike<number>): number[][] {
    return historyRun(this.scenario, this.values(u), this.lastYear);
  }

  /** Log likelihood of a point in unit space. */
  logLikelihood(u: ArrayLike<number>): number {
    const rows = this.expected(u);
    const s = this.sigmas(u);
    const first = Number(this.scenario.horizon.start.slice(0, 4));
    let l = 0;
    for (const p of this.points) {
      const m = rows[p.year - first][p.g];
      if (!(m > 0)) return Number.NEGATIVE_INFINITY;
      const r = Math.log(m / p.observed) / s[p.cls];
      l += -Math.log(s[p.cls]) - 0.5 * r * r;
    }
    return l;
  }

  /**
   * Log posterior in logit space: uniform prior in unit space (with the logit Jacobian), times the
   * informative priors' normal densities (on the value, or its logarithm for a log dimension).
   */
  logDensity(z: ArrayLike<number>): number {
    const u = new Float64Array(z.length);
    let lp = 0;
    for (let i = 0; i < z.length; i++) {
      u[i] = sigmoid(z[i]);
      if (!(u[i] > 0 && u[i] < 1)) return Number.NEGATIVE_INFINITY;
      lp += Math.log(u[i]) + Math.log(1 - u[i]);
      const prior = this.dims[i].prior;
      if (prior) {
        const v = fromUnit(this.dims[i], u[i]);
        const r = ((this.dims[i].log ? Math.log(v) : v) - prior.mean) / prior.sd;
        lp -= 0.5 * r * r;
      }
    }
    return lp + this.logLikelihood(u);
  }
}

/** Settings of one chain. */
export interface ChainSettings {
  iterations: number;
  /** Keep every `thin`-th draw of the second half. */
  thin: number;
  seed: number;
  chain: number;
  /** Start around this point (logit space), jittered by `jitter`; absent: a dispersed start. */
  around?: number[];
  jitter?: number;
}

/** A dispersed point: uniform on [0.1, 0.9] of each unit interval, in logit space. */
function dispersed(d: number, rng: Xoshiro128): Float64Array<ArrayBuffer> {
  return Float64Array.from({ length: d }, () => logit(0.1 + 0.8 * rng.next()));
}

/** A local optimum of the posterior density. */
export interface Optimum {
  start: number;
  z: number[];
  logDensity: number;
  evaluations: number;
}

/**
 * Maximise the posterior density from a dispersed start (Nelder-Mead in logit space, restarted with
 * smaller steps). `start` numbers the start (its seed stream).
 */
export function optimize(post: Posterior, seed: number, start: number, evaluations: number): Optimum {
  const rng = Xoshiro128.fromSeed(seed, 1000 + start);
  let z = Array.from(dispersed(post.dims.length, rng));
  for (let tries = 0; tries < 100 && !Number.isFinite(post.logDensity(z)); tries++)
    z = Array.from(dispersed(post.dims.length, rng));
  let value = -post.logDensity(z);
  let used = 0;
  for (const step of [1, 0.3, 0.1, 0.03]) {
    const r = nelderMead(
      (x) => {
        const ld = post.logDensity(x);
        return Number.isFinite(ld) ? -ld : 1e300;
      },
      z,
      { maxEvaluations: Math.floor(evaluations / 4), initialStep: step },
    );
    used += r.evaluations;
    if (r.value <= value) {
      z = r.x;
      value = r.value;
    }
  }
  return { start, z, logDensity: -value, evaluations: used };
}

/** One chain's kept draws (unit space, row-major) and its statistics. */
export interface ChainResult {
  chain: number;
  dims: number;
  /** Kept draws, draws x dims, unit space. */
  draws: Float64Array;
  logDensity: Float64Array;
  acceptance: number;
  /** The starting point (unit space). */
  start: number[];
}

/**
 * Run one adaptive Metropolis chain from a dispersed start. `shouldStop` is polled every 100
 * iterations (an abort hook); when it returns true the chain ends early and returns null.
 */
export function runChain(post: Posterior, s: ChainSettings, shouldStop?: () => boolean): ChainResult | null {
  const d = post.dims.length;
  const rng = Xoshiro128.fromSeed(s.seed, s.chain);
  // Start around the given point, or dispersed; retried until the density is finite.
  let z: Float64Array = new Float64Array(d);
  let lp = Number.NEGATIVE_INFINITY;
  for (let tries = 0; tries < 100 && !Number.isFinite(lp); tries++) {
    if (s.around) {
      const jitter = s.jitter ?? 0.5;
      z = Float64Array.from(s.around, (v) => v + jitter * normal(rng));
    } else z = dispersed(d, rng);
    lp = post.logDensity(z);
  }
  const start = Array.from(z, sigmoid);
  if (!Number.isFinite(lp))
    throw new CrossroadsError('calibration', [
      { path: 'start', value: s.chain, expected: 'a starting point with finite density' },
    ]);
  const adaptEnd = Math.floor(s.iterations / 2);
  // Running mean and covariance (Welford) of the chain in logit space.
  const mean = new Float64Array(d);
  const cov = new Float64Array(d * d);
  let n = 0;
  let logScale = Math.log((2.38 * 2.38) / d);
  // Proposal Cholesky factor; starts diagonal (0.1 in logit units).
  let chol: Float64Array = new Float64Array(d * d);
  for (let i = 0; i < d; i++) chol[i * d + i] = 0.1;
  const kept = Math.floor((s.iterations - adaptEnd) / s.thin);
  const draws = new Float64Array(kept * d);
  const lds = new Float64Array(kept);
  let k = 0;
  let keptAccepts = 0;
  const prop = new Float64Array(d);
  const eps = new Float64Array(d);
  for (let it = 0; it < s.iterations; it++) {
    if (it % 100 === 0 && shouldStop?.()) return null;
    for (let i = 0; i < d; i++) eps[i] = normal(rng);
    const scale = it < adaptEnd && n < 2 * d ? 1 : Math.exp(logScale / 2);
    for (let i = 0; i < d; i++) {
      let v = 0;
      for (let j = 0; j <= i; j++) v += chol[i * d + j] * eps[j];
      prop[i] = z[i] + scale * v;
    }
    const lpp = post.logDensity(prop);
    const logAlpha = lpp - lp;
    const accept = Math.log(rng.next()) < logAlpha;
    if (accept) {
      z.set(prop);
      lp = lpp;
      if (it >= adaptEnd) keptAccepts++;
    }
    if (it < adaptEnd) {
      // Welford update of the running covariance.
      n++;
      for (let i = 0; i < d; i++) eps[i] = z[i] - mean[i];
      for (let i = 0; i < d; i++) mean[i] += eps[i] / n;
      for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) cov[i * d + j] += eps[i] * (z[j] - mean[j]);
      if (n >= 2 * d) {
        const alpha = Math.min(1, Math.exp(logAlpha));
        logScale += (alpha - 0.234) / (1 + n / 100) ** 0.6;
      }
      if (n >= 2 * d && (n % 100 === 0 || it === adaptEnd - 1)) {
        const c = new Float64Array(d * d);
        for (let i = 0; i < d; i++)
          for (let j = 0; j <= i; j++) {
            const v = cov[i * d + j] / (n - 1) + (i === j ? 1e-8 : 0);
            c[i * d + j] = v;
            c[j * d + i] = v;
          }
        const l = cholesky(c, d);
        if (l) chol = l;
      }
    } else if ((it - adaptEnd) % s.thin === s.thin - 1 && k < kept) {
      for (let i = 0; i < d; i++) draws[k * d + i] = sigmoid(z[i]);
      lds[k] = lp;
      k++;
    }
  }
  return {
    chain: s.chain,
    dims: d,
    draws,
    logDensity: lds,
    acceptance: keptAccepts / Math.max(1, s.iterations - adaptEnd),
    start,
  };
}

/** Lower Cholesky factor of a symmetric positive-definite d x d matrix, or null. */
export function cholesky(a: Float64Array, d: number): Float64Array | null {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * d + j];
      for (let k = 0; k < j; k++) s -= l[i * d + k] * l[j * d + k];
      if (i === j) {
        if (!(s > 0)) return null;
        l[i * d + i] = Math.sqrt(s);
      } else l[i * d + j] = s / l[j * d + j];
    }
  }
  return l;
}

/** Per-dimension diagnostics across chains. */
export interface Diagnostic {
  id: string;
  rhat: number;
  ess: number;
  /** The posterior piles up at a bound: its 5th or 95th percentile within 2% of the range from it. */
  onBound: boolean;
  median: number;
  p5: number;
  p95: number;
}

/** Whether posterior percentiles (unit scale) sit at a bound of the range. */
export function onBoundAt(p5U: number, p95U: number): boolean {
  return p5U < 0.02 || p95U > 0.98;
}

/** Split R-hat and ESS of each dimension (on logit values, which are unbounded). */
export function diagnostics(dims: Dim[], chains: ChainResult[]): Diagnostic[] {
  const d = dims.length;
  const n = Math.min(...chains.map((c) => c.draws.length / d));
  return dims.map((dim, i) => {
    const seqs = chains.map((c) => Array.from({ length: n }, (_, k) => logit(c.draws[k * d + i])));
    const half = Math.floor(n / 2);
    const splits = seqs.flatMap((s) => [s.slice(0, half), s.slice(half, 2 * half)]);
    const all = chains
      .flatMap((c) => Array.from({ length: n }, (_, k) => c.draws[k * d + i]))
      .sort((a, b) => a - b);
    const q = (p: number) => fromUnit(dim, all[Math.min(all.length - 1, Math.floor(p * all.length))]);
    const p5U = all[Math.floor(0.05 * all.length)];
    const p95U = all[Math.min(all.length - 1, Math.floor(0.95 * all.length))];
    return {
      id: dim.id,
      rhat: splitRhat(splits),
      ess: essOf(splits),
      onBound: onBoundAt(p5U, p95U),
      median: q(0.5),
      p5: q(0.05),
      p95: q(0.95),
    };
  });
}

function meanOf(x: number[]): number {
  let s = 0;
  for (const v of x) s += v;
  return s / x.length;
}
function varOf(x: number[], m = meanOf(x)): number {
  let s = 0;
  for (const v of x) s += (v - m) ** 2;
  return s / (x.length - 1);
}

/** Gelman-Rubin potential scale reduction over the given sequences. */
export function splitRhat(seqs: number[][]): number {
  const n = seqs[0].length;
  const means = seqs.map((s) => meanOf(s));
  const w = meanOf(seqs.map((s, k) => varOf(s, means[k])));
  const b = n * varOf(means);
  const varPlus = ((n - 1) / n) * w + b / n;
  return w > 0 ? Math.sqrt(varPlus / w) : 1;
}

/** Effective sample size over sequences (Stan's estimator with Geyer's initial monotone sequence). */
export function essOf(seqs: number[][]): number {
  const m = seqs.length;
  const n = seqs[0].length;
  const means = seqs.map((s) => meanOf(s));
  const vars = seqs.map((s, k) => varOf(s, means[k]));
  const w = meanOf(vars);
  const varPlus = ((n - 1) / n) * w + varOf(means);
  if (!(varPlus > 0)) return m * n;
  const acov = (t: number) => {
    let total = 0;
    for (let k = 0; k < m; k++) {
      const s = seqs[k];
      const mu = means[k];
      let a = 0;
      for (let j = 0; j + t < n; j++) a += (s[j] - mu) * (s[j + t] - mu);
      total += a / n;
    }
    return total / m;
  };
  const rho = (t: number) => 1 - (w - acov(t)) / varPlus;
  let sum = 0;
  let prev = Number.POSITIVE_INFINITY;
  for (let t = 0; t + 1 < n; t += 2) {
    let p = (t === 0 ? 1 : rho(t)) + rho(t + 1);
    if (p < 0) break;
    if (p > prev) p = prev;
    prev = p;
    sum += p;
  }
  const tau = -1 + 2 * sum;
  return (m * n) / Math.max(tau, 1 / Math.log10(m * n));
}

/** Pick `count` draws spread evenly over all chains' kept draws (interleaved by chain). */
export function spreadDraws(chains: ChainResult[], count: number): number[][] {
  const d = chains[0].dims;
  const n = Math.min(...chains.map((c) => c.draws.length / d));
  const total = n * chains.length;
  const out: number[][] = [];
  for (let k = 0; k < count; k++) {
    const idx = Math.floor(((k + 0.5) * total) / count);
    const c = chains[idx % chains.length];
    const row = Math.floor(idx / chains.length);
    out.push(Array.from(c.draws.subarray(row * d, row * d + d)));
  }
  return out;
}
