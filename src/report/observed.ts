/** CDC/NCHS final all-drug overdose deaths by year (data/targets/deaths.json), shown beside the model's history. */

import targets from '../../data/targets/deaths.json' with { type: 'json' };

const byYear = new Map(targets.total.map((r) => [r.year, r.value]));

/** Observed total deaths in `year`, or undefined for years without a final count (2025 on). */
export function observedDeaths(year: number): number | undefined {
  return byYear.get(year);
}

/** Row marker: ' ' history (observed), '+' projection before the policy starts, '*' projection with the policy. */
export function yearMarker(year: number, policyFirstYear: number): string {
  return byYear.has(year) ? ' ' : year < policyFirstYear ? '+' : '*';
}

/** The footnote explaining the markers. */
export const YEAR_MARKER_NOTE =
  'Rows with CDC/NCHS observed deaths are history (model fit beside the count); + = projection before the policy starts; * = projection years (policy may act).';
