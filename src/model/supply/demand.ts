/**
 * Demand as data: each market's reference consumption by month at its reference retail price.
 * A market with a series in `history.marketDemand` (data/history/market-demand.json) is demand-led:
 * its series sets what it consumes at the reference price, and shipments follow it (routing.ts).
 * A market without one keeps its `demandKgPerYear` grown at its growth parameter (held flat after
 * the last data year, like the other drivers) and clears what arrives. The demand curve itself,
 * reference quantity x (price / reference price)^elasticity x the levers' demand shifts, is
 * evaluated each month in markets.ts.
 */

import type { Float64Arena } from '../../core/arena.js';
import { fail } from '../../core/errors.js';
import type { TimeAxis } from '../../core/time.js';
import type { DemandRow, Scenario } from '../../spec/scenario.js';
import { monthlyFromYearly } from '../series.js';
import type { CompiledCommodity } from './network.js';

const MODULE = 'model/supply/demand';

/** Monthly series of a demand table (kg a month), by the table and the axis (shared: never written). */
const seriesCache = new WeakMap<readonly DemandRow[], { start: number; steps: number; out: Float64Array }>();

function monthlySeries(axis: TimeAxis, rows: readonly DemandRow[]): Float64Array {
  const hit = seriesCache.get(rows);
  if (hit && hit.start === axis.start && hit.steps === axis.steps) return hit.out;
  const out = monthlyFromYearly(axis, rows);
  for (let t = 0; t < out.length; t++) out[t] /= 12;
  seriesCache.set(rows, { start: axis.start, steps: axis.steps, out });
  return out;
}

/**
 * The reference consumption of each market of `c` by month (kg a month, in `c.markets` order), and
 * whether each is demand-led. A series naming a node that is not a market of the commodity is an
 * input error.
 */
export function referenceDemand(
  axis: TimeAxis,
  scenario: Scenario,
  c: CompiledCommodity,
  g: (id: string) => number,
  arena: Float64Arena,
): { qMonthly: Float64Array[]; led: boolean[] } {
  const tables = scenario.history.marketDemand?.[c.commodity] ?? {};
  const marketIds = c.markets.map((node) => c.net.nodes[node].id);
  for (const id of Object.keys(tables))
    if (!marketIds.includes(id))
      fail(
        MODULE,
        `history.marketDemand.${c.commodity}.${id}`,
        id,
        `a market node of the ${c.commodity} network (${marketIds.join(', ')})`,
      );
  const qMonthly: Float64Array[] = [];
  const led: boolean[] = [];
  for (const node of c.markets) {
    const n = c.net.nodes[node];
    const rows = tables[n.id];
    if (rows) {
      qMonthly.push(monthlySeries(axis, rows));
      led.push(true);
      continue;
    }
    const spec = n.market!;
    const logGrowth = Math.log1p(g(spec.demandGrowthParameter));
    const out = arena.zeros(axis.steps);
    const q0 = spec.demandKgPerYear / 12;
    for (let t = 0; t < axis.steps; t++) {
      // Exogenous drivers (demand growth) are held flat after the last data year, like the history.
      const yearFrac = Math.min(axis.firstYear + t / 12, scenario.lastDataYear + 1);
      out[t] = q0 * Math.exp(logGrowth * (yearFrac - spec.referenceYear));
    }
    qMonthly.push(out);
    led.push(false);
  }
  return { qMonthly, led };
}
