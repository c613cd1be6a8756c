/**
 * Outcomes of the street-supply interface (what health reads from the market each month) and of
 * the policy's cost, declared once (see model/outcomes.ts).
 */

import { type OutcomeSpec, perCommodity } from './outcomes.js';
import { type SimState, STREET } from './state.js';

const FIELDS: { key: keyof typeof STREET; label: string; unit: string }[] = [
  { key: 'availability', label: 'supply reaching US streets, relative to the reference year', unit: 'index' },
  { key: 'priceIndex', label: 'retail price relative to the reference year', unit: 'index' },
  {
    key: 'potency',
    label: 'potency (fentanyl: share of pills >= 2 mg; cocaine: retail purity)',
    unit: 'share',
  },
  { key: 'fentanylAdulteration', label: 'share of the street supply containing fentanyl', unit: 'share' },
];

/** Street supply per commodity, December value. */
export const STREET_OUTCOMES: readonly OutcomeSpec[] = perCommodity((commodity) =>
  FIELDS.map(
    (f): OutcomeSpec => ({
      path: `streetSupply.${commodity}.${f.key}`,
      label: `${commodity}: ${f.label} (December)`,
      unit: f.unit,
      direction: 'info',
      read: { aggregate: 'end', value: (sim: SimState) => sim.street[commodity][STREET[f.key]] },
    }),
  ),
);

/** The policy's cost in the year (its levers' planned intensities times their unit costs). */
export const COST_OUTCOMES: readonly OutcomeSpec[] = [
  {
    path: 'costUsd',
    label: 'cost of the policy levers',
    unit: 'USD 2024 a year, undiscounted',
    direction: 'minimise',
    summary: 'sum',
    read: {
      aggregate: 'year',
      planOnly: true,
      value: (sim, t) => {
        let cost = 0;
        for (let k = t - 11; k <= t; k++) cost += sim.cost[k];
        return cost;
      },
    },
  },
];
