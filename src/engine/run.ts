/**
 * The engine: builds the modules in their declared order, steps them monthly over the horizon and
 * records monthly and annual outcomes. Step order each month: levers (precomputed plan) -> supply
 * (organisations, then market) -> street supply (history before policyStart, market after) ->
 * health -> risk -> recorders. Same scenario, policy, seed and version give identical results.
 */

import { copyState } from '../core/copy-state.js';
import { makeStreams } from '../core/rng.js';
import { makeTimeAxis, type TimeAxis } from '../core/time.js';
import { outcomeSpecs } from '../model/catalogue.js';
import { type ConflictState, createConflictModule } from '../model/conflict/index.js';
import { type COMPARTMENT_NAMES, createHealthModule } from '../model/health.js';
import { type LeverPlan, planPolicy } from '../model/levers.js';
import { type CompiledOutcome, expandOutcomes } from '../model/outcomes.js';
import { Params } from '../model/params.js';
import { createRiskModule, type RiskState } from '../model/risk/module.js';
import {
  COMMODITIES,
  type Commodity,
  type Module,
  type SimState,
  STREET_FIELDS,
  type StreetSupply,
} from '../model/state.js';
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
} from '../model/supply/index.js';
import type { Policy, Scenario } from '../spec/scenario.js';
import {
  accumulate,
  type BoundReadings,
  bindReadings,
  closeYear,
  type RecorderPlan,
  readNow,
  recorderPlan,
  replanYears,
} from './recorder.js';

/** Names of the run's random streams, in stream order (append only: order is part of the model version). */
export const STREAM_NAMES = ['health', 'supply', 'events', 'conflict', 'risk'] as const;

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
  flow: Record<Commodity, number>;
  /** Seized anywhere in the trafficking network, kg. */
  seizures: Record<Commodity, number>;
  /** Supply-side detail: prices, labs, route dispersion, strikes (for the risk module). */
  supply: SupplyYear;
}

/**
 * Monthly series (optional): `month` labels, then one series per outcome declared with a `series`
 * name (deathsTotal, syntheticOpioids, ...).
 */
export interface MonthlySeries {
  month: string[];
  deathsTotal: number[];
  syntheticOpioids: number[];
  [series: string]: (string | number)[];
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
  /** The conflict module's state with its monthly records (sanctions, violence, retaliation, cost). */
  conflict: ConflictState;
  /** The outcomes recorded, in record order (the declaration, expanded for this scenario). */
  outcomes: readonly CompiledOutcome[];
  /** Every outcome's value per year: row-major, years x outcomes (what `annual` is built from). */
  values: Float64Array;
}

/** A prepared model: what does not depend on the seed is computed once. */
export interface Prepared {
  axis: TimeAxis;
  scenario: Scenario;
  params: Params;
  plan: LeverPlan;
  supply: CompiledSupply;
  /** The declared outcomes, expanded for this scenario and these parameters. */
  outcomes: readonly CompiledOutcome[];
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
  const supply = prepareSupply(input.scenario);
  return { axis, scenario: input.scenario, params, plan, supply, outcomes: outcomesFor(supply, params) };
}

/** Expanded outcome lists by compiled network, with the parameter values their readers took. */
const expanded = new WeakMap<
  CompiledSupply,
  { specs: readonly unknown[]; ids: string[]; values: number[]; outcomes: readonly CompiledOutcome[] }[]
>();

/**
 * The declared outcomes expanded for a scenario's network and parameters: cached (the expansion
 * only depends on the network, the few parameter values its readers ask for and the declarations),
 * so ensembles reuse one list and the recorder's plan for it.
 */
function outcomesFor(supply: CompiledSupply, params: Params): readonly CompiledOutcome[] {
  const specs = outcomeSpecs();
  const list = expanded.get(supply) ?? [];
  const hit = list.find(
    (e) =>
      e.specs.length === specs.length &&
      e.specs.every((x, i) => x === specs[i]) &&
      e.ids.every((id, i) => Object.is(params.get(id), e.values[i])),
  );
  if (hit) return hit.outcomes;
  const ids: string[] = [];
  const values: number[] = [];
  const outcomes = expandOutcomes(specs, {
    supply,
    param: (id) => {
      const v = params.get(id);
      ids.push(id);
      values.push(v);
      return v;
    },
  });
  list.unshift({ specs, ids, values, outcomes });
  if (list.length > 8) list.pop();
  expanded.set(supply, list);
  return outcomes;
}

/** A run in progress: its modules, state and recorders, stepped by `advance`. */
interface Live {
  axis: TimeAxis;
  sim: SimState;
  modules: Module[];
  health: ReturnType<typeof createHealthModule>;
  supply: SupplyModules;
  risk: { state: RiskState };
  conflict: { state: ConflictState };
  plan: LeverPlan;
  recorder: RecorderPlan;
  readings: BoundReadings;
  initialTotal: number;
  monthlyCost: Float64Array;
  /** Recorder state (annual accumulators, conservation, minimum), copied when a run is forked. */
  rec: {
    acc: Float64Array;
    values: Float64Array;
    conservationError: number;
    minCompartment: number;
    /** Years recorded so far. */
    years: number;
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
  const risk = createRiskModule(axis, params, supply.state, plan.channels, {
    stochastic: input.stochastic ?? true,
  });
  // The conflict module steps last (after supply, street, health and risk) and feeds back to supply
  // through the sanctions multipliers the next month's production reads.
  const conflict = createConflictModule(axis, params, plan.channels, supply.state, health.state, {
    stochastic: input.stochastic ?? true,
  });
  const monthlyCost = new Float64Array(axis.steps);
  for (const l of plan.levers) for (let t = 0; t < axis.steps; t++) monthlyCost[t] += l.cost[t];
  const sim: SimState = {
    axis,
    t: 0,
    street,
    cost: monthlyCost,
    channels: plan.channels,
    streams: Object.fromEntries(STREAM_NAMES.map((n, i) => [n, streams[i]])),
    modules: { health: health.state, supply: supply.state, risk: risk.state, conflict: conflict.state },
  };
  const recorder = recorderPlan(prepared.outcomes);
  const monthly: MonthlySeries | undefined = input.monthly
    ? (Object.fromEntries([
        ['month', []],
        ...recorder.series.map((x) => [x.name, []]),
      ]) as unknown as MonthlySeries)
    : undefined;
  return {
    axis,
    sim,
    modules: [...supply.modules, health.module, risk.module, conflict.module],
    health,
    supply,
    risk,
    conflict,
    plan,
    recorder,
    readings: bindReadings(recorder, sim),
    initialTotal: health.state.x.reduce((a, b) => a + b, 0),
    monthlyCost,
    rec: {
      acc: new Float64Array(recorder.accSize),
      values: new Float64Array(Math.ceil(axis.steps / 12) * recorder.outcomes.length),
      conservationError: 0,
      minCompartment: Number.POSITIVE_INFINITY,
      years: 0,
      monthly,
    },
  };
}

/** Step the run from its current month up to (not including) month `until`. */
function advance(live: Live, until: number): void {
  const { axis, sim, modules, initialTotal, recorder, readings } = live;
  const { acc, values, monthly } = live.rec;
  const x = live.health.state.x;
  const n = recorder.outcomes.length;
  let conservationError = live.rec.conservationError;
  let minCompartment = live.rec.minCompartment;
  for (let t = sim.t; t < until; t++) {
    sim.t = t;
    for (const m of modules) m.step(sim);
    // Recorders: conservation, then the declared outcomes.
    let total = 0;
    for (let i = 0; i < x.length; i++) {
      total += x[i];
      if (x[i] < minCompartment) minCompartment = x[i];
    }
    const err = Math.abs(total - initialTotal);
    if (err > conservationError) conservationError = err;
    accumulate(readings, sim, acc);
    if (monthly) {
      monthly.month.push(monthLabel(axis, t));
      for (const s of recorder.series) (monthly[s.name] as number[]).push(readNow(s.value, sim));
    }
    if (t % 12 === 11) {
      const y = (t - 11) / 12;
      closeYear(recorder, readings, sim, t, acc, values, y * n);
      live.rec.years = y + 1;
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
  const { recorder } = live;
  const { values, years } = live.rec;
  const n = recorder.outcomes.length;
  const out = {
    axis,
    annual: [] as AnnualRecord[],
    monthly: live.rec.monthly,
    costByLever,
    monthlyCost,
    conservationError: live.rec.conservationError,
    minCompartment: live.rec.minCompartment,
    supply: { ...supplySummary(supply.state, axis), state: supply.state },
    conflict: live.conflict.state,
    outcomes: recorder.outcomes,
    values,
  };
  // The nested records are built from the value rows when first read: ensembles read the rows only.
  let annual: AnnualRecord[] | undefined;
  Object.defineProperty(out, 'annual', {
    enumerable: true,
    configurable: true,
    get: () => {
      annual ??= Array.from(
        { length: years },
        (_, y) => recorder.build(values, y * n, axis.firstYear + y) as unknown as AnnualRecord,
      );
      return annual;
    },
    set: (v: AnnualRecord[]) => {
      annual = v;
    },
  });
  return out;
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
  copyState(dst.risk.state, src.risk.state, undefined, 'risk');
  copyState(dst.conflict.state, src.conflict.state, undefined, 'conflict');
  const r = dst.rec;
  r.acc.set(src.rec.acc);
  r.values.set(src.rec.values);
  r.conservationError = src.rec.conservationError;
  r.minCompartment = src.rec.minCompartment;
  // Years already recorded are shared, except what depends on each policy's own plan (its cost).
  r.years = src.rec.years;
  replanYears(dst.recorder, dst.sim, r.values, r.years);
  if (src.rec.monthly && r.monthly) {
    for (const k of Object.keys(src.rec.monthly)) r.monthly[k] = src.rec.monthly[k].slice();
  }
}

function monthLabel(axis: TimeAxis, t: number): string {
  const abs = axis.start + t;
  const y = Math.floor(abs / 12);
  return `${y}-${String(abs - y * 12 + 1).padStart(2, '0')}`;
}
