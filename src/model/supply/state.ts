/**
 * The supply module's per-run state, grouped by the stage of the monthly step that owns it, and the
 * constants every stage reads (`StepContext`). Stages: lever effects and interdiction on legs
 * (`LegState`), production and capacity (`ProductionState`), shipments and routing
 * (`ShipmentState`), learning and adaptation (`LearningState`), markets and prices (`MarketState`).
 * All arrays are views into the run's arena (core/arena.ts).
 */

import type { Float64Arena } from '../../core/arena.js';
import type { TimeAxis } from '../../core/time.js';
import type { Scenario } from '../../spec/scenario.js';
import type { Module } from '../state.js';
import type { Layout } from './layout.js';
import type { CompiledCommodity, CompiledSupply } from './network.js';
import { type CommodityRecords, type EventRecords, emptyRecords } from './records.js';

/** Method settings (not model inputs). */
export const DEFAULTS = {
  /** Bounds on the supply/demand ratio used in the scarcity factor (keeps prices finite). */
  ratioLow: 0.25,
  ratioHigh: 4,
  /**
   * Ceiling on the import-level replacement cost as a multiple of its reference: when almost nothing
   * gets through, the landed cost per delivered kg diverges; beyond ~10x the trade would reorganise
   * rather than pay it (a method bound that keeps prices finite, not a calibrated number).
   */
  costCapMultiple: 10,
  /** Share of a corridor's flow below which it counts as inactive (route dispersion). */
  activeCorridorShare: 0.05,
  /** Fentanyl capacity grows only while labs run at least this share of capacity. */
  utilisationForGrowth: 0.9,
  /**
   * Months between revisions of an organisation's route split (quarterly). A modelling choice, not
   * an estimate of a published figure: shipping plans (vessels, crews, contacts) are not redrawn
   * every month, and perceived risk is learnt monthly in between, so a revision sees every loss
   * since the last one. The lag it adds to displacement (at most two months) is small next to
   * the risk memory (~4 months). It also spares the run two thirds of the logit evaluations.
   */
  routeReviewMonths: 3,
} as const;

/** Options of the supply module. */
export interface SupplyOptions {
  stochastic: boolean;
}

/** The supply module's part of the state. */
export interface SupplyState {
  compiled: CompiledSupply;
  records: Record<'cocaine' | 'fentanyl', CommodityRecords>;
  events: EventRecords;
  capital: Float64Array;
  /** Month index where the market starts driving the street interface. */
  policyStep: number;
  /** Corridor labels per commodity (US-bound). */
  corridors: Record<'cocaine' | 'fentanyl', string[]>;
  /** Inventories at the start of the run (labs + the demand-led markets' distribution stocks), kg. */
  initialInventory: Record<'cocaine' | 'fentanyl', number>;
  /** Each commodity's legs' detection scale (`LegState.detScale`), written by the risk module. */
  detectionScale: Record<'cocaine' | 'fentanyl', Float64Array>;
  /** Financial-sanctions multipliers [rebuilding rate, capital cost, capital kept a month]; written by the conflict module. */
  finance: Float64Array;
}

/** The supply modules of one run, their outcome state, and the roots of all their mutable state. */
export interface SupplyModules {
  modules: Module[];
  state: SupplyState;
  /** Walked by `copyState` with SUPPLY_CONFIG_KEYS skipped when a run is forked. */
  mutable: object;
}

/**
 * Keys under `SupplyModules.mutable` that hold configuration rather than state: the compiled
 * network and layout (shared), the cultivation series and noise groups (fixed by the scenario) and
 * the policy's bound lever effects (which differ between forked runs).
 */
export const SUPPLY_CONFIG_KEYS: ReadonlySet<string> = new Set([
  'c',
  'L',
  'fx',
  'holdCult',
  'noiseGroup',
  'qMonthly',
  'demandShift',
  'retailMarkup',
]);

/** Market fields, one entry per market of the commodity (struct of arrays: no per-run object shapes). */
export const MARKET_FIELDS = [
  'wRef',
  'rRef',
  'eps',
  'invEps',
  'purityRef',
  'stock',
  'wholesale',
  'retail',
  'purity',
  'premium',
  'landedEma',
  'landedRef',
  'hasRef',
  'arrivals',
  'landedNum',
  'landedDen',
  /** 1 for a demand-led market (a reference-consumption series in history.marketDemand), else 0. */
  'led',
  /** The part of the landed-cost excess traffickers have adapted away (markets.ts). */
  'adapt',
] as const;
export type MarketArrays = Record<(typeof MARKET_FIELDS)[number], Float64Array>;

/** Smoothed US quantities (index constants into `MarketState.ema`). */
export const EMA = { cons: 0, price: 1, purity: 2, refCons: 3, refPrice: 4, refPurity: 5 } as const;

/** Detection raised on legs by a lever (summed hazard, diminishing returns). */
export interface DetectionFx {
  edges: Int32Array;
  hazard: number;
  intensity: Float64Array;
}
/** Leg capacity cut by a lever. */
export interface CutFx {
  edges: Int32Array;
  maxCut: number;
  rate: number;
  intensity: Float64Array;
}
/** Strikes on vessels on maritime legs. */
export interface StrikeSeaFx {
  edges: Int32Array;
  intensity: Float64Array;
}
/** Strikes on production capacity in a country. */
export interface StrikeLandFx {
  holdings: Int32Array;
  country: string;
  perStrike: number;
  leadership: number;
  /** Shares of the strikes by setting (at sea, remote, populated; strike-settings.ts). */
  setting: readonly number[];
  intensity: Float64Array;
}
/** Strikes on trafficking infrastructure (staging, airstrip, departure nodes) in a country. */
export interface StrikeInfraFx {
  /** Transport legs leaving the struck nodes, and the setting shares of each leg's node kind. */
  edges: Int32Array;
  setting: (readonly number[])[];
  country: string;
  /** Damage per strike, ceiling on the capacity cut, share of damage rebuilt a month. */
  damage: number;
  maxCut: number;
  rebuild: number;
  /** Stock destroyed per strike, kg (at most what passes through). */
  stockKg: number;
  leadership: number;
  intensity: Float64Array;
}

/** The lever effects bound to one commodity of a run, by kind (configuration, not state; lever-effects.ts binds them). */
export interface LeverEffects {
  detection: DetectionFx[];
  cuts: CutFx[];
  seaStrikes: StrikeSeaFx[];
  landStrikes: StrikeLandFx[];
  infraStrikes: StrikeInfraFx[];
}

/** Legs this month: detection and capacity from the levers, realised losses, planned and entering kg. */
export interface LegState {
  det: Float64Array;
  /** Detection at baseline enforcement, 1 - (1 - base) (shared, from the layout), and whether `det` differs. */
  detBase: Float64Array;
  detDirty: boolean;
  /** The levers' summed hazard and capacity multiplier by leg. */
  hazardSum: Float64Array;
  capMult: Float64Array;
  /** Leg capacity this month (capacityPerMonth x capMult), and whether capMult differs from 1. */
  capNow: Float64Array;
  cutDirty: boolean;
  /** Realised seizure share, and the share destroyed by strikes at sea (and whether any is set). */
  loss: Float64Array;
  strikeLoss: Float64Array;
  strikeDirty: boolean;
  /** Share of what enters each transport leg that leaves it (not seized, not destroyed), this month. */
  keep: Float64Array;
  /** Planned load (before losses) and kg entering each leg this month. */
  plan: Float64Array;
  edgeIn: Float64Array;
  /** Kg per shipment on each leg (maritime or land), for the spread of seizures. */
  shipKg: Float64Array;
  /**
   * Scale on each leg's detection written by the risk module (partners suspending cooperation where
   * they operated), read in step (i) the next month; 1 everywhere unless a partner suspends.
   */
  detScale: Float64Array;
  /**
   * Damage to the infrastructure behind each leg from strikes on the node it leaves (0 = none;
   * capacity keeps 1 - maxCut (1 - exp(-damage))), rebuilt over time.
   */
  infraDamage: Float64Array;
}

/** Production and lab capacity by holding. */
export interface ProductionState {
  cap: Float64Array;
  target: Float64Array;
  inv: Float64Array;
  /** Capacity destroyed by strikes and not yet rebuilt. */
  outstanding: Float64Array;
  prodThisMonth: Float64Array;
  /** Each holding's coca or precursor input this month before the replacement multiplier (kg). */
  rawInput: Float64Array;
  /** Production multiplier replacing lost product (1 before the policy start; step (j')). */
  replace: Float64Array;
  /** Monthly cultivation input of each holding's node (null for precursor-fed holdings). */
  holdCult: (Float64Array | null)[];
  /** Lab capital cost, USD per kg/year of capacity. */
  capex: number;
}

/** Shipments: route split, kg by pair and route, and market-level replacement scratch. */
export interface ShipmentState {
  /** Route split of each (holding, route) pair, as last revised, and this month's kg by pair. */
  share: Float64Array;
  alloc: Float64Array;
  /** Kg shipped on each route this month, and the share of it delivered. */
  routeAlloc: Float64Array;
  routeSurvival: Float64Array;
  /** Cash per kg shipped on each route this month (sales of what arrives less cash costs). */
  routeValue: Float64Array;
  /** By route: the share surviving all its legs, as of last month's step (j) (read by shipToMarkets). */
  routeKeep: Float64Array;
  /** Scratch for capacity clipping: the scale applied to each route. */
  routeScale: Float64Array;
  /** By route: learnt congestion (1 = none; below 1 after a saturated leg cut the route back). */
  congest: Float64Array;
  shippedH: Float64Array;
  deliveredH: Float64Array;
  /** Kg each holding wanted to ship to each market this month (before the inventory limit). */
  shipWanted: Float64Array;
  /** Scratch by market for one holding: route-choice weight and survival. */
  mWeight: Float64Array;
  mSurvival: Float64Array;
  /** By holding x market: learnt survival, and the route-choice weight of the market's routes. */
  survEma: Float64Array;
  mWeightH: Float64Array;
  /** Scratch by market: target deliveries, deliveries wanted so far, headroom (kg delivered). */
  mTarget: Float64Array;
  mGot: Float64Array;
  mRoom: Float64Array;
}

/** What organisations learn: perceived risk by leg, losses in transit, the hand-over references. */
export interface LearningState {
  /** Perceived seizure risk by (organisation, leg), index o * m + e, and whether used this month. */
  perceived: Float64Array;
  used: Uint8Array;
  /** Risk aversion scaled by each organisation's tolerance. */
  rho: Float64Array;
  /** Each holding's smoothed share of shipments lost in transit, and its value at the hand-over. */
  lossEma: Float64Array;
  lossRef: Float64Array;
  /**
   * By holding x market (index h * nMarkets + j): smoothed kg delivered and shipped, and their
   * values at the hand-over (the references of market-level replacement).
   */
  delivEma: Float64Array;
  shipEma: Float64Array;
  delivRef: Float64Array;
  shipRef: Float64Array;
}

/** Markets (struct of arrays), demand at the cost-based price, the smoothed US quantities. */
export interface MarketState {
  mk: MarketArrays;
  nMarkets: number;
  usIndex: number;
  /** The US reference wholesale price (normalises route utilities). */
  wNorm: number;
  /** By market: demand at the cost-based price now and at the hand-over. */
  demandNow: Float64Array;
  demandRef: Float64Array;
  /** Smoothed US consumption, retail price and purity, and their values at the hand-over (EMA). */
  ema: Float64Array;
  /**
   * By market: the reference consumption each month at the reference retail price (kg a month):
   * the demand-led markets' series (history.marketDemand), else the market's demandKgPerYear / 12
   * grown at its growth parameter to the last data year (configuration, shared by forked runs).
   */
  qMonthly: Float64Array[];
  /** Demand shift on the US market by month from the levers (1 = none; null without such levers). */
  demandShift: Float64Array | null;
  /** Multiplier on the US retail cost by month from the levers (1 = none; null without such levers). */
  retailMarkup: Float64Array | null;
}

/** Per-run state of one commodity, by stage. */
export interface CommodityRt {
  c: CompiledCommodity;
  L: Layout;
  rec: CommodityRecords;
  /** Index of each transport leg's seizure-noise group in `StepContext.noiseZ`. */
  noiseGroup: Int32Array;
  /** The policy's lever effects bound to this commodity (lever-effects.ts). */
  fx: LeverEffects;
  legs: LegState;
  prod: ProductionState;
  ship: ShipmentState;
  learn: LearningState;
  market: MarketState;
}

/** What the monthly step of one commodity reads besides its own runtime (one per run). */
export interface StepContext {
  axis: TimeAxis;
  scenario: Scenario;
  strikeCounted: Set<string>;
  events: EventRecords;
  sovereigntyRow: (s: string) => Float64Array;
  headroom: number;
  /** Monthly growth factor of fentanyl lab capacity, exp(growth / 12). */
  growthFactor: number;
  hurdle: number;
  rebuildRate: number;
  budget: Float64Array;
  capital: Float64Array;
  shipShare: number;
  temperature: number;
  options: SupplyOptions;
  cargo: number;
  kgSea: number;
  deathsPerVessel: number;
  cashShare: number;
  memory: number;
  deterrence: number;
  forgetting: number;
  turnover: number;
  smoothing: number;
  kappa: number;
  /** Month index of the policy start (replacement of lost product starts there). */
  policyStep: number;
  /** Monthly adjustment rate of production towards replacing lost product, and its ceiling. */
  replaceRate: number;
  maxReplace: number;
  thetaPurity: number;
  /** Share of the precursor supply reaching labs by month (history.precursorSupply; null = 1). */
  precursorHistory: Float64Array | null;
  /** Monthly rate at which traffickers adapt away landed-cost excess, and the share that lasts. */
  adaptRate: number;
  lastingShare: number;
  /** This month's seizure-noise draw of each enforcement group (both commodities). */
  noiseZ: Float64Array;
  /** Financial-sanctions multipliers: [(re)building rate (<= 1), capital cost (>= 1), capital kept a month (<= 1)]; 1 without sanctions. */
  finance: Float64Array;
  /** Strikes by setting, one row per STRIKE_SETTINGS entry (views of `events.strikesBySetting`). */
  settingRows: Float64Array[];
}

/** What `createCommodityRt` reads besides the commodity. */
export interface RtInputs {
  arena: Float64Arena;
  steps: number;
  /** A parameter value by id. */
  g: (id: string) => number;
  nOrgs: number;
  /** Risk tolerance by organisation. */
  tolerance: Float64Array;
  riskAversion: number;
  kgSea: number;
  /** Monthly cultivation input of each node (null for other nodes). */
  input: (Float64Array | null)[];
  /** Reference consumption by month of each market, in the commodity's market order (see MarketState.qMonthly). */
  qMonthly: Float64Array[];
  /** Whether each market is demand-led (has a reference-consumption series). */
  led: boolean[];
  /** Share of a market's stock offered each month (`market.stockTurnover`). */
  turnover: number;
}

/** The initial per-run state of one commodity (lever effects unbound, noise groups unset). */
export function createCommodityRt(c: CompiledCommodity, L: Layout, x: RtInputs): CommodityRt {
  const { arena, g } = x;
  const { m, H } = L;
  const P = L.hrStart[H];
  const nMarkets = c.markets.length;
  const mk = Object.fromEntries(
    MARKET_FIELDS.map((f) => [f, arena.zeros(nMarkets)]),
  ) as unknown as MarketArrays;
  c.markets.forEach((node, i) => {
    const spec = c.net.nodes[node].market!;
    const eps = g(spec.elasticityParameter);
    mk.wRef[i] = spec.wholesaleUsdPerKg;
    mk.rRef[i] = spec.retailUsdPerKg;
    mk.eps[i] = eps;
    mk.invEps[i] = 1 / eps;
    mk.purityRef[i] = spec.purity;
    mk.wholesale[i] = spec.wholesaleUsdPerKg;
    mk.retail[i] = spec.retailUsdPerKg;
    mk.purity[i] = spec.purity;
    mk.premium[i] = 1;
    mk.led[i] = x.led[i] ? 1 : 0;
    // A demand-led market starts with the distribution stock that offers its first month's demand
    // (stock after sales, (1 - turnover) / turnover months of demand), so the run does not open
    // with a stock-building shortage.
    if (x.led[i]) mk.stock[i] = (x.qMonthly[i][0] * (1 - x.turnover)) / x.turnover;
  });
  const usIndex = L.marketOf[c.usMarket];
  const shipKg = arena.zeros(m);
  const kgLand = g(
    c.commodity === 'cocaine' ? 'supply.kgPerLandShipmentCocaine' : 'supply.kgPerLandShipmentFentanyl',
  );
  c.net.edges.forEach((e, i) => {
    shipKg[i] = e.mode === 'maritime' ? x.kgSea : kgLand;
  });
  const perceived = arena.zeros(x.nOrgs * m);
  for (let o = 0; o < x.nOrgs; o++) perceived.set(c.baseDetection, o * m);
  const nHM = H * nMarkets;
  return {
    c,
    L,
    rec: emptyRecords(arena, x.steps, c.corridors.length, L.R, m),
    noiseGroup: new Int32Array(0),
    fx: { detection: [], cuts: [], seaStrikes: [], landStrikes: [], infraStrikes: [] },
    legs: {
      det: arena.copy(L.detBase),
      detBase: L.detBase,
      detDirty: false,
      hazardSum: arena.zeros(m),
      capMult: arena.filled(m, 1),
      capNow: arena.copy(c.capacityPerMonth),
      cutDirty: false,
      loss: arena.zeros(m),
      strikeLoss: arena.zeros(m),
      strikeDirty: false,
      keep: arena.zeros(m),
      plan: arena.zeros(m),
      edgeIn: arena.zeros(m),
      shipKg,
      detScale: arena.filled(m, 1),
      infraDamage: arena.zeros(m),
    },
    prod: {
      cap: arena.copy(c.holdings.map((h) => h.capacity)),
      target: arena.copy(c.holdings.map((h) => h.capacity)),
      inv: arena.copy(c.holdings.map((h) => h.inventory)),
      outstanding: arena.zeros(H),
      prodThisMonth: arena.zeros(H),
      rawInput: arena.zeros(H),
      replace: arena.filled(H, 1),
      holdCult: c.holdings.map((h) => x.input[h.node]),
      capex: g(
        c.commodity === 'cocaine'
          ? 'supply.cocaineLabCapexUsdPerKgYear'
          : 'supply.fentanylLabCapexUsdPerKgYear',
      ),
    },
    ship: {
      share: arena.zeros(P),
      alloc: arena.zeros(P),
      routeAlloc: arena.zeros(L.R),
      routeSurvival: arena.zeros(L.R),
      routeValue: arena.zeros(L.R),
      routeKeep: arena.zeros(L.R),
      routeScale: arena.zeros(L.R),
      congest: arena.filled(L.R, 1),
      shippedH: arena.zeros(H),
      deliveredH: arena.zeros(H),
      shipWanted: arena.zeros(nHM),
      mWeight: arena.zeros(nMarkets),
      mSurvival: arena.zeros(nMarkets),
      survEma: arena.zeros(nHM),
      mWeightH: arena.zeros(nHM),
      mTarget: arena.zeros(nMarkets),
      mGot: arena.zeros(nMarkets),
      mRoom: arena.zeros(nMarkets),
    },
    learn: {
      perceived,
      used: new Uint8Array(x.nOrgs * m),
      rho: arena.copy(Array.from(x.tolerance, (tol) => x.riskAversion * (1 - tol))),
      lossEma: arena.zeros(H),
      lossRef: arena.zeros(H),
      delivEma: arena.zeros(nHM),
      shipEma: arena.zeros(nHM),
      delivRef: arena.zeros(nHM),
      shipRef: arena.zeros(nHM),
    },
    market: {
      mk,
      nMarkets,
      usIndex,
      wNorm: mk.wRef[usIndex],
      demandNow: arena.zeros(nMarkets),
      demandRef: arena.zeros(nMarkets),
      ema: arena.copy([0, 0, 0, 1, 1, 1]),
      qMonthly: x.qMonthly,
      demandShift: null,
      retailMarkup: null,
    },
  };
}

/**
 * `a.fill(v)` as a loop for short arrays: TypedArray.prototype.fill costs about 35 ns a call whatever
 * the length on Node 20, a loop about 1.5 ns an element, and the monthly step clears many arrays of
 * one to a few dozen elements (2-3% of a run, bench --baseline and a CPU profile).
 */
export function fillTo(a: Float64Array, v: number): void {
  const n = a.length;
  if (n > 24) {
    a.fill(v);
    return;
  }
  for (let i = 0; i < n; i++) a[i] = v;
}
