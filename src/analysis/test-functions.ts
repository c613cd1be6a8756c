/**
 * Benchmark functions of the sensitivity-analysis literature with analytic first-order and total
 * Sobol indices, so anyone can check the estimators:
 * - Ishigami & Homma, "An importance quantification technique in uncertainty analysis for computer
 *   models", ISUMA 1990: f = sin x1 + a sin^2 x2 + b x3^4 sin x1, x_i ~ U(-pi, pi); a = 7, b = 0.1 as in
 *   Saltelli et al. 2000/2008 and SALib. Variances (Sobol' & Levitan 1999; Saltelli et al., Global
 *   Sensitivity Analysis: The Primer, 2008, sect. 4.9): V1 = (1 + b pi^4 / 5)^2 / 2, V2 = a^2 / 8,
 *   V13 = b^2 pi^8 (1/18 - 1/50), V = V1 + V2 + V13; S = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437).
 * - Sobol's G-function (Sobol' 1990/1993; Saltelli & Sobol', "About the use of rank transformation in
 *   sensitivity analysis of model output", Reliab. Eng. Syst. Saf. 50 (1995) 225-239):
 *   f = prod_i (|4 x_i - 2| + a_i) / (1 + a_i), x_i ~ U(0, 1), a_i >= 0; V_i = 1 / (3 (1 + a_i)^2),
 *   V = prod (1 + V_i) - 1, S_i = V_i / V, ST_i = V_i prod_{j != i} (1 + V_j) / V.
 * - A linear function sum c_i x_i on U(0, 1): every elementary effect of input i is exactly c_i, so
 *   Morris gives mu* = |c_i| and sigma = 0, and S_i = ST_i = c_i^2 / sum c_j^2.
 * Each function maps unit-cube rows to its inputs' ranges itself.
 */

import { fail } from '../core/errors.js';

const MODULE = 'analysis/test-functions';

/** Settings. */
export const DEFAULTS = {
  ishigami: { a: 7, b: 0.1 },
  /** The G-function's `a` vector most used in the literature (Saltelli et al. 2008, p. 180, D = 8). */
  gFunctionA: [0, 1, 4.5, 9, 99, 99, 99, 99],
} as const;

/** A test function: evaluate at unit-cube rows, with its inputs' names and analytic indices. */
export interface TestFunction {
  name: string;
  inputs: string[];
  /** Inputs as they are sampled, for display. */
  description: string;
  evaluate(unitRow: ArrayLike<number>): number;
  analytic: { S1: number[]; ST: number[] };
}

/** Ishigami with parameters a, b. */
export function ishigami(a: number = DEFAULTS.ishigami.a, b: number = DEFAULTS.ishigami.b): TestFunction {
  if (!Number.isFinite(a)) fail(MODULE, 'a', a, 'a finite number');
  if (!Number.isFinite(b)) fail(MODULE, 'b', b, 'a finite number');
  const pi = Math.PI;
  const v1 = 0.5 * (1 + (b * pi ** 4) / 5) ** 2;
  const v2 = (a * a) / 8;
  const v13 = b * b * pi ** 8 * (1 / 18 - 1 / 50);
  const v = v1 + v2 + v13;
  return {
    name: 'ishigami',
    inputs: ['x1', 'x2', 'x3'],
    description: `Ishigami a=${a}, b=${b}; x1..x3 ~ U(-pi, pi)`,
    evaluate(u) {
      const x1 = -pi + 2 * pi * u[0];
      const x2 = -pi + 2 * pi * u[1];
      const x3 = -pi + 2 * pi * u[2];
      return Math.sin(x1) + a * Math.sin(x2) ** 2 + b * x3 ** 4 * Math.sin(x1);
    },
    analytic: {
      S1: [v1 / v, v2 / v, 0],
      ST: [(v1 + v13) / v, v2 / v, v13 / v],
    },
  };
}

/** Sobol's G-function with coefficient vector a (one input per coefficient). */
export function gFunction(a: readonly number[] = DEFAULTS.gFunctionA): TestFunction {
  if (!Array.isArray(a) || a.length < 1 || a.length > 500)
    fail(MODULE, 'a', a, 'a list of 1 to 500 coefficients');
  a.forEach((ai, i) => {
    if (!(Number.isFinite(ai) && ai >= 0)) fail(MODULE, `a[${i}]`, ai, 'a finite number >= 0');
  });
  const vi = a.map((ai) => 1 / (3 * (1 + ai) ** 2));
  const prod = vi.reduce((p, x) => p * (1 + x), 1);
  const v = prod - 1;
  return {
    name: 'g-function',
    inputs: a.map((_, i) => `x${i + 1}`),
    description: `Sobol G-function a=${a.join(',')}; x_i ~ U(0, 1)`,
    evaluate(u) {
      let f = 1;
      for (let i = 0; i < a.length; i++) f *= (Math.abs(4 * u[i] - 2) + a[i]) / (1 + a[i]);
      return f;
    },
    analytic: {
      S1: vi.map((x) => x / v),
      ST: vi.map((x) => (x * (prod / (1 + x))) / v),
    },
  };
}

/** A linear function sum c_i x_i with x_i ~ U(0, 1). */
export function linear(c: readonly number[]): TestFunction {
  if (!Array.isArray(c) || c.length < 1) fail(MODULE, 'c', c, 'a non-empty list of coefficients');
  c.forEach((ci, i) => {
    if (!Number.isFinite(ci)) fail(MODULE, `c[${i}]`, ci, 'a finite number');
  });
  const total = c.reduce((s, x) => s + x * x, 0);
  return {
    name: 'linear',
    inputs: c.map((_, i) => `x${i + 1}`),
    description: `linear c=${c.join(',')}; x_i ~ U(0, 1)`,
    evaluate(u) {
      let f = 0;
      for (let i = 0; i < c.length; i++) f += c[i] * u[i];
      return f;
    },
    analytic: {
      S1: c.map((x) => (total > 0 ? (x * x) / total : 0)),
      ST: c.map((x) => (total > 0 ? (x * x) / total : 0)),
    },
  };
}

/** The functions selectable by name (`--test-function`). */
export const TEST_FUNCTIONS = ['ishigami', 'g-function'] as const;
export type TestFunctionName = (typeof TEST_FUNCTIONS)[number];

/** Evaluate a function at every row of a unit-cube design (row-major, `dimensions` columns). */
export function evaluateRows(f: TestFunction, design: Float64Array): Float64Array {
  const D = f.inputs.length;
  if (design.length % D !== 0) fail(MODULE, 'design.length', design.length, `a multiple of ${D}`);
  const n = design.length / D;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = f.evaluate(design.subarray(i * D, (i + 1) * D));
  return y;
}
