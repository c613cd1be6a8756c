import { describe, expect, it } from 'vitest';
import { binomialUpperTail, prim, quasiPValues, restrictTo } from '../src/analysis/prim.js';
import { Xoshiro128 } from '../src/core/rng.js';

/** n uniform points in [0,1]^d and y = 1 inside the box x0 > 0.7 and x1 < 0.4 (flipped with probability noise). */
function data(n: number, d: number, noise: number, seed = 1) {
  const g = Xoshiro128.fromSeed(seed, 0);
  const x = new Float64Array(n * d);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) x[i * d + j] = g.next();
    let inBox = x[i * d] > 0.7 && x[i * d + 1] < 0.4 ? 1 : 0;
    if (g.next() < noise) inBox = 1 - inBox;
    y[i] = inBox;
  }
  return { x, y };
}

describe('PRIM', () => {
  it('finds a planted box and leaves the other inputs unrestricted', () => {
    const { x, y } = data(2000, 5, 0);
    const r = prim(x, y, 5);
    expect(r.chosen.restricted).toEqual([0, 1]);
    expect(r.chosen.lo[0]).toBeGreaterThan(0.65);
    expect(r.chosen.lo[0]).toBeLessThanOrEqual(0.7 + 0.02);
    expect(r.chosen.hi[1]).toBeLessThan(0.45);
    expect(r.chosen.hi[1]).toBeGreaterThanOrEqual(0.4 - 0.02);
    expect(r.chosen.density).toBeGreaterThan(0.95);
    expect(r.chosen.coverage).toBeGreaterThan(0.9);
    expect(r.baseDensity).toBeCloseTo(0.12, 1);
  });
  it('traces the coverage/density trade-off: density rises and coverage falls along the peel', () => {
    const { x, y } = data(1500, 4, 0.1, 2);
    const r = prim(x, y, 4);
    expect(r.trajectory[0].coverage).toBe(1);
    expect(r.trajectory[0].mass).toBe(1);
    for (let s = 1; s < r.trajectory.length; s++) {
      expect(r.trajectory[s].density).toBeGreaterThan(r.trajectory[s - 1].density);
      expect(r.trajectory[s].coverage).toBeLessThanOrEqual(r.trajectory[s - 1].coverage);
      expect(r.trajectory[s].mass).toBeGreaterThanOrEqual(0.05);
    }
    // With 10% label noise the best box's density is near 1 - noise x (outside share), not 1.
    expect(r.chosen.density).toBeGreaterThan(0.6);
    expect(r.chosen.restricted).toContain(0);
    expect(r.chosen.restricted).toContain(1);
  });
  it('pasting never lowers the density of the chosen box', () => {
    const { x, y } = data(800, 3, 0.05, 3);
    const r = prim(x, y, 3, { threshold: 0.5 });
    expect(r.chosen.density).toBeGreaterThanOrEqual(r.trajectory[r.chosenStep].density);
    expect(r.chosen.coverage).toBeGreaterThanOrEqual(r.trajectory[r.chosenStep].coverage);
  });
  it('refuses bad input naming the field', () => {
    expect(() => prim([0, 1], [0, 2], 1)).toThrow(/y\[1\]: got 2, expected 0 or 1/);
    expect(() => prim([0, 1], [0, 0], 1)).toThrow(/no case of interest/);
    expect(() => prim([0, 1, 2], [0, 1], 1)).toThrow(/x.length/);
    expect(() => prim([0, 1], [0, 1], 1, { peelAlpha: 0.6 })).toThrow(/peelAlpha/);
  });
});

describe('PRIM quasi-p-values', () => {
  it('binomial tail matches exact small cases', () => {
    expect(binomialUpperTail(0, 5, 0.3)).toBe(1);
    expect(binomialUpperTail(5, 5, 0.5)).toBeCloseTo(1 / 32, 12);
    expect(binomialUpperTail(2, 3, 0.5)).toBeCloseTo(0.5, 12);
    expect(binomialUpperTail(6, 5, 0.5)).toBe(0);
  });
  it('the planted inputs are significant and survive trimming to significant restrictions', () => {
    const { x, y } = data(2000, 5, 0.1, 4);
    const r = prim(x, y, 5, { threshold: 0.5 });
    const qp = quasiPValues(x, y, 5, r.chosen);
    r.chosen.restricted.forEach((j, k) => {
      if (j === 0 || j === 1) expect(qp[k]).toBeLessThan(1e-3);
    });
    const trimmed = restrictTo(
      x,
      y,
      5,
      r,
      r.chosen.restricted.filter((_, k) => qp[k] < 0.05),
    );
    expect(trimmed.restricted).toContain(0);
    expect(trimmed.restricted).toContain(1);
    expect(trimmed.coverage).toBeGreaterThanOrEqual(r.chosen.coverage);
  });
});
