/**
 * CDC/NCHS observed overdose deaths (data/targets/deaths.json, the calibration's targets), for readers
 * that show how well the model fits history (the dashboard). Rows carry their source.
 */

import targets from '../../data/targets/deaths.json' with { type: 'json' };

/** One observed year. */
export interface ObservedYear {
  year: number;
  value: number;
  source: string;
}

/** Observed deaths by group (`total`, `syntheticOpioids`, ...), as the calibration reads them. */
export function observedDeaths(): Record<string, ObservedYear[]> {
  const out: Record<string, ObservedYear[]> = {};
  for (const [k, v] of Object.entries(targets)) if (Array.isArray(v)) out[k] = v as ObservedYear[];
  return out;
}

const byYear = new Map(targets.total.map((r) => [r.year, r.value]));

/** Observed total deaths in `year`, or undefined for years without a final count (2025 on). */
export function observedTotal(year: number): number | undefined {
  return byYear.get(year);
}

/**
 * Row marker: '*' the policy may act (from the summary's first year: the policy's first active year
 * or the scenario's policy start), '+' a projection year before that, ' ' history (a CDC count exists).
 */
export function yearMarker(year: number, policyFirstYear: number): string {
  return year >= policyFirstYear ? '*' : byYear.has(year) ? ' ' : '+';
}

/** The footnote explaining the markers. */
export const YEAR_MARKER_NOTE =
  'Rows with a CDC/NCHS count are history (the observed count beside the model); * = years the policy may act (the summary years); + = projection years before it acts.';

/** The footnote for a policy that starts before the scenario's policy start (or nothing). */
export function earlyYearsNote(summaryStart: number, policyStartYear: number): string[] {
  return summaryStart < policyStartYear
    ? [
        `The policy acts from ${summaryStart}, before the scenario's policy start (${policyStartYear}); the summary counts those years.`,
      ]
    : [];
}
