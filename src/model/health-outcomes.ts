/**
 * The health module's outcomes, declared once (see model/outcomes.ts): overdose deaths by
 * involvement group, deaths involving any opioid, year-end populations by compartment, and the
 * opioid-overdose death rates of people untreated and in MOUD. Death groups follow CDC/NCHS
 * multiple-cause-of-death coding: a death involving several drugs counts in each group.
 */

import { COMPARTMENT_NAMES, type HealthState, OUT } from './health.js';
import type { OutcomeSpec } from './outcomes.js';
import type { SimState } from './state.js';

/** The death groups of `annual[].deaths`, in order, with the health output slot each reads. */
export const DEATH_GROUPS = [
  { key: 'total', slot: OUT.total, label: 'overdose deaths, all drugs', series: 'deathsTotal' },
  {
    key: 'syntheticOpioids',
    slot: OUT.syntheticOpioids,
    label: 'deaths involving synthetic opioids other than methadone (ICD-10 T40.4, mainly fentanyl)',
    series: 'syntheticOpioids',
  },
  {
    key: 'otherOpioids',
    slot: OUT.otherOpioids,
    label:
      'deaths involving other opioids (heroin, natural, semi-synthetic, methadone) and no synthetic opioid',
  },
  { key: 'cocaine', slot: OUT.cocaine, label: 'deaths involving cocaine (T40.5)' },
  {
    key: 'otherStimulants',
    slot: OUT.otherStimulants,
    label: 'deaths involving psychostimulants with abuse potential (T43.6, mainly methamphetamine)',
  },
] as const;

export type DeathGroup = (typeof DEATH_GROUPS)[number]['key'];

const health = (sim: SimState): HealthState => sim.modules.health as HealthState;
/** A reading of the health module's monthly output record (slot of `OUT`). */
const out = (slot: number) => ({ array: (sim: SimState) => health(sim).out, index: slot });

/** Compartment labels for the year-end populations. */
const COMPARTMENT_LABELS: Record<(typeof COMPARTMENT_NAMES)[number], string> = {
  generalPopulation: 'general population aged 12+ (none of the states below)',
  prescriptionMisuse: 'people misusing prescription opioids',
  oudUntreated: 'people with opioid use disorder, not in treatment',
  oudInTreatment: 'people in medication treatment for opioid use disorder (MOUD)',
  remission: 'people in remission from opioid use disorder',
  stimulantUse: 'people with regular stimulant use',
  deadOverdose: 'cumulative overdose deaths since 2015 (in the model population)',
  deadOther: 'cumulative deaths of other causes since 2015 (in the model population)',
  methamphetamineUse: 'people with regular methamphetamine use',
};

/** Directions of the populations that have one; the rest are information. */
const COMPARTMENT_DIRECTION: Partial<Record<(typeof COMPARTMENT_NAMES)[number], 'minimise'>> = {
  oudUntreated: 'minimise',
  deadOverdose: 'minimise',
};

/** The health outcomes, in the annual record's order. */
export const HEALTH_OUTCOMES: readonly OutcomeSpec[] = [
  ...DEATH_GROUPS.map(
    (g): OutcomeSpec => ({
      path: `deaths.${g.key}`,
      label: g.label,
      unit: 'deaths a year',
      direction: 'minimise',
      summary: 'sum',
      series: 'series' in g ? g.series : undefined,
      read: { aggregate: 'sum', value: out(g.slot) },
    }),
  ),
  {
    path: 'opioidDeaths',
    label: 'deaths involving any opioid (prescription, heroin or synthetic)',
    unit: 'deaths a year',
    direction: 'minimise',
    summary: 'sum',
    read: { aggregate: 'sum', value: out(OUT.opioid) },
  },
  ...COMPARTMENT_NAMES.map(
    (name, i): OutcomeSpec => ({
      path: `population.${name}`,
      label: COMPARTMENT_LABELS[name],
      unit: 'people on 31 December',
      direction: COMPARTMENT_DIRECTION[name] ?? 'info',
      summary: name === 'oudUntreated' || name === 'oudInTreatment' ? 'last' : undefined,
      read: { aggregate: 'end', value: { array: (sim: SimState) => health(sim).x, index: i } },
    }),
  ),
  {
    path: 'overdoseRatePer1000.untreated',
    label: 'opioid-overdose deaths per 1,000 person-years, untreated OUD',
    unit: 'deaths per 1,000 person-years',
    direction: 'minimise',
    read: {
      aggregate: 'ratio',
      num: out(OUT.deathsU),
      den: out(OUT.personYearsU),
      scale: 1000,
    },
  },
  {
    path: 'overdoseRatePer1000.inTreatment',
    label: 'opioid-overdose deaths per 1,000 person-years in MOUD',
    unit: 'deaths per 1,000 person-years',
    direction: 'minimise',
    read: {
      aggregate: 'ratio',
      num: out(OUT.deathsT),
      den: out(OUT.personYearsT),
      scale: 1000,
    },
  },
];
