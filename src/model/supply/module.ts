/**
 * The supply side and the market, stepped monthly.
 *
 * Organisations (stylised) hold lab capacity in production regions. Each month they produce (limited
 * by lab capacity and by coca or precursor supply), ship a share of their inventory and split it over
 * their precomputed route set by a logit on expected profit net of PERCEIVED risk, revised quarterly
 * (DEFAULTS.routeReviewMonths); perceived risk on
 * each leg is updated from their own losses with decaying memory and relaxes back to baseline on
 * legs they stop using (in the spirit of NarcoLogic, Magliocca et al., PNAS 2019). Pressure on one
 * corridor therefore displaces flow to others. Seizures are drawn around their expectation from the
 * run's `supply` stream (one draw a month per enforcement group, shared by its legs). Labs destroyed by strikes are rebuilt at a rate funded by capital; losses
 * and payouts reduce capital.
 *
 * Markets: the import-level (wholesale) price is the reference price plus the change in the cost of
 * replacing product (each leg's cost counted only for the kg that enter it, so a seizure share s at a
 * point raises the cost per delivered kg by 1/(1 - s) there) times a risk-compensation multiplier,
 * less the part traffickers adapt away, and passes to retail multiplicatively (Caulkins); both
 * levels clear what each market offers against its demand curve (reference consumption by year,
 * demand.ts, x price elasticity x the levers' demand shifts), so consumption is always the quantity
 * demanded at the price paid (markets.ts). Demand-led markets (US and European cocaine) receive what
 * their demand needs; the others clear what arrives (routing.ts). From the policy
 * start organisations raise production to replace product lost in transit, within capacity
 * (rebuilt with capital) and a ceiling. Purity falls when supply is short. From `policyStart` the US market
 * drives the street-supply interface, normalised to the last historical month so that with no
 * policy the projection continues the history smoothly; before it, the historical series drives and
 * the market runs alongside.
 *
 * Mass balance holds every month by construction and is checked by a test:
 * produced = seized + destroyed + consumed + change in inventories (labs and distribution stocks).
 *
 * This file assembles a run's supply modules; the monthly step is in step.ts, its stages in
 * interdiction.ts, production.ts, routing.ts, shipments.ts, learning.ts, markets.ts and records.ts,
 * the per-run state in state.ts, the scenario-only layout in layout.ts, the lever effect kinds in
 * lever-effects.ts and the street interface in street.ts.
 */

import { Float64Arena } from '../../core/arena.js';
import { normal } from '../../core/distributions.js';
import type { TimeAxis } from '../../core/time.js';
import { parseMonth } from '../../core/time.js';
import type { Scenario } from '../../spec/scenario.js';
import type { Params } from '../params.js';
import { monthlyFromYearlyShared } from '../series.js';
import type { Module, SimState } from '../state.js';
import { MARKET_LEVERS, SUPPLY_LEVERS } from './data.js';
import { referenceDemand } from './demand.js';
import { cultivationInput, layoutOf, noiseGroupsOf } from './layout.js';
import { bindLeverEffects } from './lever-effects.js';
import { bindMarketLevers } from './market-levers.js';
import type { CompiledSupply } from './network.js';
import type { EventRecords } from './records.js';
import {
  type CommodityRt,
  createCommodityRt,
  type StepContext,
  type SupplyModules,
  type SupplyOptions,
  type SupplyState,
} from './state.js';
import { stepCommodity } from './step.js';
import { createStreetModule } from './street.js';
import { STRIKE_SETTINGS } from './strike-settings.js';

export type { CommodityRecords, EventRecords } from './records.js';
export {
  DEFAULTS,
  SUPPLY_CONFIG_KEYS,
  type SupplyModules,
  type SupplyOptions,
  type SupplyState,
} from './state.js';

/** The arena behind each run's supply state (its records and runtime arrays), for `releaseSupply`. */
const arenas = new WeakMap<SupplyState, Float64Arena>();

/**
 * Hand a finished run's supply buffers back to this thread's pool (see core/arena.ts). Only for a
 * caller that has read everything it needs from the run: the records and state become invalid.
 */
export function releaseSupply(state: SupplyState): void {
  arenas.get(state)?.release();
  arenas.delete(state);
}

/** The constants of the monthly step, read from the run's parameters. */
function stepConstants(g: (id: string) => number) {
  return {
    headroom: g('supply.cocaineLabHeadroom'),
    growthFactor: Math.exp(g('supply.fentanylCapacityGrowth') / 12),
    hurdle: g('supply.expansionHurdle'),
    rebuildRate: g('supply.labRebuildRate'),
    shipShare: g('supply.shipmentShare'),
    temperature: g('supply.routeChoiceTemperature'),
    cargo: g('supply.cargoPerStruckVesselKg'),
    kgSea: g('supply.kgPerMaritimeShipment'),
    deathsPerVessel: g('supply.deathsPerStruckVessel'),
    cashShare: g('supply.cashCostShare'),
    memory: g('supply.riskMemory'),
    deterrence: g('supply.strikeDeterrence'),
    forgetting: g('supply.riskForgetting'),
    turnover: g('market.stockTurnover'),
    smoothing: 1 / Math.max(1, g('market.streetSmoothingMonths')),
    kappa: g('market.riskCompensation'),
    replaceRate: 1 / Math.max(1, g('supply.replacementMonths')),
    maxReplace: g('supply.maxReplacement'),
    thetaPurity: g('market.purityElasticity'),
    adaptRate: 1 / Math.max(1, g('market.priceAdaptationMonths')),
    lastingShare: g('market.lastingPriceShare'),
  };
}

/** Kg in labs and distribution stocks before the first month. */
function startingStock(rt: CommodityRt): number {
  let kg = 0;
  for (const x of rt.prod.inv) kg += x;
  for (const x of rt.market.mk.stock) kg += x;
  return kg;
}

/** Create the supply, market and street-supply modules (step order: supply -> market -> street). */
export function createSupplyModules(
  axis: TimeAxis,
  scenario: Scenario,
  params: Params,
  compiled: CompiledSupply,
  channels: Map<string, Float64Array>,
  options: SupplyOptions,
): SupplyModules {
  const steps = axis.steps;
  const g = (id: string) => params.get(id);
  const investShare = g('supply.capitalInvestShare');
  const payout = g('supply.capitalPayoutRate');

  // Per-run arrays are views into a few shared blocks (see core/arena.ts).
  const arena = new Float64Arena();
  const orgs = compiled.organisations;
  const capital = arena.copy(orgs.map((o) => o.capitalUsd));
  const budget = arena.zeros(orgs.length);
  const tolerance = arena.copy(orgs.map((o) => o.riskTolerance));

  const events: EventRecords = {
    strikesAtSea: arena.zeros(steps),
    strikesOnLand: arena.zeros(steps),
    deathsAboard: arena.zeros(steps),
    leadershipLosses: arena.zeros(steps),
    strikesBySovereignty: new Map(),
    leadershipLossesByCountry: new Map(),
    strikesBySetting: {
      'at-sea': arena.zeros(steps),
      remote: arena.zeros(steps),
      populated: arena.zeros(steps),
    },
  };
  // Financial-sanctions multipliers on (re)building labs, written by the conflict module each month
  // and read by the next month's supply step: [(re)building rate multiplier, capital-cost multiplier,
  // share of capital kept after laundering losses].
  const finance = arena.copy([1, 1, 1]);
  const sovereigntyRow = (s: string): Float64Array => {
    let row = events.strikesBySovereignty.get(s);
    if (!row) {
      row = new Float64Array(steps);
      events.strikesBySovereignty.set(s, row);
    }
    return row;
  };

  const constants = stepConstants(g);
  const rts: CommodityRt[] = compiled.commodities.map((c) =>
    createCommodityRt(c, layoutOf(c), {
      arena,
      steps,
      g,
      nOrgs: orgs.length,
      tolerance,
      riskAversion: g('supply.riskAversion'),
      kgSea: constants.kgSea,
      input: cultivationInput(axis, c),
      turnover: constants.turnover,
      ...referenceDemand(axis, scenario, c, g, arena),
    }),
  );
  // Each supply lever declares its effect; bind every (lever, target) whose channel is used.
  bindLeverEffects(SUPPLY_LEVERS, rts, channels, g);
  bindMarketLevers(MARKET_LEVERS, rts, channels, g);
  // Seizure-noise groups over both commodities: the same agency's legs share a draw.
  const noise = noiseGroupsOf(compiled);
  rts.forEach((rt, i) => {
    rt.noiseGroup = noise.groups[i];
  });
  const noiseZ = arena.zeros(noise.count);
  const policyStep = Math.min(steps - 1, Math.max(0, parseMonth(scenario.policyStart) - axis.start));
  // A country's strikes are counted once even when both commodities have holdings there.
  const strikeCounted = new Set<string>();

  const ctx: StepContext = {
    axis,
    scenario,
    strikeCounted,
    events,
    sovereigntyRow,
    budget,
    capital,
    options,
    policyStep,
    noiseZ,
    precursorHistory: scenario.history.precursorSupply
      ? monthlyFromYearlyShared(axis, scenario.history.precursorSupply)
      : null,
    finance,
    settingRows: STRIKE_SETTINGS.map((k) => events.strikesBySetting[k]),
    ...constants,
  };
  const keepShare = 1 - payout;
  const supplyModule: Module = {
    id: 'supply',
    step(sim: SimState) {
      const t = sim.t;
      const stream = sim.streams.supply;
      strikeCounted.clear();
      if (options.stochastic) for (let i = 0; i < noiseZ.length; i++) noiseZ[i] = normal(stream);
      for (let o = 0; o < orgs.length; o++) budget[o] = capital[o] * investShare;
      for (const rt of rts) stepCommodity(ctx, rt, t);
      // Financial sanctions also take a share of capital a month (laundering fees, freezes; finance[2]).
      const keep = keepShare * finance[2];
      for (let o = 0; o < orgs.length; o++) capital[o] *= keep;
    },
  };

  const fenRt = rts.find((r) => r.c.commodity === 'fentanyl')!;
  const cocRt = rts.find((r) => r.c.commodity === 'cocaine')!;
  const street = createStreetModule(axis, scenario, params, policyStep, cocRt, fenRt);

  const state: SupplyState = {
    compiled,
    records: { cocaine: cocRt.rec, fentanyl: fenRt.rec },
    events,
    capital,
    policyStep,
    corridors: { cocaine: cocRt.c.corridors, fentanyl: fenRt.c.corridors },
    initialInventory: { cocaine: startingStock(cocRt), fentanyl: startingStock(fenRt) },
    detectionScale: { cocaine: cocRt.legs.detScale, fentanyl: fenRt.legs.detScale },
    finance,
  };
  arenas.set(state, arena);
  // Everything the monthly steps mutate, for forking a run (see engine/run.ts runPaired).
  const mutable = { capital, budget, noiseZ, events, histRef: street.histRef, rts, finance };
  return { modules: [supplyModule, street.module], state, mutable };
}
