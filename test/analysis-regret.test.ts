import { describe, expect, it } from 'vitest';
import { nearestRank, regret, regretSummary, satisficing } from '../src/analysis/regret.js';

describe('regret', () => {
  // Three options in four worlds (deaths: smaller is better).
  const deaths = [
    [10, 20, 30, 40],
    [12, 15, 30, 50],
    [11, 25, 29, 35],
  ];
  it('is the shortfall against the best option in each world, never negative', () => {
    const r = regret(deaths, 'minimise');
    expect(Array.from(r[0])).toEqual([0, 5, 1, 5]);
    expect(Array.from(r[1])).toEqual([2, 0, 1, 15]);
    expect(Array.from(r[2])).toEqual([1, 10, 0, 0]);
    const up = regret(
      [
        [1, 5],
        [2, 4],
      ],
      'maximise',
    );
    expect(Array.from(up[0])).toEqual([1, 0]);
    expect(Array.from(up[1])).toEqual([0, 1]);
  });
  it('summarises mean, max, nearest-rank percentile and P(best) with shared ties', () => {
    const s = regretSummary(regret(deaths, 'minimise'), 0.75);
    expect(s[0]).toEqual({ mean: 11 / 4, max: 5, percentile: 5, pBest: 0.25 });
    expect(s[1].max).toBe(15);
    expect(s[1].percentile).toBe(2);
    expect(s[2].pBest).toBe(0.5);
    const tie = regretSummary(
      regret(
        [
          [1, 1],
          [1, 2],
        ],
        'minimise',
      ),
    );
    expect(tie[0].pBest).toBe(0.75);
    expect(tie[1].pBest).toBe(0.25);
    expect(nearestRank([5, 1, 3, 2, 4], 0.9)).toBe(5);
    expect(nearestRank([5, 1, 3, 2, 4], 0.5)).toBe(3);
  });
  it('satisficing is the share of worlds meeting every condition', () => {
    expect(
      satisficing([
        [true, true, false, true],
        [true, false, false, true],
      ]),
    ).toBe(0.5);
    expect(satisficing([])).toBe(1);
  });
  it('refuses ragged or non-finite input', () => {
    expect(() => regret([[1, 2], [1]], 'minimise')).toThrow(/values\[1\].length: got 1, expected 2 worlds/);
    expect(() => regret([[1, Number.NaN]], 'minimise')).toThrow(/values\[0\]\[1\]/);
    expect(() => nearestRank([1], 0)).toThrow(/percentile/);
  });
});
