/**
 * The risk module's outcomes, declared once (model/outcomes.ts): harm from strikes (each kind
 * separately, never a total with overdose deaths), diplomatic crises, partners suspending
 * cooperation, the regional-ties index, alignment with rival powers, and per country its tension and
 * months in crisis. Risks carry `risk: true`, so run, ensembles, the action table and the dashboard
 * show them beside the intended outcomes.
 */

import type { OutcomeDef, OutcomeFamily, OutcomeSpec, Reading } from '../outcomes.js';
import type { SimState } from '../state.js';
import { ACTORS } from './data.js';
import { NOW, PARTNER_CORRIDORS, type RiskState } from './module.js';

const riskOf = (sim: SimState): RiskState => sim.modules.risk as RiskState;
const now = (index: number): Reading => ({ array: (sim) => riskOf(sim).now, index });

type Field = Omit<OutcomeDef, 'read' | 'direction' | 'risk'> & {
  index: number;
  aggregate?: 'sum' | 'end' | 'mean';
};

function harm(f: Field): OutcomeDef {
  const { index, aggregate, ...meta } = f;
  return {
    ...meta,
    direction: 'minimise',
    risk: true,
    read: { aggregate: aggregate ?? 'sum', value: now(index) },
  };
}

const INDEPENDENT =
  'independent-count basis (TBIJ, New America, Airwars); official acknowledgements run 4-10x lower (risk.harm.officialShareOfIndependent)';

const PARTNER_CORRIDOR: OutcomeFamily[] = [
  {
    path: 'risk.partners.interdictionLost.{key}',
    label:
      'share of interdiction on the corridor lost to partners suspending cooperation (mean over the year)',
    unit: 'share',
    direction: 'minimise',
    keys: () => PARTNER_CORRIDORS,
    read: (_key, i) => ({ aggregate: 'mean', value: { array: (sim) => riskOf(sim).lost, index: i } }),
  },
];

const PER_ACTOR: OutcomeFamily[] = [
  {
    path: 'risk.tension.{key}',
    label: 'tension with this country (points; a crisis threshold is a few points), December',
    unit: 'tension points',
    direction: 'minimise',
    keys: () => ACTORS.map((a) => a.id),
    read: (_key, i) => ({ aggregate: 'end', value: { array: (sim) => riskOf(sim).tension, index: i } }),
  },
  {
    path: 'risk.crisisMonths.{key}',
    label: 'months in diplomatic crisis with this country',
    unit: 'months a year',
    direction: 'minimise',
    summary: 'sum',
    keys: () => ACTORS.map((a) => a.id),
    read: (_key, i) => ({ aggregate: 'end', value: { array: (sim) => riskOf(sim).crisisMonths, index: i } }),
  },
];

/** Every outcome of the risk module, in record order. */
export const RISK_OUTCOMES: OutcomeSpec[] = [
  harm({
    path: 'risk.harm.killedInStrikes',
    label: 'people killed in strikes',
    unit: 'people a year',
    summary: 'sum',
    note: `aboard: the supply module's count, reproducing the official SOUTHCOM/Pentagon tally as reported by AP; bystanders on land on the ${INDEPENDENT}`,
    index: NOW.killedInStrikes,
  }),
  harm({
    path: 'risk.harm.missingAtSea',
    label: 'missing at sea (of those killed aboard)',
    unit: 'people a year',
    summary: 'sum',
    index: NOW.missingAtSea,
  }),
  harm({
    path: 'risk.harm.survivorsAtSea',
    label: 'survivors of strikes at sea',
    unit: 'people a year',
    summary: 'sum',
    index: NOW.survivorsAtSea,
  }),
  harm({
    path: 'risk.harm.killedOnLand',
    label: 'killed at targets on land',
    unit: 'people a year',
    summary: 'sum',
    index: NOW.killedOnLand,
  }),
  harm({
    path: 'risk.harm.bystanders.atSea',
    label: 'bystanders killed at sea (non-traffickers, of those killed aboard)',
    unit: 'people a year',
    summary: 'sum',
    note: 'no count exists; a judgement interpolated by intelligence quality',
    index: NOW.bystandersAtSea,
  }),
  harm({
    path: 'risk.harm.bystanders.remote',
    label: 'bystanders killed on land, remote',
    unit: 'people a year',
    summary: 'sum',
    note: INDEPENDENT,
    index: NOW.bystandersRemote,
  }),
  harm({
    path: 'risk.harm.bystanders.populated',
    label: 'bystanders killed on land, populated',
    unit: 'people a year',
    summary: 'sum',
    note: INDEPENDENT,
    index: NOW.bystandersPopulated,
  }),
  harm({
    path: 'risk.harm.bystanders.total',
    label: 'bystander casualties (killed)',
    unit: 'people a year',
    summary: 'sum',
    note: INDEPENDENT,
    index: NOW.bystandersKilled,
  }),
  harm({
    path: 'risk.diplomacy.crisisOnsets',
    label: 'diplomatic crises begun',
    unit: 'crises a year',
    summary: 'sum',
    note: 'a country breaks into open crisis when its tension crosses risk.crisis.threshold (monthly hazard)',
    probability: 'P(diplomatic crisis)',
    index: NOW.crisisOnsets,
  }),
  harm({
    path: 'risk.diplomacy.countriesInCrisis',
    label: 'countries in diplomatic crisis at some time in the year',
    unit: 'countries',
    index: NOW.countriesInCrisis,
    aggregate: 'end',
  }),
  harm({
    path: 'risk.diplomacy.countriesEverInCrisis',
    label: 'countries in diplomatic crisis (ever)',
    unit: 'countries',
    summary: 'last',
    index: NOW.countriesEverInCrisis,
    aggregate: 'end',
  }),
  harm({
    path: 'risk.diplomacy.crisisMonths',
    label: 'country-months of diplomatic crisis',
    unit: 'country-months a year',
    summary: 'sum',
    index: NOW.crisisMonthsAll,
  }),
  harm({
    path: 'risk.partners.suspensionOnsets',
    label: 'partner suspensions of intelligence sharing or joint operations',
    unit: 'suspensions a year',
    summary: 'sum',
    probability: 'P(partner suspends cooperation)',
    index: NOW.partnerOnsets,
  }),
  harm({
    path: 'risk.partners.suspended',
    label: 'partners suspending cooperation at some time in the year',
    unit: 'partners',
    index: NOW.partnersSuspended,
    aggregate: 'end',
  }),
  harm({
    path: 'risk.partners.everSuspended',
    label: 'partners suspending cooperation (ever)',
    unit: 'partners',
    summary: 'last',
    index: NOW.partnersEverSuspended,
    aggregate: 'end',
  }),
  harm({
    path: 'risk.partners.suspendedMonths',
    label: 'partner-months of suspended cooperation',
    unit: 'partner-months a year',
    summary: 'sum',
    index: NOW.partnerMonths,
  }),
  ...PARTNER_CORRIDOR,
  {
    path: 'risk.regionalTies',
    label: 'regional-ties index (1 = as before, 0 = all in crisis)',
    unit: 'index',
    direction: 'maximise',
    summary: 'last',
    risk: true,
    note: "mean over the regional countries of 1 - min(1, tension / crisis threshold + min(cap, regional concern / crisis threshold)), averaged over the year's months",
    read: { aggregate: 'mean', value: now(NOW.regionalTies) },
  },
  harm({
    path: 'risk.rivalAlignment',
    label: 'countries moved closer to rival powers',
    unit: 'countries',
    summary: 'last',
    probability: 'P(a country moves closer to rival powers)',
    index: NOW.rivalAlignment,
    aggregate: 'end',
  }),
  ...PER_ACTOR,
];
