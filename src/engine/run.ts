/**
 * The engine: builds the modules in their declared order, steps them monthly over the horizon and
 * records monthly and annual outcomes. Step order each month: levers (precomputed plan) -> supply
 * (organisations, then market) -> street supply (history before policyStart, market after) ->
 * health -> recorders. Same scenario, policy, seed and version give identical results.
 */

import { clonePlain, copyState } from '../core/copy-state.js';
import { makeStreams } from '../core/rng.js';
import { makeTimeAxis, type TimeAxis } from '../core/time.js';
import { C, type COMPARTMENT_NAMES, createHealthModule, OUT } from '../model/health.js';
import { type LeverPlan, planPolicy } from '../model/levers.js';
import { Params } from '../model/params.js';
import {
  type CompiledSupply,
  createSupplyModules,
  prepareSupply,
  releaseSupply,
  SUPPLY_CONFIG_KEYS,
  type SupplyModules,
  type SupplyState,
  type SupplySummary,
  type SupplyYear,
  supplySummary,
  supplyYear,
} from '../model/supply/index.js';
import type { Policy, Scenario } from '../scenario/schema.js';
import {
  COMMODITIES,
  type Module,
  type SimState,
  STREET,
  STREET_FIELDS,
  type StreetSupply,
} from './state.js';

/** Names of the run's random streams, in stream order (append only: order is part of the model version). */
export const STREAM_NAMES = ['health', 'supply', 'events'] as const;

/** Inputs of one run. */
export interface RunInput {
  scenario: Scenario;
  policy: Policy;
  seed: number;
  replicate?: number;
  /** Draw process noise (default true). Calibration runs use expected values. */
  stochastic?: boolean;
  /** Parameter values overriding the scenario's (e.g. one ensemble draw). */
  parameters?: Readonly<Record<string, number>>;
  /** Also return monthly series. */
  monthly?: boolean;
}

/** Deaths by group; groups overlap (a death involving several drugs counts in each). */
export interface Deaths {
  total: number;
  syntheticOpioids: number;
  otherOpioids: number;
  cocaine: number;
  otherStimulants: number;
}

/** One year of outcomes. */
export interface AnnualRecord {
  year: number;
  deaths: Deaths;
  /** Deaths involving any opioid (prescription, heroin or synthetic). */
  opioidDeaths: number;
  /** People in each compartment on 31 December. */
  population: Record<(typeof COMPARTMENT_NAMES)[number], number>;
  /** Opioid-overdose deaths per 1,000 person-years, untreated OUD vs in MOUD. */
  overdoseRatePer1000: { untreated: number; inTreatment: number };
  /** Street supply, December value. */
  streetSupply: Record<
    string,
    { availability: number; priceIndex: number; potency: number; fentanylAdulteration: number }
  >;
  /** Cost of the policy's levers this year, USD 2024 (undiscounted). */
  costUsd: number;
  /** Drug reaching the US market, kg (cocaine pure; fentanyl gross product as seized). */
  flow: { cocaine: number; fentanyl: number };
  /** Seized anywhere in the trafficking network, kg. */
  seizures: { cocaine: number; fentanyl: number };
  /** Supply-side detail: prices, labs, route dispersion, strikes (for the risk module). */
  supply: SupplyYear;
}

/** Monthly series (optional). */
export interface MonthlySeries {
  month: string[];
  deathsTotal: number[];
  syntheticOpioids: number[];
}

/** What one run returns (before the manifest is attached). */
export interface RunOutput {
  axis: TimeAxis;
  annual: AnnualRecord[];
  monthly?: MonthlySeries;
  /** Cost by lever use, USD 2024, whole horizon, undiscounted. */
  costByLever: { lever: string; target?: string; costUsd: number }[];
  /** Monthly total cost, for discounting. */
  monthlyCost: Float64Array;
  /** Conservation residual: max |population + dead - initial| over the run (people). */
  conservationError: number;
  /** Smallest compartment value seen (never negative in a correct run). */
  minCompartment: number;
  /** Supply-side summary (rebound, mass balance) and the module state with its monthly records. */
  supply: SupplySummary & { state: SupplyState };
}

/** A prepared model: what does not depend on the seed is computed once. */
export interface Prepared {
  axis: TimeAxis;
  scenario: Scenario;
  params: Params;
  plan: LeverPlan;
  supply: CompiledSupply;
}

/**
 * Resolve parameters and plan the policy. With `like`, a preparation of the same scenario and
 * parameters for another policy, its time axis, parameters and compiled network are reused (they
 * do not depend on the policy) and only the lever plan is made.
 */
export function prepare(input: RunInput, like?: Prepared): Prepared {
  if (like) {
    const plan = planPolicy(input.policy, input.scenario, like.axis, like.params);
    return { ...like, plan };
  }
  const axis = makeTimeAxis(input.scenario.horizon.start, input.scenario.horizon.end);
  const params = Params.fromScenario(input.scenario, input.parameters);
  const plan = planPolicy(input.policy, input.scenario, axis, params);
  return { axis, scenario: input.scenario, params, plan, supply: prepareSupply(input.scenario) };
}

/** A run in progress: its modules, state and recorders, stepped by `advance`. */
interface Live {
  axis: TimeAxis;
  sim: SimState;
  modules: Module[];
  health: ReturnType<typeof createHealthModule>;
  supply: SupplyModules;
  plan: LeverPlan;
  fentanylPurity: number;
  initialTotal: number;
  monthlyCost: Float64Array;
  /** Recorder state (annual accumulators, conservation, minimum), copied when a run is forked. */
  rec: {
    acc: Float64Array;
    conservationError: number;
    minCompartment: number;
    annual: AnnualRecord[];
    monthly: MonthlySeries | undefined;
  };
}

function start(input: RunInput, prepared: Prepared): Live {
  const { axis, scenario, params, plan } = prepared;
  const streams = makeStreams(input.seed, input.replicate ?? 0, STREAM_NAMES.length);
  const street = Object.fromEntries(
    COMMODITIES.map((c) => [c, new Float64Array(STREET_FIELDS)]),
  ) as StreetSupply;
  const health = createHealthModule(axis, scenario, params, { stochastic: input.stochastic ?? true });
  const supply = createSupplyModules(axis, scenario, params, prepared.supply, plan.channels, {
    stochastic: input.stochastic ?? true,
  });
  const sim: SimState = {
    axis,
    t: 0,
    street,
    channels: plan.channels,
    streams: Object.fromEntries(STREAM_NAMES.map((n, i) => [n, streams[i]])),
    modules: { health: health.state, supply: supply.state },
  };
  const monthlyCost = new Float64Array(axis.steps);
  for (const l of plan.levers) for (let t = 0; t < axis.steps; t++) monthlyCost[t] += l.cost[t];
  return {
    axis,
    sim,
    modules: [...supply.modules, health.module],
    health,
    supply,
    plan,
    fentanylPurity: params.get('supply.fentanylPurity'),
    initialTotal: health.state.x.reduce((a, b) => a + b, 0),
    monthlyCost,
    rec: {
      acc: new Float64Array(10),
      conservationError: 0,
      minCompartment: Number.POSITIVE_INFINITY,
      annual: [],
      monthly: input.monthly ? { month: [], deathsTotal: [], syntheticOpioids: [] } : undefined,
    },
  };
}

/** Step the run from its current month up to (not including) month `until`. */
function advance(live: Live, until: number): void {
  const { axis, sim, modules, monthlyCost, initialTotal } = live;
  const { acc, annual, monthly } = live.rec;
  const x = live.health.state.x;
  const out = live.health.state.out;
  const street = sim.street;
  let conservationError = live.rec.conservationError;
  let minCompartment = live.rec.minCompartment;
  for (let t = sim.t; t < until; t++) {
    sim.t = t;
    for (const m of modules) m.step(sim);
    // Recorders.
    let total = 0;
    for (let i = 0; i < x.length; i++) {
      total += x[i];
      if (x[i] < minCompartment) minCompartment = x[i];
    }
    const err = Math.abs(total - initialTotal);
    if (err > conservationError) conservationError = err;
    acc[0] += out[OUT.total];
    acc[1] += out[OUT.syntheticOpioids];
    acc[2] += out[OUT.otherOpioids];
    acc[3] += out[OUT.cocaine];
    acc[4] += out[OUT.otherStimulants];
    acc[5] += out[OUT.deathsU];
    acc[6] += out[OUT.deathsT];
    acc[7] += out[OUT.personYearsU];
    acc[8] += out[OUT.personYearsT];
    acc[9] += out[OUT.opioid];
    if (monthly) {
      monthly.month.push(monthLabel(axis, t));
      monthly.deathsTotal.push(out[OUT.total]);
      monthly.syntheticOpioids.push(out[OUT.syntheticOpioids]);
    }
    if (t % 12 === 11) {
      let cost = 0;
      for (let k = t - 11; k <= t; k++) cost += monthlyCost[k];
      const sy = supplyYear(live.supply.state, t, live.fentanylPurity);
      annual.push({
        year: axis.firstYear + (t - 11) / 12,
        deaths: {
          total: acc[0],
          syntheticOpioids: acc[1],
          otherOpioids: acc[2],
          cocaine: acc[3],
          otherStimulants: acc[4],
        },
        opioidDeaths: acc[9],
        population: populationOf(x),
        overdoseRatePer1000: {
          untreated: acc[7] > 0 ? (1000 * acc[5]) / acc[7] : 0,
          inTreatment: acc[8] > 0 ? (1000 * acc[6]) / acc[8] : 0,
        },
        streetSupply: { fentanyl: streetOf(street.fentanyl), cocaine: streetOf(street.cocaine) },
        costUsd: cost,
        flow: { cocaine: sy.cocaine.flowUsKg, fentanyl: sy.fentanyl.flowUsKg },
        seizures: { cocaine: sy.cocaine.seizedKg, fentanyl: sy.fentanyl.seizedKg },
        supply: sy,
      });
      acc.fill(0);
    }
  }
  sim.t = Math.max(sim.t, until);
  live.rec.conservationError = conservationError;
  live.rec.minCompartment = minCompartment;
}

function finish(live: Live): RunOutput {
  const { axis, plan, monthlyCost, supply } = live;
  const costByLever = plan.levers.map((l) => ({
    lever: l.lever,
    target: l.target,
    costUsd: l.cost.reduce((a, b) => a + b, 0),
  }));
  return {
    axis,
    annual: live.rec.annual,
    monthly: live.rec.monthly,
    costByLever,
    monthlyCost,
    conservationError: live.rec.conservationError,
    minCompartment: live.rec.minCompartment,
    supply: { ...supplySummary(supply.state, axis), state: supply.state },
  };
}

/**
 * Hand a run's buffers back to this thread's pool once its caller has read every outcome it needs
 * (the ensemble does so after flattening a replicate), so the next run reuses them instead of
 * allocating. The output's records are invalid afterwards. Optional: an output that is simply
 * dropped is garbage-collected as usual.
 */
export function releaseRun(out: RunOutput): void {
  releaseSupply(out.supply.state);
}

/** Run one experiment (scenario x policy x seed x replicate). */
export function runModel(input: RunInput, prepared: Prepared = prepare(input)): RunOutput {
  const live = start(input, prepared);
  advance(live, prepared.axis.steps);
  return finish(live);
}

/**
 * The first month in which two lever plans differ (a channel missing from one plan counts as zero);
 * the horizon length when they never do.
 */
export function firstDifference(a: LeverPlan, b: LeverPlan, steps: number): number {
  let first = steps;
  const zero = new Float64Array(steps);
  for (const name of new Set([...a.channels.keys(), ...b.channels.keys()])) {
    const x = a.channels.get(name) ?? zero;
    const y = b.channels.get(name) ?? zero;
    for (let t = 0; t < first; t++) {
      if (!Object.is(x[t], y[t])) {
        first = t;
        break;
      }
    }
  }
  return first;
}

/** Do two inputs describe the same run apart from the policy? */
function samePrefixInputs(a: RunInput, b: RunInput): boolean {
  if (a.scenario !== b.scenario || a.seed !== b.seed) return false;
  if ((a.replicate ?? 0) !== (b.replicate ?? 0)) return false;
  if ((a.stochastic ?? true) !== (b.stochastic ?? true) || !!a.monthly !== !!b.monthly) return false;
  if (a.parameters === b.parameters) return true;
  const pa = a.parameters ?? {};
  const pb = b.parameters ?? {};
  const ka = Object.keys(pa);
  if (ka.length !== Object.keys(pb).length) return false;
  return ka.every((k) => Object.is(pa[k], pb[k]));
}

/**
 * Run two policies on the same scenario, parameters, seed and replicate (a paired comparison on
 * common random numbers). The months before the policies first differ are identical in both runs,
 * so they are computed once and the state is copied (forked); results are bit for bit those of two
 * separate `runModel` calls (tested). Inputs that differ otherwise are simply run separately.
 */
export function runPaired(
  a: RunInput,
  b: RunInput,
  preparedA?: Prepared,
  preparedB?: Prepared,
): [RunOutput, RunOutput] {
  if (!samePrefixInputs(a, b)) return [runModel(a, preparedA), runModel(b, preparedB)];
  preparedA ??= prepare(a);
  preparedB ??= prepare(b, preparedA);
  const steps = preparedA.axis.steps;
  const fork = firstDifference(preparedA.plan, preparedB.plan, steps);
  const liveA = start(a, preparedA);
  const liveB = start(b, preparedB);
  advance(liveA, fork);
  copyLive(liveB, liveA);
  advance(liveA, steps);
  advance(liveB, steps);
  return [finish(liveA), finish(liveB)];
}

/** Copy a run's state into another run of the same scenario and parameters (see runPaired). */
function copyLive(dst: Live, src: Live): void {
  dst.sim.t = src.sim.t;
  copyState(dst.sim.street, src.sim.street, undefined, 'street');
  copyState(dst.sim.streams, src.sim.streams, undefined, 'streams');
  copyState(dst.health.state, src.health.state, undefined, 'health');
  copyState(dst.supply.mutable, src.supply.mutable, SUPPLY_CONFIG_KEYS, 'supply');
  const r = dst.rec;
  r.acc.set(src.rec.acc);
  r.conservationError = src.rec.conservationError;
  r.minCompartment = src.rec.minCompartment;
  // Years already recorded are shared, except their cost, which is each policy's own.
  r.annual = src.rec.annual.map((y, i) => {
    let cost = 0;
    for (let k = 12 * i; k < 12 * i + 12; k++) cost += dst.monthlyCost[k];
    return { ...clonePlain(y), costUsd: cost };
  });
  if (src.rec.monthly && r.monthly) {
    r.monthly.month = src.rec.monthly.month.slice();
    r.monthly.deathsTotal = src.rec.monthly.deathsTotal.slice();
    r.monthly.syntheticOpioids = src.rec.monthly.syntheticOpioids.slice();
  }
}

/** Year-end populations by compartment (an object literal: this runs once a year in every run). */
function populationOf(x: Float64Array): AnnualRecord['population'] {
  return {
    generalPopulation: x[C.G],
    prescriptionMisuse: x[C.P],
    oudUntreated: x[C.U],
    oudInTreatment: x[C.T],
    remission: x[C.R],
    stimulantUse: x[C.S],
    deadOverdose: x[C.deadOverdose],
    deadOther: x[C.deadOther],
    methamphetamineUse: x[C.M],
  };
}

function streetOf(s: Float64Array): AnnualRecord['streetSupply'][string] {
  return {
    availability: s[STREET.availability],
    priceIndex: s[STREET.priceIndex],
    potency: s[STREET.potency],
    fentanylAdulteration: s[STREET.fentanylAdulteration],
  };
}

function monthLabel(axis: TimeAxis, t: number): string {
  const abs = axis.start + t;
  const y = Math.floor(abs / 12);
  return `${y}-${String(abs - y * 12 + 1).padStart(2, '0')}`;
}
