/**
 * Nelder-Mead simplex minimisation (Nelder & Mead, Computer Journal 1965; adaptive coefficients of
 * Gao & Han, Comput Optim Appl 2012). Deterministic: same start, same result.
 */

export const DEFAULTS = { maxEvaluations: 4000, tolerance: 1e-10, initialStep: 0.1 } as const;

export interface NelderMeadResult {
  x: number[];
  value: number;
  evaluations: number;
}

/** Minimise `f` from `x0`. */
export function nelderMead(
  f: (x: number[]) => number,
  x0: number[],
  options: { maxEvaluations?: number; tolerance?: number; initialStep?: number } = {},
): NelderMeadResult {
  const n = x0.length;
  const maxEval = options.maxEvaluations ?? DEFAULTS.maxEvaluations;
  const tol = options.tolerance ?? DEFAULTS.tolerance;
  const step = options.initialStep ?? DEFAULTS.initialStep;
  const alpha = 1;
  const beta = 1 + 2 / n;
  const gamma = 0.75 - 1 / (2 * n);
  const delta = 1 - 1 / n;
  const simplex: number[][] = [x0.slice()];
  for (let i = 0; i < n; i++) {
    const p = x0.slice();
    p[i] = p[i] !== 0 ? p[i] * (1 + step) : step;
    simplex.push(p);
  }
  const values = simplex.map(f);
  let evals = n + 1;
  const order = simplex.map((_, i) => i);
  while (evals < maxEval) {
    order.sort((a, b) => values[a] - values[b]);
    const best = order[0];
    const worst = order[n];
    const second = order[n - 1];
    if (Math.abs(values[worst] - values[best]) <= tol * (Math.abs(values[best]) + tol)) break;
    const centroid = new Array<number>(n).fill(0);
    for (let k = 0; k < n; k++) {
      const idx = order[k];
      for (let j = 0; j < n; j++) centroid[j] += simplex[idx][j] / n;
    }
    const towards = (coef: number) => centroid.map((c, j) => c + coef * (c - simplex[worst][j]));
    const xr = towards(alpha);
    const fr = f(xr);
    evals++;
    if (fr < values[best]) {
      const xe = towards(alpha * beta);
      const fe = f(xe);
      evals++;
      if (fe < fr) {
        simplex[worst] = xe;
        values[worst] = fe;
      } else {
        simplex[worst] = xr;
        values[worst] = fr;
      }
    } else if (fr < values[second]) {
      simplex[worst] = xr;
      values[worst] = fr;
    } else {
      const outside = fr < values[worst];
      const xc = outside ? towards(alpha * gamma) : towards(-gamma);
      const fc = f(xc);
      evals++;
      if (fc < (outside ? fr : values[worst])) {
        simplex[worst] = xc;
        values[worst] = fc;
      } else {
        for (let k = 1; k <= n; k++) {
          const idx = order[k];
          simplex[idx] = simplex[idx].map((v, j) => simplex[best][j] + delta * (v - simplex[best][j]));
          values[idx] = f(simplex[idx]);
          evals++;
        }
      }
    }
  }
  let bi = 0;
  for (let i = 1; i <= n; i++) if (values[i] < values[bi]) bi = i;
  return { x: simplex[bi], value: values[bi], evaluations: evals };
}
