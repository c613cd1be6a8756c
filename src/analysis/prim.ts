/**
 * PRIM, the Patient Rule Induction Method (J. H. Friedman and N. I. Fisher, "Bump hunting in
 * high-dimensional data", Statistics and Computing 9 (1999) 123-143), as scenario discovery uses it
 * (B. P. Bryant and R. J. Lempert, "Thinking inside the box", Technological Forecasting and Social
 * Change 77 (2010) 34-49; the EMA Workbench's `prim`): find a box (one interval per input) holding
 * many of the cases of interest (coverage) and few others (density).
 *
 * Peeling: from the box holding every point, repeatedly remove the alpha share of the box's points
 * at the low or high end of one input, choosing the peel that leaves the highest density (the
 * original objective), until the box's mass would fall below `massMin` or no peel raises the density.
 * Every box on the way is kept: the peeling trajectory is the coverage/density trade-off. Pasting
 * (Friedman & Fisher section 4): the chosen box is then grown back by the alpha share of the points
 * just outside one of its faces while that raises the density. The chosen box is the one of highest
 * coverage (then density) among those with density >= `threshold` (or of highest density when none reaches it).
 * Ties between inputs are broken by input order, so results are deterministic.
 */

import { fail } from '../core/errors.js';

const MODULE = 'analysis/prim';

/** Settings (the EMA Workbench's defaults). */
export const DEFAULTS = {
  peelAlpha: 0.05,
  pasteAlpha: 0.05,
  massMin: 0.05,
  threshold: 0.8,
} as const;

/** Options. */
export interface PrimOptions {
  peelAlpha?: number;
  pasteAlpha?: number;
  massMin?: number;
  threshold?: number;
}

/** A box and how well it isolates the cases of interest. */
export interface PrimBox {
  lo: Float64Array;
  hi: Float64Array;
  /** Cases of interest in the box / all cases of interest. */
  coverage: number;
  /** Cases of interest in the box / points in the box. */
  density: number;
  /** Points in the box / all points. */
  mass: number;
  points: number;
  /** Inputs whose interval is narrower than the data's range. */
  restricted: number[];
}

/** The result: the peeling trajectory, the chosen box (after pasting) and its index on the trajectory. */
export interface PrimResult {
  trajectory: PrimBox[];
  chosen: PrimBox;
  chosenStep: number;
  /** Share of all points that are cases of interest. */
  baseDensity: number;
  /** The data's range per input. */
  lo: Float64Array;
  hi: Float64Array;
}

function checkShare(name: string, v: number, lo: number, hi: number): void {
  if (!(v > lo && v < hi)) fail(MODULE, name, v, `a number strictly between ${lo} and ${hi}`);
}

/** Run PRIM on `x` (n rows x d inputs, row-major) and `y` (1 = case of interest, 0 = not). */
export function prim(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  d: number,
  options: PrimOptions = {},
): PrimResult {
  const peelAlpha = options.peelAlpha ?? DEFAULTS.peelAlpha;
  const pasteAlpha = options.pasteAlpha ?? DEFAULTS.pasteAlpha;
  const massMin = options.massMin ?? DEFAULTS.massMin;
  const threshold = options.threshold ?? DEFAULTS.threshold;
  checkShare('peelAlpha', peelAlpha, 0, 0.5);
  checkShare('pasteAlpha', pasteAlpha, 0, 0.5);
  checkShare('massMin', massMin, 0, 1);
  if (!(threshold >= 0 && threshold <= 1)) fail(MODULE, 'threshold', threshold, 'a density from 0 to 1');
  if (!Number.isSafeInteger(d) || d < 1) fail(MODULE, 'd', d, 'an integer >= 1');
  const n = y.length;
  if (n < 2) fail(MODULE, 'y.length', n, 'at least 2 points');
  if (x.length !== n * d) fail(MODULE, 'x.length', x.length, `${n * d} (${n} rows of ${d} inputs)`);
  let cases = 0;
  for (let i = 0; i < n; i++) {
    if (y[i] !== 0 && y[i] !== 1) fail(MODULE, `y[${i}]`, y[i], '0 or 1');
    cases += y[i];
  }
  for (let i = 0; i < x.length; i++)
    if (!Number.isFinite(x[i])) fail(MODULE, `x[${i}]`, x[i], 'a finite number');
  if (cases === 0) fail(MODULE, 'y', 'no case of interest', 'at least one point meeting the condition');

  const dataLo = new Float64Array(d).fill(Number.POSITIVE_INFINITY);
  const dataHi = new Float64Array(d).fill(Number.NEGATIVE_INFINITY);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const v = x[i * d + j];
      if (v < dataLo[j]) dataLo[j] = v;
      if (v > dataHi[j]) dataHi[j] = v;
    }
  }

  const inside = (lo: Float64Array, hi: Float64Array, i: number, skip = -1): boolean => {
    for (let j = 0; j < d; j++) {
      if (j === skip) continue;
      const v = x[i * d + j];
      if (v < lo[j] || v > hi[j]) return false;
    }
    return true;
  };
  const describe = (lo: Float64Array, hi: Float64Array): PrimBox => {
    let m = 0;
    let c = 0;
    for (let i = 0; i < n; i++) {
      if (inside(lo, hi, i)) {
        m++;
        c += y[i];
      }
    }
    const restricted: number[] = [];
    for (let j = 0; j < d; j++) if (lo[j] > dataLo[j] || hi[j] < dataHi[j]) restricted.push(j);
    return {
      lo: Float64Array.from(lo),
      hi: Float64Array.from(hi),
      coverage: c / cases,
      density: m > 0 ? c / m : 0,
      mass: m / n,
      points: m,
      restricted,
    };
  };

  // Peeling.
  const lo = Float64Array.from(dataLo);
  const hi = Float64Array.from(dataHi);
  const trajectory: PrimBox[] = [describe(lo, hi)];
  let members: number[] = [];
  for (let i = 0; i < n; i++) members.push(i);
  const values = new Float64Array(n);
  for (;;) {
    const m = members.length;
    const k = Math.max(1, Math.floor(peelAlpha * m));
    let best: { j: number; side: 0 | 1; cut: number; density: number; removed: number } | null = null;
    for (let j = 0; j < d; j++) {
      for (let t = 0; t < m; t++) values[t] = x[members[t] * d + j];
      const sorted = values.subarray(0, m).slice().sort();
      for (const side of [0, 1] as const) {
        // Low side: keep x >= sorted[k]; high side: keep x <= sorted[m - 1 - k].
        const cut = side === 0 ? sorted[k] : sorted[m - 1 - k];
        let kept = 0;
        let c = 0;
        for (let t = 0; t < m; t++) {
          const v = values[t];
          if (side === 0 ? v >= cut : v <= cut) {
            kept++;
            c += y[members[t]];
          }
        }
        const removed = m - kept;
        if (removed === 0 || kept / n < massMin) continue;
        const density = c / kept;
        if (!best || density > best.density || (density === best.density && removed < best.removed)) {
          best = { j, side, cut, density, removed };
        }
      }
    }
    const current = trajectory[trajectory.length - 1].density;
    if (!best || best.density <= current) break;
    if (best.side === 0) lo[best.j] = best.cut;
    else hi[best.j] = best.cut;
    members = members.filter((i) => {
      const v = x[i * d + best.j];
      return best.side === 0 ? v >= best.cut : v <= best.cut;
    });
    trajectory.push(describe(lo, hi));
  }

  // Choose on the trajectory.
  let chosenStep = -1;
  for (let s = 0; s < trajectory.length; s++) {
    const b = trajectory[s];
    if (b.density < threshold) continue;
    const c = chosenStep < 0 ? null : trajectory[chosenStep];
    // Highest coverage; of equal coverage, the denser box.
    if (!c || b.coverage > c.coverage || (b.coverage === c.coverage && b.density > c.density)) chosenStep = s;
  }
  if (chosenStep < 0) {
    chosenStep = 0;
    for (let s = 1; s < trajectory.length; s++)
      if (trajectory[s].density > trajectory[chosenStep].density) chosenStep = s;
  }

  // Pasting.
  const pLo = Float64Array.from(trajectory[chosenStep].lo);
  const pHi = Float64Array.from(trajectory[chosenStep].hi);
  let box = describe(pLo, pHi);
  for (;;) {
    let best: { j: number; side: 0 | 1; bound: number; box: PrimBox } | null = null;
    const k = Math.max(1, Math.ceil(pasteAlpha * box.points));
    for (let j = 0; j < d; j++) {
      for (const side of [0, 1] as const) {
        // Points just outside this face (inside on every other input), nearest first.
        const outside: number[] = [];
        for (let i = 0; i < n; i++) {
          const v = x[i * d + j];
          if ((side === 0 ? v < pLo[j] : v > pHi[j]) && inside(pLo, pHi, i, j)) outside.push(v);
        }
        if (outside.length === 0) continue;
        outside.sort((a, b) => (side === 0 ? b - a : a - b));
        const bound = outside[Math.min(k, outside.length) - 1];
        const tLo = Float64Array.from(pLo);
        const tHi = Float64Array.from(pHi);
        if (side === 0) tLo[j] = bound;
        else tHi[j] = bound;
        const candidate = describe(tLo, tHi);
        if (candidate.density > box.density && (!best || candidate.density > best.box.density)) {
          best = { j, side, bound, box: candidate };
        }
      }
    }
    if (!best) break;
    if (best.side === 0) pLo[best.j] = best.bound;
    else pHi[best.j] = best.bound;
    box = best.box;
  }
  return { trajectory, chosen: box, chosenStep, baseDensity: cases / n, lo: dataLo, hi: dataHi };
}

/** log Gamma (Lanczos, g = 7, n = 9; Numerical Recipes 3rd ed. 6.1), for binomial tails. */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** P(X >= k) for X ~ Binomial(n, p). */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  const lp = Math.log(p);
  const lq = Math.log1p(-p);
  const lnf = logGamma(n + 1);
  let s = 0;
  for (let i = k; i <= n; i++)
    s += Math.exp(lnf - logGamma(i + 1) - logGamma(n - i + 1) + i * lp + (n - i) * lq);
  return Math.min(1, s);
}

/**
 * Quasi-p-value of each restriction of a box (Bryant & Lempert 2010, section 3.3; the EMA Workbench's
 * `qp`): the chance of at least the box's cases among its points if the density were that of the box
 * without this restriction (one-sided binomial test). A large value means the restriction adds little.
 */
export function quasiPValues(x: ArrayLike<number>, y: ArrayLike<number>, d: number, box: PrimBox): number[] {
  const n = y.length;
  return box.restricted.map((j) => {
    let m = 0;
    let c = 0;
    let mWithout = 0;
    let cWithout = 0;
    for (let i = 0; i < n; i++) {
      let inOthers = true;
      for (let k = 0; k < d && inOthers; k++) {
        if (k === j) continue;
        const v = x[i * d + k];
        if (v < box.lo[k] || v > box.hi[k]) inOthers = false;
      }
      if (!inOthers) continue;
      mWithout++;
      cWithout += y[i];
      const v = x[i * d + j];
      if (v >= box.lo[j] && v <= box.hi[j]) {
        m++;
        c += y[i];
      }
    }
    return binomialUpperTail(c, m, mWithout > 0 ? cWithout / mWithout : 0);
  });
}

/** The box restricted only on `keep` (other inputs back to the data's range), described. */
export function restrictTo(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  d: number,
  r: PrimResult,
  keep: number[],
): PrimBox {
  const lo = Float64Array.from(r.lo);
  const hi = Float64Array.from(r.hi);
  for (const j of keep) {
    lo[j] = r.chosen.lo[j];
    hi[j] = r.chosen.hi[j];
  }
  const n = y.length;
  let cases = 0;
  let m = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    cases += y[i];
    let inside = true;
    for (let k = 0; k < d && inside; k++) {
      const v = x[i * d + k];
      if (v < lo[k] || v > hi[k]) inside = false;
    }
    if (inside) {
      m++;
      c += y[i];
    }
  }
  return {
    lo,
    hi,
    coverage: c / cases,
    density: m ? c / m : 0,
    mass: m / n,
    points: m,
    restricted: [...keep].sort((a, b) => a - b),
  };
}
