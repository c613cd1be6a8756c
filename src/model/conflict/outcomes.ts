/**
 * The conflict module's outcomes: sanctions friction, leadership captures, fragmentation, violence
 * (index by region and overall, excess homicides), retaliation (flashes, succession wars, attacks on
 * US personnel or soil) and the economic cost of the crisis. Risks carry `risk: true`, so `run`,
 * ensembles and the Action table report them beside the intended outcomes.
 */

import type { OutcomeRead, OutcomeSpec } from '../outcomes.js';
import type { SimState } from '../state.js';
import { CONFLICT_REGIONS, type ConflictState } from './module.js';

const conflictOf = (sim: SimState): ConflictState => sim.modules.conflict as ConflictState;

function sum(a: Float64Array, from: number, to: number): number {
  let s = 0;
  for (let t = from; t <= to; t++) s += a[t];
  return s;
}

/** The year's sum of a monthly record. */
function yearSum(field: keyof ConflictState): OutcomeRead {
  return {
    aggregate: 'year',
    value: (sim, t) => sum(conflictOf(sim)[field] as Float64Array, t - 11, t),
  };
}

/** Mean over the year's months of the organised-crime homicides of regions `rs` over their baseline. */
function violenceIndex(sim: SimState, t: number, rs: readonly number[]): number {
  const c = conflictOf(sim);
  const R = c.regions.length;
  let base = 0;
  let excess = 0;
  for (const r of rs) {
    base += 12 * c.baseOc[r];
    for (let s = t - 11; s <= t; s++) excess += c.excess[s * R + r];
  }
  return base > 0 ? (base + excess) / base : 1;
}

const ALL = CONFLICT_REGIONS.map((_, i) => i);

/** Declarations of the conflict module's outcomes, in record order. */
export const CONFLICT_OUTCOMES: OutcomeSpec[] = [
  {
    path: 'conflict.sanctionsFriction',
    label: 'laundering friction from financial sanctions (0 none, 1 full)',
    unit: 'share',
    direction: 'info',
    note: 'mean over the year; after substitution to other channels (half-life) and with diminishing returns',
    read: { aggregate: 'year', value: (sim, t) => sum(conflictOf(sim).friction, t - 11, t) / 12 },
  },
  {
    path: 'conflict.leadershipCaptured',
    label: 'leadership losses by capture (abstract)',
    unit: 'losses a year',
    direction: 'info',
    summary: 'sum',
    note: 'captures come from the leadership-capture lever; killings are the supply events (supply.leadershipLosses)',
    read: yearSum('captured'),
  },
  {
    path: 'conflict.fragmentation',
    label: 'trafficking groups above the baseline number (fragmentation), December',
    unit: 'groups',
    direction: 'minimise',
    note: 'effective number of groups added by leadership losses, all regions; relaxes back as groups consolidate',
    read: {
      aggregate: 'year',
      value: (sim) => {
        const c = conflictOf(sim);
        let s = 0;
        for (let r = 0; r < c.regions.length; r++) s += c.groups[r] - c.groups0[r];
        return s;
      },
    },
  },
  {
    path: 'conflict.violenceIndex',
    label: 'drug-related violence index (organised-crime homicides / baseline, all regions)',
    unit: 'index (1 = baseline)',
    direction: 'minimise',
    note: 'mean over the year; regions are the countries in data/parameters/conflict.json',
    risk: true,
    read: { aggregate: 'year', value: (sim, t) => violenceIndex(sim, t, ALL) },
  },
  {
    path: 'conflict.violenceIndexByRegion.{key}',
    label: 'drug-related violence index of the country (organised-crime homicides / baseline)',
    unit: 'index (1 = baseline)',
    direction: 'minimise',
    keys: () => CONFLICT_REGIONS,
    read: (_key: string, index: number): OutcomeRead => ({
      aggregate: 'year',
      value: (sim: SimState, t: number) => violenceIndex(sim, t, [index]),
    }),
  },
  {
    path: 'conflict.excessHomicides',
    label: 'excess homicides after leadership losses (flashes, succession wars, fragmentation)',
    unit: 'people a year',
    direction: 'minimise',
    summary: 'sum',
    risk: true,
    read: {
      aggregate: 'year',
      value: (sim, t) => {
        const c = conflictOf(sim);
        const n = c.regions.length;
        let s = 0;
        for (let i = (t - 11) * n; i < (t + 1) * n; i++) s += c.excess[i];
        return s;
      },
    },
  },
  {
    path: 'conflict.retaliationFlashes',
    label: 'retaliation flashes after leadership losses',
    unit: 'events a year',
    direction: 'minimise',
    summary: 'sum',
    risk: true,
    read: yearSum('flashes'),
  },
  {
    path: 'conflict.successionWars',
    label: 'succession wars started after leadership losses',
    unit: 'events a year',
    direction: 'minimise',
    summary: 'sum',
    risk: true,
    read: yearSum('successionWars'),
  },
  {
    path: 'conflict.pAttackOnUs',
    label: 'P(attack on US personnel or soil) in the year',
    unit: 'probability',
    direction: 'minimise',
    note: 'tail risk: 1 - exp(-sum of monthly hazards); none observed through January 2026',
    risk: true,
    read: { aggregate: 'year', value: (sim, t) => 1 - Math.exp(-sum(conflictOf(sim).usHazard, t - 11, t)) },
  },
  {
    path: 'conflict.pAttackOnUsSoil',
    label: 'P(attack on US soil) in the year',
    unit: 'probability',
    direction: 'minimise',
    note: 'tail risk: the US-soil share (conflict.usSoilShare) of the hazard of attacks on US personnel or soil',
    risk: true,
    read: {
      aggregate: 'year',
      value: (sim, t) => {
        const c = conflictOf(sim);
        return 1 - Math.exp(-c.usSoilShare * sum(c.usHazard, t - 11, t));
      },
    },
  },
  {
    path: 'conflict.expectedAttacksOnUs',
    label: 'expected attacks on US personnel or soil',
    unit: 'attacks a year',
    direction: 'minimise',
    summary: 'sum',
    note: 'sum of the monthly hazards (about the probability of an attack while it is small); a tail risk',
    risk: true,
    read: yearSum('usHazard'),
  },
  {
    path: 'conflict.attacksOnUs',
    label: 'attacks on US personnel or soil (drawn)',
    unit: 'events a year',
    direction: 'minimise',
    summary: 'sum',
    read: yearSum('usAttacks'),
  },
  {
    path: 'conflict.economicCost.overdoseUsd',
    label: 'economic cost of US overdose deaths (value of statistical life)',
    unit: 'USD 2024 a year',
    direction: 'minimise',
    summary: 'sum',
    note: 'deaths x economic.vslUsd (US DOT VSL)',
    read: yearSum('costOverdose'),
  },
  {
    path: 'conflict.economicCost.oudUsd',
    label: 'economic cost of opioid use disorder (CDC cost-of-illness)',
    unit: 'USD 2024 a year',
    direction: 'minimise',
    summary: 'sum',
    note: 'person-years with OUD x economic.oudCostPerPersonYear (CDC, Luo et al. 2021); not in the total: the CDC figure is per case at a prevalence of 2.0 million, the health model carries more people with OUD',
    read: yearSum('costOud'),
  },
  {
    path: 'conflict.economicCost.violenceUsd',
    label: 'economic cost of drug-related homicides in the conflict regions',
    unit: 'USD 2024 a year',
    direction: 'minimise',
    summary: 'sum',
    note: 'organised-crime homicides (baseline + excess) x economic.vslLatinAmericaUsd (benefit transfer)',
    risk: true,
    read: yearSum('costViolence'),
  },
  {
    path: 'conflict.economicCost.totalUsd',
    label: 'economic cost of the crisis (US overdose deaths and drug-related homicides)',
    unit: 'USD 2024 a year',
    direction: 'minimise',
    summary: 'sum',
    read: {
      aggregate: 'year',
      value: (sim, t) => {
        const c = conflictOf(sim);
        return sum(c.costOverdose, t - 11, t) + sum(c.costViolence, t - 11, t);
      },
    },
  },
];
