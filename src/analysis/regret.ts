/**
 * Robustness across worlds (robust decision making: R. J. Lempert, S. W. Popper and S. C. Bankes,
 * "Shaping the Next One Hundred Years", RAND MR-1626, 2003; minimax regret after L. J. Savage, "The
 * theory of statistical decision", JASA 46 (1951) 55-67). K options are evaluated in the same W worlds;
 * an option's regret in a world is how much worse it does there than the best option in that world
 * (by the outcome's direction), so regret is 0 for the best and never negative. Summaries per option:
 * mean, maximum and a percentile of regret (nearest rank: the ceil(p W)-th smallest), and the share
 * of worlds in which it is the best (ties shared). Satisficing (H. A. Simon 1956; Lempert & Collins
 * 2007): the share of worlds in which an option meets every stated condition.
 */

import { fail } from '../core/errors.js';

const MODULE = 'analysis/regret';

/** Settings. */
export const DEFAULTS = {
  percentile: 0.9,
} as const;

/** Per-option regret summary. */
export interface RegretSummary {
  mean: number;
  max: number;
  /** The `percentile` regret. */
  percentile: number;
  /** Share of worlds where the option is best (a tie of t options counts 1/t each). */
  pBest: number;
}

function checkMatrix(values: ArrayLike<number>[], name: string): number {
  if (!Array.isArray(values) || values.length < 1) fail(MODULE, name, values, 'at least one option');
  const w = values[0].length;
  if (w < 1) fail(MODULE, `${name}[0].length`, w, 'at least one world');
  values.forEach((v, k) => {
    if (v.length !== w) fail(MODULE, `${name}[${k}].length`, v.length, `${w} worlds, as option 0`);
    for (let i = 0; i < w; i++)
      if (!Number.isFinite(v[i])) fail(MODULE, `${name}[${k}][${i}]`, v[i], 'a finite number');
  });
  return w;
}

/** Regret of each option in each world: values[k][w] is option k's outcome in world w. */
export function regret(values: ArrayLike<number>[], direction: 'minimise' | 'maximise'): Float64Array[] {
  if (direction !== 'minimise' && direction !== 'maximise')
    fail(MODULE, 'direction', direction, 'minimise or maximise');
  const w = checkMatrix(values, 'values');
  const out = values.map(() => new Float64Array(w));
  for (let i = 0; i < w; i++) {
    let best = values[0][i];
    for (const v of values) best = direction === 'minimise' ? Math.min(best, v[i]) : Math.max(best, v[i]);
    values.forEach((v, k) => {
      out[k][i] = direction === 'minimise' ? v[i] - best : best - v[i];
    });
  }
  return out;
}

/** Nearest-rank percentile (p in (0, 1]) of values. */
export function nearestRank(values: ArrayLike<number>, p: number): number {
  if (!(p > 0 && p <= 1)) fail(MODULE, 'percentile', p, 'a share in (0, 1]');
  const s = Float64Array.from(values).sort();
  return s[Math.max(0, Math.ceil(p * s.length) - 1)];
}

/** Summaries of a regret matrix. */
export function regretSummary(
  regrets: Float64Array[],
  percentile: number = DEFAULTS.percentile,
): RegretSummary[] {
  const w = checkMatrix(regrets, 'regrets');
  const pBest = new Float64Array(regrets.length);
  for (let i = 0; i < w; i++) {
    let ties = 0;
    for (const r of regrets) if (r[i] === 0) ties++;
    for (let k = 0; k < regrets.length; k++) if (regrets[k][i] === 0) pBest[k] += 1 / ties;
  }
  return regrets.map((r, k) => {
    let sum = 0;
    let max = 0;
    for (const x of r) {
      sum += x;
      if (x > max) max = x;
    }
    return { mean: sum / w, max, percentile: nearestRank(r, percentile), pBest: pBest[k] / w };
  });
}

/** Share of worlds in which every condition holds; `met[c][w]` says whether condition c holds in world w. */
export function satisficing(met: ArrayLike<boolean>[]): number {
  if (met.length === 0) return 1;
  const w = met[0].length;
  if (w === 0) fail(MODULE, 'met[0].length', 0, 'at least one world');
  let ok = 0;
  for (let i = 0; i < w; i++) if (met.every((m) => m[i])) ok++;
  return ok / w;
}
