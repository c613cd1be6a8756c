/** `crossroads discover` and `crossroads robust` in-process, on small ensembles. */

import { describe, expect, it } from 'vitest';
import { outsideUnit } from '../src/cli/commands/sensitivity.js';
import { main } from '../src/cli/main.js';
import { shippedPolicyNames } from '../src/scenario/shipped.js';
import { captureStdio } from './helpers/stdio.js';

describe('crossroads discover', () => {
  const io = captureStdio();
  it('finds a box for a failure condition on deaths averted, as JSON', async () => {
    const code = await main([
      'discover',
      '--policy',
      'demand-package',
      '--fail',
      '<85000',
      '-n',
      '120',
      '--threads',
      '1',
      '--no-progress',
      '--format',
      'json',
    ]);
    expect(io.err).toBe('');
    expect(code).toBe(0);
    const j = JSON.parse(io.out);
    expect(j.condition).toBe(
      'deaths.total:sum:2026-2035 reduction by demand-package (no new policy - policy) < 85000',
    );
    expect(j.cases).toBeGreaterThan(0);
    expect(j.cases).toBeLessThan(120);
    expect(j.trajectory[0]).toMatchObject({ step: 0, coverage: 1, mass: 1 });
    expect(j.box.density).toBeGreaterThan(j.baseDensity);
    for (const l of j.box.limits) {
      expect(l.lo).toBeGreaterThanOrEqual(l.rangeLo);
      expect(l.hi).toBeLessThanOrEqual(l.rangeHi);
      expect(l.qp).toBeGreaterThanOrEqual(0);
      expect(l.qp).toBeLessThanOrEqual(1);
    }
    // Same seed, same worlds, same box.
    io.out = '';
    await main([
      'discover',
      '--policy',
      'demand-package',
      '--fail',
      '<85000',
      '-n',
      '120',
      '--threads',
      '1',
      '--no-progress',
      '--format',
      'json',
    ]);
    expect(JSON.parse(io.out).box).toEqual(j.box);
  });
  it('says so when no world meets the condition, and refuses a malformed one', async () => {
    expect(await main(['discover', '--fail', '<0', '-n', '20', '--threads', '1', '--no-progress'])).toBe(0);
    expect(io.out).toMatch(/no world of 20 meets the condition/);
    expect(await main(['discover', '--fail', 'fewer than 10', '-n', '20'])).toBe(2);
    expect(io.err).toMatch(/--fail: got "fewer than 10", expected an operator and a number/);
    expect(await main(['discover', '-n', '20'])).toBe(2);
    expect(io.err).toMatch(/--fail/);
  });
});

describe('crossroads robust', () => {
  const io = captureStdio();
  it('ranks packages by regret on common worlds, with satisficing shares', async () => {
    const code = await main([
      'robust',
      '--policies',
      'demand-package,moud-expansion,naloxone-scale-up',
      '-n',
      '12',
      '--threads',
      '1',
      '--no-progress',
      '--satisfice',
      'averted>=10000',
      '--format',
      'json',
    ]);
    expect(io.err).toBe('');
    expect(code).toBe(0);
    const j = JSON.parse(io.out);
    // Every package, in the order given.
    expect(j.packages.map((p: { package: string }) => p.package)).toEqual([
      'demand-package',
      'moud-expansion',
      'naloxone-scale-up',
    ]);
    // In each world one package is best: P(best) sums to 1, and some package has zero regret somewhere.
    const pBest = j.packages.reduce((s: number, p: { regret: { pBest: number } }) => s + p.regret.pBest, 0);
    expect(pBest).toBeCloseTo(1, 12);
    for (const p of j.packages) {
      expect(p.regret.max).toBeGreaterThanOrEqual(p.regret.percentile);
      expect(p.regret.percentile).toBeGreaterThanOrEqual(0);
      expect(p.satisficing).toBeGreaterThanOrEqual(0);
    }
    // A package whose 5th-percentile averted deaths clear the bar satisfices in (nearly) every world.
    for (const p of j.packages) if (p.averted.p5 >= 10000) expect(p.satisficing).toBeGreaterThanOrEqual(0.9);
  });
  it('takes `shipped` for every shipped package, plus any given', async () => {
    const code = await main([
      'robust',
      '--policies',
      'shipped,moud-expansion',
      '-n',
      '2',
      '--threads',
      '1',
      '--no-progress',
      '--format',
      'json',
    ]);
    expect(code).toBe(0);
    const names = JSON.parse(io.out).packages.map((p: { package: string }) => p.package);
    expect(names).toContain('balanced-package');
    expect(names).not.toContain('none');
    // The shipped packages without `none`, then the one given again: its position names it.
    expect(names[names.length - 1]).toBe(`moud-expansion (${shippedPolicyNames().length})`);
  });
  it('refuses one package and a bad condition', async () => {
    expect(await main(['robust', '--policies', 'demand-package', '-n', '2'])).toBe(2);
    expect(io.err).toMatch(/--policies: got "demand-package", expected at least two packages/);
    expect(await main(['robust', '--satisfice', 'lives>5', '-n', '2'])).toBe(2);
    expect(io.err).toMatch(/--satisfice: got "lives>5"/);
  });
});

describe('sensitivity warnings', () => {
  it('flags Sobol estimates no variance share can take', () => {
    expect(
      outsideUnit({
        indices: [
          { input: 'a', S1: 2.066, S1_conf: 1, ST: 0.93, ST_conf: 0.2 },
          { input: 'b', S1: -0.055, S1_conf: 0.1, ST: 0.005, ST_conf: 0.01 },
        ],
      } as never),
    ).toEqual(['S1 of a = 2.066']);
  });
});
