/**
 * The conflict module (issue 14), stepped each month after supply, street, health and risk: financial
 * sanctions, leadership losses and fragmentation, violence per region, retaliation and spillover, and
 * the economic cost of the crisis. Every number is a parameter in data/parameters/conflict.json (most
 * are labelled judgements with a range); random events are drawn from the run's `conflict` stream,
 * a fixed number of draws a month so that paired runs stay aligned.
 *
 * 1. Sanctions. Pressure P = laundering sanctions + w x sanctions on officials (all countries).
 *    Organisations substitute other channels: the adapted pressure A follows P with a half-life and
 *    undoes a share s of it, so the effective pressure is max(0, P - s A). Friction
 *    f = 1 - exp(-rate x effective) (diminishing returns) slows (re)building of lab capacity (rate
 *    x (1 - maxDelayCut f)), raises its capital cost (x (1 + maxCostRise f)) and takes a share of
 *    the organisations' capital a month (fees, freezes: maxCapitalLoss f): the multipliers are
 *    written into the supply state and read by next month's supply step (production.ts, module.ts).
 * 2. Leadership losses: killings come from the supply events (strikes on land, by country); captures
 *    from the leadership-capture lever. A capture counts captureRelativeEffect of a killing. Each
 *    loss adds groups to its region (fragmentation), which relax back to the baseline number with a
 *    half-life; each group above the baseline adds homicides a year (Phillips 2015).
 * 3. Retaliation and spillover: after a loss, retaliation flashes (near-certain in a stronghold, a
 *    country where an organisation has production) and, rarely, succession wars (hundreds dead over
 *    months) are drawn as Poisson counts with lognormal tolls; the violence index of a region is its
 *    organised-crime homicides over their baseline. Attacks on US personnel or soil are a tail: a
 *    hazard from the record (two agents killed in ~40 years) raised by leadership losses and strikes
 *    in the last 12 months, by sanctions friction, and scaled by the organisations' capital.
 * 4. Economic cost: US overdose deaths x a value of statistical life (US DOT), person-years with
 *    opioid use disorder x CDC's cost per person-year, and the regions' organised-crime homicides
 *    (baseline and excess) x a benefit-transferred value of statistical life.
 */

import conflictParameters from '../../../data/parameters/conflict.json' with { type: 'json' };
import { normalQuantile, poissonAt } from '../../core/distributions.js';

export { poissonAt };

import type { TimeAxis } from '../../core/time.js';
import { type HealthState, OUT } from '../health.js';
import type { Params } from '../params.js';
import type { Module, SimState } from '../state.js';
import type { CompiledSupply } from '../supply/network.js';
import type { SupplyState } from '../supply/state.js';
import { CONFLICT_CHANNELS } from './channels.js';

const HOMICIDES = 'conflict.homicides.';

/** The conflict module's regions: the countries with a declared homicide baseline, in declared order. */
export const CONFLICT_REGIONS: readonly string[] = Object.keys(conflictParameters)
  .filter((k) => k.startsWith(HOMICIDES))
  .map((k) => k.slice(HOMICIDES.length));

/** Spread (sd of log) of the toll of one flash or succession war (method setting, not a model input). */
const TOLL_SIGMA = 0.6;

/** Draws per month: 4 per region (flash count and toll, succession count and toll) + 1 (US attack). */
const DRAWS_PER_REGION = 4;

/** The conflict module's part of the state (plain typed arrays; monthly records have one value a month). */
export interface ConflictState {
  regions: readonly string[];
  /** 1 for a stronghold (an organisation holds production there), else conflict.nonStrongholdFactor. */
  strongholdFactor: Float64Array;
  /** Baseline number of groups (organisations with production there, at least 1) and the current number. */
  groups0: Float64Array;
  groups: Float64Array;
  /** Baseline organised-crime homicides a month. */
  baseOc: Float64Array;
  /** Remaining toll of succession wars under way. */
  successionToll: Float64Array;
  /** Sanctions pressure organisations have adapted to (substitution), one value. */
  adapted: Float64Array;
  /** Organisations' total capital in the last month before the policy start (scales the US-attack hazard). */
  capital0: number;
  /** Monthly records. */
  friction: Float64Array;
  killed: Float64Array;
  captured: Float64Array;
  /** Excess organised-crime homicides by region: row-major, month x region. */
  excess: Float64Array;
  fragmentationDeaths: Float64Array;
  flashes: Float64Array;
  flashDeaths: Float64Array;
  successionWars: Float64Array;
  successionDeaths: Float64Array;
  /** Share of attacks on US personnel or soil that fall on US soil (conflict.usSoilShare). */
  usSoilShare: number;
  /** Monthly hazard of an attack on US personnel or soil, and attacks drawn. */
  usHazard: Float64Array;
  usAttacks: Float64Array;
  costOverdose: Float64Array;
  costOud: Float64Array;
  costViolence: Float64Array;
}

/** Options of the conflict module. */
export interface ConflictOptions {
  stochastic: boolean;
}

/** A lognormal multiplier with mean 1 for uniform `u`. */
function tollFactor(u: number): number {
  const z = normalQuantile(Math.min(1 - 1e-12, Math.max(1e-12, u)));
  return Math.exp(TOLL_SIGMA * z - (TOLL_SIGMA * TOLL_SIGMA) / 2);
}

/** Create the conflict module of one run. */
export function createConflictModule(
  axis: TimeAxis,
  params: Params,
  channels: Map<string, Float64Array>,
  supply: SupplyState,
  health: HealthState,
  options: ConflictOptions,
): { module: Module; state: ConflictState } {
  const g = (id: string) => params.get(id);
  const steps = axis.steps;
  const regions = CONFLICT_REGIONS;
  const R = regions.length;
  const compiled: CompiledSupply = supply.compiled;

  // Strongholds and baseline groups: organisations holding production in the country.
  const orgsIn = regions.map(() => new Set<number>());
  for (const c of compiled.commodities)
    for (const h of c.holdings) {
      const r = regions.indexOf(c.net.nodes[h.node].country);
      if (r >= 0) orgsIn[r].add(h.org);
    }
  const nonStronghold = g('conflict.nonStrongholdFactor');
  const share = g('conflict.organisedCrimeShare');
  const groups0 = Float64Array.from(orgsIn, (s) => Math.max(1, s.size));
  const state: ConflictState = {
    regions,
    strongholdFactor: Float64Array.from(orgsIn, (s) => (s.size > 0 ? 1 : nonStronghold)),
    groups0,
    groups: groups0.slice(),
    baseOc: Float64Array.from(regions, (r) => (g(`${HOMICIDES}${r}`) * share) / 12),
    successionToll: new Float64Array(R),
    adapted: new Float64Array(1),
    capital0: supply.capital.reduce((a, b) => a + b, 0),
    usSoilShare: g('conflict.usSoilShare'),
    friction: new Float64Array(steps),
    killed: new Float64Array(steps),
    captured: new Float64Array(steps),
    excess: new Float64Array(steps * R),
    fragmentationDeaths: new Float64Array(steps),
    flashes: new Float64Array(steps),
    flashDeaths: new Float64Array(steps),
    successionWars: new Float64Array(steps),
    successionDeaths: new Float64Array(steps),
    usHazard: new Float64Array(steps),
    usAttacks: new Float64Array(steps),
    costOverdose: new Float64Array(steps),
    costOud: new Float64Array(steps),
    costViolence: new Float64Array(steps),
  };

  // Channels of this run's plan (a missing channel is zero).
  const laundering = channels.get(CONFLICT_CHANNELS.laundering);
  const officials = regions
    .map((r) => channels.get(CONFLICT_CHANNELS.officials.replace('{target}', r)))
    .filter((x): x is Float64Array => x !== undefined);
  const captures = regions.map((r) => channels.get(CONFLICT_CHANNELS.captures.replace('{target}', r)));

  // Constants.
  const officialWeight = g('conflict.officialSanctionsFinanceWeight');
  const adaptStep = 1 - 2 ** (-1 / Math.max(1e-9, g('conflict.sanctionsSubstitutionHalfLifeMonths')));
  const substitutable = g('conflict.sanctionsSubstitutableShare');
  const rate = g('conflict.sanctionsRate');
  const maxDelay = g('conflict.sanctionsMaxDelayCut');
  const maxCost = g('conflict.sanctionsMaxCostRise');
  const maxCapitalLoss = g('conflict.sanctionsMaxCapitalLoss');
  const captureRel = g('conflict.captureRelativeEffect');
  const split = g('conflict.splitPerKilling');
  const consolidate = 2 ** (-1 / Math.max(1e-9, g('conflict.consolidationHalfLifeMonths')));
  const perGroupMonth = g('conflict.homicidesPerExtraGroupYear') / 12;
  const flashP = g('conflict.flashProbability');
  const flashToll = g('conflict.flashDeaths');
  const succP = g('conflict.successionProbability');
  const succToll = g('conflict.successionDeaths');
  const succRelease = 1 / Math.max(1, g('conflict.successionMonths'));
  const usBase = g('conflict.usAttackBaseRate') / 12;
  const usLoss = g('conflict.usAttackPerLeadershipLoss');
  const usStrikes = g('conflict.usAttackPer100Strikes') / 100;
  const usFinance = g('conflict.usAttackFinancialPressure');
  const usCapital = g('conflict.usAttackCapitalElasticity');
  const vsl = g('economic.vslUsd');
  const oudCost = g('economic.oudCostPerPersonYear') / 1;
  const vslLa = g('economic.vslLatinAmericaUsd');

  const events = supply.events;
  const finance = supply.finance;
  const capital = supply.capital;
  const stochastic = options.stochastic;
  const policyStep = supply.policyStep;
  const draws = new Float64Array(R * DRAWS_PER_REGION + 1);
  const rowOf = regions.map(() => undefined as Float64Array | undefined);

  const module: Module = {
    id: 'conflict',
    step(sim: SimState) {
      const t = sim.t;
      const stream = sim.streams.conflict;
      if (stochastic) for (let i = 0; i < draws.length; i++) draws[i] = stream.next();

      // 1. Sanctions: pressure, substitution with a half-life, friction with diminishing returns.
      let pressure = laundering ? laundering[t] : 0;
      for (const o of officials) pressure += officialWeight * o[t];
      const adapted = state.adapted;
      adapted[0] += (pressure - adapted[0]) * adaptStep;
      const effective = Math.max(0, pressure - substitutable * adapted[0]);
      const f = effective > 0 ? 1 - Math.exp(-rate * effective) : 0;
      state.friction[t] = f;
      finance[0] = 1 - maxDelay * f;
      finance[1] = 1 + maxCost * f;
      finance[2] = 1 - maxCapitalLoss * f;

      // 2-3. Leadership losses, fragmentation, flashes and succession wars by region.
      let killedAll = 0;
      for (const row of events.leadershipLossesByCountry.values()) killedAll += row[t];
      let capturedAll = 0;
      let frag = 0;
      let flashes = 0;
      let flashDeaths = 0;
      let wars = 0;
      let warDeaths = 0;
      let violenceDeaths = 0;
      const excessRow = t * R;
      for (let r = 0; r < R; r++) {
        let row = rowOf[r];
        if (!row) {
          row = events.leadershipLossesByCountry.get(regions[r]);
          rowOf[r] = row;
        }
        const killed = row ? row[t] : 0;
        const cap = captures[r];
        const captured = cap ? cap[t] / 12 : 0;
        capturedAll += captured;
        const eq = killed + captureRel * captured;
        const g0 = groups0[r];
        const groups = state.groups;
        groups[r] = g0 + (groups[r] + split * eq - g0) * consolidate;
        const fragDeaths = (groups[r] - g0) * perGroupMonth;
        const nFlash = eq * flashP * state.strongholdFactor[r];
        const nWar = eq * succP;
        let kFlash: number;
        let flashToll_: number;
        let kWar: number;
        let warToll: number;
        const d = r * DRAWS_PER_REGION;
        if (stochastic) {
          kFlash = poissonAt(draws[d], nFlash);
          flashToll_ = kFlash > 0 ? kFlash * flashToll * tollFactor(draws[d + 1]) : 0;
          kWar = poissonAt(draws[d + 2], nWar);
          warToll = kWar > 0 ? kWar * succToll * tollFactor(draws[d + 3]) : 0;
        } else {
          kFlash = nFlash;
          flashToll_ = nFlash * flashToll;
          kWar = nWar;
          warToll = nWar * succToll;
        }
        state.successionToll[r] += warToll;
        const released = state.successionToll[r] * succRelease;
        state.successionToll[r] -= released;
        const excess = fragDeaths + flashToll_ + released;
        state.excess[excessRow + r] = excess;
        frag += fragDeaths;
        flashes += kFlash;
        flashDeaths += flashToll_;
        wars += kWar;
        warDeaths += released;
        violenceDeaths += state.baseOc[r] + excess;
      }
      state.killed[t] = killedAll;
      state.captured[t] = capturedAll;
      state.fragmentationDeaths[t] = frag;
      state.flashes[t] = flashes;
      state.flashDeaths[t] = flashDeaths;
      state.successionWars[t] = wars;
      state.successionDeaths[t] = warDeaths;

      // Attacks on US personnel or soil: a tail hazard with drivers over the last 12 months.
      let losses12 = 0;
      let strikes12 = 0;
      for (let s = Math.max(0, t - 11); s <= t; s++) {
        losses12 += state.killed[s] + state.captured[s];
        strikes12 += events.strikesAtSea[s] + events.strikesOnLand[s];
      }
      let k = 0;
      for (let o = 0; o < capital.length; o++) k += capital[o];
      // The base rate is the record's, so capital scales the hazard relative to the last month before
      // the policy start (factor 1 before it).
      if (t < policyStep) state.capital0 = k;
      const capitalFactor =
        t < policyStep ? 1 : state.capital0 > 0 && k > 0 ? (k / state.capital0) ** usCapital : 0;
      const hazard = usBase * (1 + usLoss * losses12 + usStrikes * strikes12 + usFinance * f) * capitalFactor;
      state.usHazard[t] = hazard;
      const pAttack = 1 - Math.exp(-hazard);
      state.usAttacks[t] = stochastic ? (draws[R * DRAWS_PER_REGION] < pAttack ? 1 : 0) : pAttack;

      // 4. Economic cost of the month.
      const out = health.out;
      state.costOverdose[t] = out[OUT.total] * vsl;
      state.costOud[t] = (out[OUT.personYearsU] + out[OUT.personYearsT]) * oudCost;
      state.costViolence[t] = violenceDeaths * vslLa;
    },
  };
  return { module, state };
}
