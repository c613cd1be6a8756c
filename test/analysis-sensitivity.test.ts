import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { morrisIndices } from '../src/analysis/morris-indices.js';
import { morrisDelta, morrisSample } from '../src/analysis/morris-sample.js';
import { saltelliSample } from '../src/analysis/saltelli-sample.js';
import { sobolIndices } from '../src/analysis/sobol-indices.js';
import { SobolSequence } from '../src/analysis/sobol-sequence.js';
import { evaluateRows, gFunction, ishigami, linear } from '../src/analysis/test-functions.js';
import { CrossroadsError } from '../src/core/errors.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/sobol-scipy.json', import.meta.url), 'utf8')) as {
  cases: { dimensions: number; start: number; points: number[][] }[];
};

describe('Sobol sequence (Joe-Kuo direction numbers)', () => {
  it('equals scipy.stats.qmc.Sobol(scramble=False) bit for bit, up to 1,000 dimensions', () => {
    for (const c of fixture.cases) {
      const seq = new SobolSequence(c.dimensions);
      c.points.forEach((p, i) => {
        expect(Array.from(seq.point(c.start + i))).toEqual(p);
      });
    }
  });
  it('starts with the published first points (Joe & Kuo 2008; Bratley & Fox 1988)', () => {
    const seq = new SobolSequence(3);
    expect(Array.from(seq.points(5))).toEqual([
      0, 0, 0, 0.5, 0.5, 0.5, 0.75, 0.25, 0.25, 0.25, 0.75, 0.75, 0.375, 0.375, 0.625,
    ]);
  });
  it('keeps one point per dyadic interval in every coordinate under a digital shift', () => {
    const seq = new SobolSequence(40, 7);
    const n = 256;
    const pts = seq.points(n);
    expect(pts[0]).not.toBe(0);
    for (let j = 0; j < 40; j++) {
      const seen = new Set<number>();
      for (let i = 0; i < n; i++) seen.add(Math.floor(pts[i * 40 + j] * n));
      expect(seen.size).toBe(n);
    }
    expect(Array.from(new SobolSequence(40, 7).points(4))).toEqual(Array.from(pts.subarray(0, 160)));
    expect(Array.from(new SobolSequence(40, 8).points(4))).not.toEqual(Array.from(pts.subarray(0, 160)));
  });
  it('refuses dimensions beyond the shipped direction numbers and bad indices', () => {
    expect(() => new SobolSequence(1001)).toThrow(/dimensions: got 1001, expected an integer from 1 to 1000/);
    expect(() => new SobolSequence(0)).toThrow(CrossroadsError);
    expect(() => new SobolSequence(2).point(-1)).toThrow(/index/);
  });
});

describe('Saltelli design', () => {
  it('lays rows out as A, AB_1..AB_D, B per base point', () => {
    const D = 4;
    const n = 8;
    const x = saltelliSample(n, D, { seed: 3 });
    expect(x.length).toBe(n * (D + 2) * D);
    const seq = new SobolSequence(2 * D, 3);
    for (let j = 0; j < n; j++) {
      const base = seq.point(j);
      const row = (k: number) => Array.from(x.subarray((j * (D + 2) + k) * D, (j * (D + 2) + k + 1) * D));
      expect(row(0)).toEqual(Array.from(base.subarray(0, D)));
      expect(row(D + 1)).toEqual(Array.from(base.subarray(D)));
      for (let i = 0; i < D; i++) {
        const ab = row(1 + i);
        for (let k = 0; k < D; k++) expect(ab[k]).toBe(k === i ? base[D + k] : base[k]);
      }
    }
  });
  it('refuses a base sample below 2 and too many dimensions', () => {
    expect(() => saltelliSample(1, 3)).toThrow(/n: got 1/);
    expect(() => saltelliSample(8, 501)).toThrow(/dimensions: got 501/);
  });
});

/** Count indices whose analytic value lies outside estimate +- conf. */
function misses(
  r: ReturnType<typeof sobolIndices>,
  analytic: { S1: number[]; ST: number[] },
): { misses: number; total: number } {
  let m = 0;
  r.indices.forEach((ix, i) => {
    if (Math.abs(ix.S1 - analytic.S1[i]) > ix.S1_conf) m++;
    if (Math.abs(ix.ST - analytic.ST[i]) > ix.ST_conf) m++;
  });
  return { misses: m, total: 2 * r.indices.length };
}

describe('Sobol indices (Saltelli 2010 first order, Jansen total) against analytic values', () => {
  it('Ishigami (a = 7, b = 0.1): the analytic values are the published ones', () => {
    const f = ishigami();
    expect(f.analytic.S1.map((x) => +x.toFixed(4))).toEqual([0.3139, 0.4424, 0]);
    expect(f.analytic.ST.map((x) => +x.toFixed(4))).toEqual([0.5576, 0.4424, 0.2437]);
  });
  it('G-function: the analytic values follow V_i = 1 / (3 (1 + a_i)^2)', () => {
    const f = gFunction([0, 1, 4.5, 9, 99]);
    // By hand: V = (4/3)(13/12)(1 + 1/90.75)(1 + 1/300)(1 + 1/30000) - 1 = 0.46528; S1 = (1/3) / V.
    expect(f.analytic.S1[0]).toBeCloseTo(0.7164, 3);
    expect(f.analytic.ST[0]).toBeCloseTo(0.7874, 3);
    const sum = f.analytic.S1.reduce((a, b) => a + b, 0);
    expect(sum).toBeLessThan(1);
    expect(sum).toBeGreaterThan(0.9);
  });
  it('Ishigami at N = 1,024: every analytic index inside its 95% bootstrap interval', () => {
    const f = ishigami();
    const r = sobolIndices(evaluateRows(f, saltelliSample(1024, 3, { seed: 1 })), 3, { seed: 1 });
    expect(misses(r, f.analytic).misses).toBe(0);
    for (const ix of r.indices) {
      expect(ix.S1_conf).toBeLessThan(0.12);
      expect(ix.ST_conf).toBeLessThan(0.12);
    }
  });
  it('G-function a = 0,1,4.5,9,99 at N = 1,024: every analytic index inside its interval', () => {
    const f = gFunction([0, 1, 4.5, 9, 99]);
    const r = sobolIndices(evaluateRows(f, saltelliSample(1024, 5, { seed: 1 })), 5, { seed: 1 });
    expect(misses(r, f.analytic).misses).toBe(0);
  });
  it('intervals cover the analytic values about as often as they claim (20 seeds, N = 512)', () => {
    let m = 0;
    let total = 0;
    for (const f of [ishigami(), gFunction([0, 1, 4.5, 9])]) {
      const D = f.inputs.length;
      for (let seed = 1; seed <= 20; seed++) {
        const r = sobolIndices(evaluateRows(f, saltelliSample(512, D, { seed })), D, { seed });
        const c = misses(r, f.analytic);
        m += c.misses;
        total += c.total;
      }
    }
    // 280 intervals at 95%: a miss rate above 12% would mean the intervals are far too narrow.
    expect(m / total).toBeLessThan(0.12);
  });
  it('converges: Ishigami at N = 16,384 within 0.02 of every analytic index', () => {
    const f = ishigami();
    const r = sobolIndices(evaluateRows(f, saltelliSample(16384, 3, { seed: 2 })), 3, { resamples: 20 });
    r.indices.forEach((ix, i) => {
      expect(Math.abs(ix.S1 - f.analytic.S1[i])).toBeLessThan(0.02);
      expect(Math.abs(ix.ST - f.analytic.ST[i])).toBeLessThan(0.02);
    });
  });
  it('gives zero indices (not NaN) for a constant output and refuses bad input', () => {
    const r = sobolIndices(new Float64Array(4 * 10).fill(3), 2);
    expect(r.indices.every((i) => i.S1 === 0 && i.ST === 0)).toBe(true);
    expect(() => sobolIndices(new Float64Array(7), 2)).toThrow(
      /y.length: got 7, expected a positive multiple of D \+ 2 = 4/,
    );
    expect(() => sobolIndices([0, 1, 2, Number.NaN, 0, 0, 0, 0], 2)).toThrow(/y\[3\]/);
    expect(() => sobolIndices(new Float64Array(8), 2, { confidence: 1 })).toThrow(/confidence/);
  });
});

describe('Morris elementary effects', () => {
  it('trajectories move one input at a time by +-Delta on the p-level grid', () => {
    const D = 6;
    const r = 30;
    const x = morrisSample(r, D, { seed: 5, levels: 4 });
    const delta = morrisDelta(4);
    for (let t = 0; t < r; t++) {
      const moved = new Set<number>();
      for (let s = 0; s < D; s++) {
        const a = (t * (D + 1) + s) * D;
        const diff: number[] = [];
        for (let k = 0; k < D; k++) if (x[a + D + k] !== x[a + k]) diff.push(k);
        expect(diff.length).toBe(1);
        expect(Math.abs(x[a + D + diff[0]] - x[a + diff[0]])).toBeCloseTo(delta, 12);
        moved.add(diff[0]);
      }
      expect(moved.size).toBe(D);
    }
    for (const v of x) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
      expect(Math.abs(v * 3 - Math.round(v * 3))).toBeLessThan(1e-12);
    }
  });
  it('a linear function gives mu* = |c_i| and sigma = 0 exactly', () => {
    const c = [3, -2, 0.5, 0];
    const f = linear(c);
    const x = morrisSample(20, 4, { seed: 2 });
    const m = morrisIndices(x, evaluateRows(f, x), 4);
    m.indices.forEach((ix, i) => {
      expect(ix.mu_star).toBeCloseTo(Math.abs(c[i]), 10);
      expect(ix.mu).toBeCloseTo(c[i], 10);
      expect(ix.sigma).toBeCloseTo(0, 10);
      expect(ix.mu_star_conf).toBeCloseTo(0, 10);
    });
  });
  it('ranks the G-function inputs as their total indices do, with finite intervals', () => {
    const f = gFunction([0, 1, 4.5, 9, 99]);
    const x = morrisSample(100, 5, { seed: 1 });
    const m = morrisIndices(x, evaluateRows(f, x), 5);
    for (let i = 1; i < 5; i++) expect(m.indices[i].mu_star).toBeLessThan(m.indices[i - 1].mu_star);
    for (const ix of m.indices) expect(ix.mu_star_conf).toBeGreaterThan(0);
    // The least important input is screened out: mu* of x5 under 2% of x1's.
    expect(m.indices[4].mu_star / m.indices[0].mu_star).toBeLessThan(0.02);
  });
  it('Ishigami: x3 acts only through its interaction with x1 (mu near 0, sigma large)', () => {
    const f = ishigami();
    const x = morrisSample(200, 3, { seed: 1 });
    const m = morrisIndices(x, evaluateRows(f, x), 3);
    expect(Math.abs(m.indices[2].mu)).toBeLessThan(m.indices[2].mu_star / 2);
    expect(m.indices[2].sigma).toBeGreaterThan(m.indices[2].mu_star);
  });
  it('refuses malformed designs', () => {
    expect(() => morrisSample(10, 3, { levels: 3 })).toThrow(/levels: got 3, expected an even integer/);
    expect(() => morrisIndices(new Float64Array(12), new Float64Array(4), 3)).toThrow(/no input changed/);
    expect(() => morrisIndices(new Float64Array(12), new Float64Array(3), 3)).toThrow(/y.length/);
  });
});

describe('Morris improved spread (Campolongo 2007)', () => {
  it('keeps r trajectories more spread out than r drawn at random, and still valid', async () => {
    const { morrisSampleSpread, morrisSpread } = await import('../src/analysis/morris-sample.js');
    const D = 6;
    const r = 8;
    const picked = morrisSampleSpread(r, D, 40, { seed: 3 });
    const plain = morrisSample(r, D, { seed: 3 });
    expect(morrisSpread(picked, r, D)).toBeGreaterThan(morrisSpread(plain, r, D));
    expect(Array.from(morrisSampleSpread(r, D, 40, { seed: 3 }))).toEqual(Array.from(picked));
    // Still one input per step: the estimator accepts it and a linear function stays exact.
    const m = morrisIndices(picked, evaluateRows(linear([1, 2, 3, 4, 5, 6]), picked), D);
    m.indices.forEach((ix, i) => {
      expect(ix.mu_star).toBeCloseTo(i + 1, 10);
    });
    expect(() => morrisSampleSpread(r, D, 4)).toThrow(/candidates: got 4/);
  });
});
