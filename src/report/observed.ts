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
