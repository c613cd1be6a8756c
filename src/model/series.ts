/** Yearly data series to monthly values: linear between mid-year anchors, held flat outside them. */

import type { TimeAxis } from '../core/time.js';

/** Interpolate `(year, value)` anchors onto the monthly axis (each year's value sits at its July). */
export function monthlyFromYearly(
  axis: TimeAxis,
  anchors: ReadonlyArray<{ year: number; value: number }>,
): Float64Array {
  const sorted = [...anchors].sort((a, b) => a.year - b.year);
  const out = new Float64Array(axis.steps);
  for (let t = 0; t < axis.steps; t++) {
    const x = axis.firstYear + (t - 6) / 12; // year coordinate with July = whole year
    if (x <= sorted[0].year) out[t] = sorted[0].value;
    else if (x >= sorted[sorted.length - 1].year) out[t] = sorted[sorted.length - 1].value;
    else {
      let k = 0;
      while (sorted[k + 1].year < x) k++;
      const a = sorted[k];
      const b = sorted[k + 1];
      const w = (x - a.year) / (b.year - a.year);
      out[t] = a.value + (b.value - a.value) * w;
    }
  }
  return out;
}

const cached = new WeakMap<object, { start: number; steps: number; out: Float64Array }>();

/**
 * `monthlyFromYearly`, memoised per anchors array and time axis (a scenario's series are the same
 * objects for every run of an ensemble). The result is shared: read it, never write it.
 */
export function monthlyFromYearlyShared(
  axis: TimeAxis,
  anchors: ReadonlyArray<{ year: number; value: number }>,
): Float64Array {
  const hit = cached.get(anchors);
  if (hit && hit.start === axis.start && hit.steps === axis.steps) return hit.out;
  const out = monthlyFromYearly(axis, anchors);
  cached.set(anchors, { start: axis.start, steps: axis.steps, out });
  return out;
}
