/**
 * The cost of a 1% cut in annual US consumption, by commodity, for a paired comparison (issue 12
 * item 3): the measure of RAND's *Controlling Cocaine* (Rydell & Everingham 1994, the row "cost of a
 * 1% reduction in annual consumption"), so a comparison can be read against RAND's table
 * (DATA-SHEET section 7). Over the projection window (the policy start's year to the last year):
 * the mean over the years of A's extra cost (median of the paired cost difference) divided by the
 * mean over the years of the percentage cut in consumption (median paired difference / B's median).
 * A ratio of medians, like the cost per death averted; null when consumption is not cut.
 */

import type { EnsembleResult } from './ensemble.js';

/** One commodity's cost of a 1% cut. */
export interface CostPerCut {
  /** Mean over the window of the percentage cut in annual US consumption (positive = less consumed). */
  meanCutPercent: number;
  /** Mean over the window of A's extra cost, USD 2024 a year. */
  costUsdPerYear: number;
  /** USD 2024 a year per 1% cut in annual consumption; null when consumption is not cut. */
  costPerPercentCutUsd: number | null;
}

/** The measure for both commodities over the window. */
export interface CostPerCutReport {
  window: [number, number];
  cocaine: CostPerCut;
  fentanyl: CostPerCut;
}

/** Compute the measure for a paired result; null for a single-arm ensemble. */
export function costPerPercentCut(result: EnsembleResult): CostPerCutReport | null {
  const d = result.difference;
  if (!d) return null;
  const { layout } = result;
  const nA = layout.annualLeaves.length;
  const cost = layout.annualLeaves.indexOf('costUsd');
  const years = layout.years.map((y, i) => ({ y, i })).filter(({ y }) => y >= layout.windowStart);
  if (cost < 0 || years.length === 0) return null;
  const b = result.arms[1].stats;
  const of = (commodity: 'cocaine' | 'fentanyl'): CostPerCut => {
    const k = layout.annualLeaves.indexOf(`supply.${commodity}.consumedUsKg`);
    let cut = 0;
    let spent = 0;
    for (const { i } of years) {
      const base = b[i * nA + k].median;
      cut += base > 0 ? (-100 * d.stats[i * nA + k].median) / base : 0;
      spent += d.stats[i * nA + cost].median;
    }
    const meanCutPercent = cut / years.length;
    const costUsdPerYear = spent / years.length;
    return {
      meanCutPercent,
      costUsdPerYear,
      costPerPercentCutUsd:
        meanCutPercent > 1e-3 && costUsdPerYear > 0 ? costUsdPerYear / meanCutPercent : null,
    };
  };
  return {
    window: [years[0].y, years[years.length - 1].y],
    cocaine: of('cocaine'),
    fentanyl: of('fentanyl'),
  };
}
