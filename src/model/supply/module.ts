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
 * times a scarcity factor when supply falls short of demand (constant-elasticity demand). Retail
 * adds the same absolute amount to its reference price (additive markups; Caulkins & Reuter,
 * J. Drug Issues 1998), so a shortfall shows mostly in purity and availability. From the policy
 * start organisations raise production to replace product lost in transit, within capacity
 * (rebuilt with capital) and a ceiling. Purity falls when supply is short. From `policyStart` the US market
 * drives the street-supply interface, normalised to the last historical month so that with no
 * policy the projection continues the history smoothly; before it, the historical series drives and
 * the market runs alongside.
 *
 * Mass balance holds every month by construction and is checked by a test:
 * produced = seized + destroyed + consumed + change in inventories (labs and distribution stocks).
 */

import { Float64Arena } from '../../core/arena.js';
import { normal } from '../../core/distributions.js';
import type { TimeAxis } from '../../core/time.js';
import { parseMonth } from '../../core/time.js';
import type { Scenario } from '../../spec/scenario.js';
import type { Params } from '../params.js';
import { monthlyFromYearly } from '../series.js';
import { type Module, type SimState, STREET } from '../state.js';
import { ADULTERATION_PARAMETERS, adulterationMap, createStreetSupplyModule } from '../street-supply.js';
import { type LeverEffect, SUPPLY_LEVERS } from './data.js';
import type { CompiledCommodity, CompiledSupply } from './network.js';

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

/**
 * Records of one commodity: one value per month (typed arrays), except the flows by corridor, route
 * and leg, which are summed by year (only annual outcomes and the network analysis read them).
 */
export interface CommodityRecords {
  produced: Float64Array;
  seized: Float64Array;
  destroyed: Float64Array;
  consumed: Float64Array;
  /** Inventories at the end of the month (labs + distribution stocks). */
  inventory: Float64Array;
  /** Arrivals at the US market. */
  flowUs: Float64Array;
  consumedUs: Float64Array;
  /** Seized on legs crossing the US border. */
  seizedUsBorder: Float64Array;
  retailUs: Float64Array;
  wholesaleUs: Float64Array;
  purityUs: Float64Array;
  /** Flow entering the documented maritime corridors (cocaine), and removed on them. */
  documentedIn: Float64Array;
  documentedRemoved: Float64Array;
  easternPacificIn: Float64Array;
  caribbeanIn: Float64Array;
  labCapacity: Float64Array;
  capacityDestroyed: Float64Array;
  capacityRebuilt: Float64Array;
  /** US-bound kg shipped by corridor label (row-major: year x corridor; year 0 = first year). */
  corridorFlow: Float64Array;
  /** Shipped and delivered by route (row-major: year x route). */
  routeShipped: Float64Array;
  routeDelivered: Float64Array;
  /** Flow entering and seized on each leg (row-major: year x edge). */
  edgeFlow: Float64Array;
  edgeSeized: Float64Array;
}

/** Monthly records shared by both commodities (for the risk module). */
export interface EventRecords {
  strikesAtSea: Float64Array;
  strikesOnLand: Float64Array;
  deathsAboard: Float64Array;
  leadershipLosses: Float64Array;
  /** Strikes by sovereignty ('international-waters' or a country code), at sea and on land. */
  strikesBySovereignty: Map<string, Float64Array>;
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
 * network and layout (shared) and the policy's lever effects (which differ between forked runs).
 */
export const SUPPLY_CONFIG_KEYS: ReadonlySet<string> = new Set([
  'c',
  'L',
  'detection',
  'cuts',
  'seaStrikes',
  'landStrikes',
  'holdCult',
  'noiseGroup',
]);

interface DetectionFx {
  edges: Int32Array;
  hazard: number;
  intensity: Float64Array;
}
interface CutFx {
  edges: Int32Array;
  maxCut: number;
  rate: number;
  intensity: Float64Array;
}
interface StrikeSeaFx {
  edges: Int32Array;
  intensity: Float64Array;
}
interface StrikeLandFx {
  holdings: Int32Array;
  country: string;
  perStrike: number;
  leadership: number;
  intensity: Float64Array;
}

/** Market fields, one entry per market of the commodity (struct of arrays: no per-run object shapes). */
const MARKET_FIELDS = [
  'wRef',
  'rRef',
  'q0',
  'eps',
  'invEps',
  'growth',
  /** log(1 + growth), so the demand trend is one exp (Math.pow is several times slower). */
  'logGrowth',
  'refYear',
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
  // Memos of the powers in the demand and clearing formulas (recomputed only when inputs change;
  // as exp and log, which are several times faster than Math.pow).
  'growthYear',
  'growthFactor',
  'priceCost',
  'priceFactor',
  'clearRatio',
  'clearMu',
  'clearPurity',
] as const;
type MarketArrays = Record<(typeof MARKET_FIELDS)[number], Float64Array>;

/** Smoothed US quantities (index constants into `CommodityRt.ema`). */
const EMA = { cons: 0, price: 1, purity: 2, refCons: 3, refPrice: 4, refPurity: 5 } as const;

/**
 * What the monthly loop reads of one commodity's network and holdings. It depends only on the
 * scenario, so it is built once per compiled network (`layoutOf`), not once per run.
 */
interface Layout {
  m: number;
  H: number;
  R: number;
  /** Flattened (holding, route) pairs: pairs of holding h are hrStart[h] .. hrStart[h + 1]. */
  hrStart: Int32Array;
  hrRoute: Int32Array;
  hrHolding: Int32Array;
  hrOrg: Int32Array;
  hrEdgeA: Int32Array;
  hrEdgeB: Int32Array;
  hrMarket: Int32Array;
  hrCost: Float64Array;
  /** Routes some holding ships on (the others never carry flow), ascending. */
  activeRoutes: Int32Array;
  /** The legs of the active routes, flat in route order: each one's route and edge. */
  activeLegRoute: Int32Array;
  activeLegEdge: Int32Array;
  /** Market index (into the market arrays), production cost at the origin (USD/kg) by route. */
  routeMarket: Int32Array;
  routeProdCost: Float64Array;
  /** Market index of each market node (-1 for other nodes). */
  marketOf: Int32Array;
  /** Legs of each holding's route set (CSR): the legs its organisation uses when it ships. */
  holdLegStart: Int32Array;
  holdLegs: Int32Array;
  /** For each leg of each pair's route (aligned with hrEdgeA .. hrEdgeB), its slot in holdLegs. */
  hrLegSlot: Int32Array;
  /** Precursor legs feeding each holding's node (CSR). */
  preStart: Int32Array;
  preEdges: Int32Array;
  holdOrg: Int32Array;
  holdShare: Float64Array;
  /** Transport legs (not precursor supply), ascending, and each one's seizure-noise group. */
  transport: Int32Array;
  noiseKey: string[];
  /**
   * The (organisation, leg) pairs learnt each month, flat: for each organisation with holdings here,
   * the legs it may use (the union of its holdings' route sets, ascending); index o * m + e into
   * perceived risk, and the leg e.
   */
  learnSlot: Int32Array;
  learnLeg: Int32Array;
  /** Cost paid per kg on each leg (transport cost, USD/kg entering the leg). */
  legCost: Float64Array;
  /** Detection at baseline enforcement, 1 - (1 - base) (what the hazard formula gives at zero). */
  detBase: Float64Array;
}

const layoutCache = new WeakMap<CompiledCommodity, Layout>();

/** The loop layout of a compiled commodity (cached: compiled networks are cached per scenario). */
function layoutOf(c: CompiledCommodity): Layout {
  const hit = layoutCache.get(c);
  if (hit) return hit;
  const m = c.net.edges.length;
  const H = c.holdings.length;
  const hrStart = new Int32Array(H + 1);
  c.holdings.forEach((h, i) => {
    hrStart[i + 1] = hrStart[i] + h.routes.length;
  });
  const P = hrStart[H];
  const hrRoute = new Int32Array(P);
  const hrHolding = new Int32Array(P);
  c.holdings.forEach((h, i) => {
    hrRoute.set(h.routes, hrStart[i]);
    hrHolding.fill(i, hrStart[i], hrStart[i + 1]);
  });
  const marketOf = new Int32Array(c.net.nodes.length).fill(-1);
  c.markets.forEach((node, i) => {
    marketOf[node] = i;
  });
  const holdLegStart = new Int32Array(H + 1);
  const holdLegList: number[] = [];
  c.holdings.forEach((h, i) => {
    const legs = new Set<number>();
    for (const r of h.routes) for (const e of c.routes[r].edges) legs.add(e);
    holdLegList.push(...[...legs].sort((a, b) => a - b));
    holdLegStart[i + 1] = holdLegList.length;
  });
  // Slot of each pair's legs in its holding's leg list, in route-leg order (CSR offsets of the
  // pairs' legs start at 0 and follow the pairs: pair k's legs are at hrLegStart(k) below).
  const hrLegSlotList: number[] = [];
  c.holdings.forEach((h, i) => {
    const slotOf = new Map<number, number>();
    for (let j = holdLegStart[i]; j < holdLegStart[i + 1]; j++) slotOf.set(holdLegList[j], j);
    for (const r of h.routes) for (const e of c.routes[r].edges) hrLegSlotList.push(slotOf.get(e)!);
  });
  const preStart = new Int32Array(H + 1);
  c.holdings.forEach((h, i) => {
    preStart[i + 1] = preStart[i] + c.precursorIn[h.node].length;
  });
  const preEdges = new Int32Array(preStart[H]);
  c.holdings.forEach((h, i) => {
    preEdges.set(c.precursorIn[h.node], preStart[i]);
  });
  const transport: number[] = [];
  for (let e = 0; e < m; e++) if (!c.isPrecursor[e]) transport.push(e);
  // Seizure noise is drawn by enforcement group: the maritime corridor, else the US border
  // checkpoint, else the leg's sovereignty (see step (i)); groups are shared across commodities.
  const noiseKey = Array.from(transport, (e) => {
    const edge = c.net.edges[e];
    if (edge.corridor) return `corridor:${edge.corridor}`;
    return edge.checkpoint ? `checkpoint:${edge.checkpoint}` : `sovereignty:${edge.sovereignty}`;
  });
  const nOrgs = c.holdings.reduce((a, h) => Math.max(a, h.org + 1), 0);
  const orgLegStart = new Int32Array(nOrgs + 1);
  const orgLegList: number[] = [];
  for (let o = 0; o < nOrgs; o++) {
    const legs = new Set<number>();
    c.holdings.forEach((h, i) => {
      if (h.org !== o) return;
      for (let j = holdLegStart[i]; j < holdLegStart[i + 1]; j++) legs.add(holdLegList[j]);
    });
    orgLegList.push(...[...legs].sort((a, b) => a - b));
    orgLegStart[o + 1] = orgLegList.length;
  }
  const orgsHere = Int32Array.from(new Set(c.holdings.map((h) => h.org)));
  const learnSlot: number[] = [];
  const learnLeg: number[] = [];
  for (const o of orgsHere) {
    for (let j = orgLegStart[o]; j < orgLegStart[o + 1]; j++) {
      learnSlot.push(o * m + orgLegList[j]);
      learnLeg.push(orgLegList[j]);
    }
  }
  const activeRoutes = Int32Array.from(new Set(hrRoute)).sort();
  const activeLegRoute: number[] = [];
  const activeLegEdge: number[] = [];
  for (const r of activeRoutes) {
    for (const e of c.routes[r].edges) {
      activeLegRoute.push(r);
      activeLegEdge.push(e);
    }
  }
  const layout: Layout = {
    m,
    H,
    R: c.routes.length,
    hrStart,
    hrRoute,
    hrHolding,
    hrOrg: Int32Array.from(hrHolding, (h) => c.holdings[h].org),
    hrEdgeA: Int32Array.from(hrRoute, (r) => c.routeEdgeStart[r]),
    hrEdgeB: Int32Array.from(hrRoute, (r) => c.routeEdgeStart[r + 1]),
    hrMarket: Int32Array.from(hrRoute, (r) => marketOf[c.routeMarket[r]]),
    hrCost: Float64Array.from(hrRoute, (r) => c.routeCost[r]),
    activeRoutes,
    activeLegRoute: Int32Array.from(activeLegRoute),
    activeLegEdge: Int32Array.from(activeLegEdge),
    routeMarket: Int32Array.from(c.routeMarket, (node) => marketOf[node]),
    routeProdCost: Float64Array.from(c.routes, (r) => c.net.nodes[r.origin].productionCostUsdPerKg ?? 0),
    marketOf,
    holdLegStart,
    holdLegs: Int32Array.from(holdLegList),
    hrLegSlot: Int32Array.from(hrLegSlotList),
    preStart,
    preEdges,
    holdOrg: Int32Array.from(c.holdings, (h) => h.org),
    holdShare: Float64Array.from(c.holdings, (h) => h.nodeShare),
    transport: Int32Array.from(transport),
    noiseKey,
    legCost: Float64Array.from(c.net.edges, (e) => e.transportCostUsdPerKg),
    learnSlot: Int32Array.from(learnSlot),
    learnLeg: Int32Array.from(learnLeg),
    detBase: Float64Array.from(c.baseDetection, (b) => 1 - (1 - b)),
  };
  layoutCache.set(c, layout);
  return layout;
}

/** Per-run state of one commodity. */
interface CommodityRt {
  c: CompiledCommodity;
  L: Layout;
  rec: CommodityRecords;
  det: Float64Array;
  /** Detection at baseline enforcement, 1 - (1 - base), and whether `det` differs from it. */
  detBase: Float64Array;
  detDirty: boolean;
  hazardSum: Float64Array;
  capMult: Float64Array;
  /** Leg capacity this month (capacityPerMonth x capMult), and whether capMult differs from 1. */
  capNow: Float64Array;
  cutDirty: boolean;
  /** Scratch for capacity clipping: the scale applied to each route. */
  routeScale: Float64Array;
  loss: Float64Array;
  strikeLoss: Float64Array;
  strikeDirty: boolean;
  /** Index of each transport leg's seizure-noise group in `StepContext.noiseZ`. */
  noiseGroup: Int32Array;
  /** Share of what enters each transport leg that leaves it (not seized, not destroyed), this month. */
  keep: Float64Array;
  plan: Float64Array;
  edgeIn: Float64Array;
  shipKg: Float64Array;
  perceived: Float64Array;
  used: Uint8Array;
  cap: Float64Array;
  target: Float64Array;
  inv: Float64Array;
  outstanding: Float64Array;
  prodThisMonth: Float64Array;
  /**
   * Replacement of lost product by holding: production multiplier (1 before the policy start), the
   * smoothed share of shipments lost in transit, its value at the hand-over, and this month's
   * shipped and delivered kg.
   */
  replace: Float64Array;
  /**
   * Market-level replacement (from the policy start): by holding x market (index h * nMarkets + j),
   * smoothed kg delivered and shipped, and their values at the hand-over; by market, demand at the
   * cost-based price now and at the hand-over; scratch by market for one holding.
   */
  delivEma: Float64Array;
  shipEma: Float64Array;
  delivRef: Float64Array;
  shipRef: Float64Array;
  demandNow: Float64Array;
  demandRef: Float64Array;
  mWeight: Float64Array;
  mSurvival: Float64Array;
  /** By holding x market: learnt survival, and the route-choice weight of the market's routes. */
  survEma: Float64Array;
  mWeightH: Float64Array;
  /** Scratch by market: target deliveries, deliveries wanted so far, headroom (kg delivered). */
  mTarget: Float64Array;
  mGot: Float64Array;
  mRoom: Float64Array;
  /** Kg each holding wanted to ship to each market this month (before the inventory limit). */
  shipWanted: Float64Array;
  /** Each holding's coca or precursor input this month before the replacement multiplier (kg). */
  rawInput: Float64Array;
  /** By route: learnt congestion (1 = none; below 1 after a saturated leg cut the route back). */
  congest: Float64Array;
  /** By route: the share surviving all its legs, as of last month's step (j) (read by shipToMarkets). */
  routeKeep: Float64Array;
  lossEma: Float64Array;
  lossRef: Float64Array;
  shippedH: Float64Array;
  deliveredH: Float64Array;
  holdCult: (Float64Array | null)[];
  /** Risk aversion scaled by each organisation's tolerance. */
  rho: Float64Array;
  /** Route split of each (holding, route) pair, as last revised, and this month's kg by pair. */
  share: Float64Array;
  alloc: Float64Array;
  /** Share of each holding's shipments entering each leg of its route sets (slots of holdLegs). */
  legShare: Float64Array;
  /** Kg shipped on each route this month, and the share of it delivered. */
  routeAlloc: Float64Array;
  routeSurvival: Float64Array;
  /** Cash per kg shipped on each route this month (sales of what arrives less cash costs). */
  routeValue: Float64Array;
  /** Markets (struct of arrays) and the index of the US market. */
  mk: MarketArrays;
  nMarkets: number;
  usIndex: number;
  wNorm: number;
  capex: number;
  detection: DetectionFx[];
  cuts: CutFx[];
  seaStrikes: StrikeSeaFx[];
  landStrikes: StrikeLandFx[];
  /** Smoothed US consumption, retail price and purity, and their values at the hand-over (EMA). */
  ema: Float64Array;
}

/** What the monthly step of one commodity reads besides its own runtime (one per run). */
interface StepContext {
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
  /** This month's seizure-noise draw of each enforcement group (both commodities). */
  noiseZ: Float64Array;
}

const RECORD_SERIES = [
  'produced',
  'seized',
  'destroyed',
  'consumed',
  'inventory',
  'flowUs',
  'consumedUs',
  'seizedUsBorder',
  'retailUs',
  'wholesaleUs',
  'purityUs',
  'documentedIn',
  'documentedRemoved',
  'easternPacificIn',
  'caribbeanIn',
  'labCapacity',
  'capacityDestroyed',
  'capacityRebuilt',
] as const;

/** All records of one commodity as views into one buffer (one allocation per run and commodity). */
function emptyRecords(
  arena: Float64Arena,
  steps: number,
  corridors: number,
  routes: number,
  edges: number,
): CommodityRecords {
  const years = Math.ceil(steps / 12);
  const sizes = [
    ...RECORD_SERIES.map(() => steps),
    years * Math.max(1, corridors),
    years * routes,
    years * routes,
    years * edges,
    years * edges,
  ];
  const buffer = arena.zeros(sizes.reduce((a, b) => a + b, 0));
  let at = 0;
  const views = sizes.map((n) => {
    const v = buffer.subarray(at, at + n);
    at += n;
    return v;
  });
  const out: Record<string, Float64Array> = {};
  RECORD_SERIES.forEach((name, i) => {
    out[name] = views[i];
  });
  const k = RECORD_SERIES.length;
  out.corridorFlow = views[k];
  out.routeShipped = views[k + 1];
  out.routeDelivered = views[k + 2];
  out.edgeFlow = views[k + 3];
  out.edgeSeized = views[k + 4];
  return out as unknown as CommodityRecords;
}

/** Monthly cultivation input (kg) of each node, cached per compiled network and time axis. */
const inputCache = new WeakMap<
  CompiledCommodity,
  { start: number; steps: number; input: (Float64Array | null)[] }
>();

function cultivationInput(axis: TimeAxis, c: CompiledCommodity): (Float64Array | null)[] {
  const hit = inputCache.get(c);
  if (hit && hit.start === axis.start && hit.steps === axis.steps) return hit.input;
  const steps = axis.steps;
  const input = c.net.nodes.map((node) => {
    if (node.input?.kind !== 'cultivation') return null;
    const area = monthlyFromYearly(axis, node.input.areaHa);
    const yieldKg = monthlyFromYearly(axis, node.input.yieldKgPerHa);
    const out = new Float64Array(steps);
    for (let t = 0; t < steps; t++) out[t] = (area[t] * yieldKg[t]) / 12;
    return out;
  });
  inputCache.set(c, { start: axis.start, steps, input });
  return input;
}

const selectionCache = new WeakMap<CompiledCommodity, Map<string, Int32Array>>();

/** Legs whose `field` equals `value` (maritime legs only if asked); cached per compiled network. */
function selectEdges(c: CompiledCommodity, field: string, value: string, maritimeOnly: boolean): Int32Array {
  let byKey = selectionCache.get(c);
  if (!byKey) {
    byKey = new Map();
    selectionCache.set(c, byKey);
  }
  const key = `${field}\u0000${value}\u0000${maritimeOnly}`;
  let hit = byKey.get(key);
  if (!hit) {
    hit = scanEdges(c, field, value, maritimeOnly);
    byKey.set(key, hit);
  }
  return hit;
}

function scanEdges(c: CompiledCommodity, field: string, value: string, maritimeOnly: boolean): Int32Array {
  const out: number[] = [];
  c.net.edges.forEach((e, i) => {
    const v =
      field === 'fromCountry'
        ? c.net.nodes[c.edgeFrom[i]].country
        : (e as unknown as Record<string, string | undefined>)[field];
    if (v === value && (!maritimeOnly || c.isMaritime[i])) out.push(i);
  });
  return Int32Array.from(out);
}

/**
 * The historical street-supply driver is stateless and depends only on the scenario, the time axis
 * and the two adulteration parameters (`adulterationMap`), so runs sharing them share it: building it
 * interpolates the yearly series for every month, a few percent of a run. Ensembles draw those
 * parameters from a few hundred accepted calibration sets, so the cache (per scenario and axis) is
 * keyed by their values and bounded.
 */
const historyCache = new WeakMap<Scenario, { start: number; steps: number; byValues: Map<string, Module> }>();
const HISTORY_CACHE_MAX = 1024;

function historyModule(axis: TimeAxis, scenario: Scenario, params: Params): Module {
  let entry = historyCache.get(scenario);
  // By the axis' values: every run builds its own axis object (prepare -> makeTimeAxis).
  if (!entry || entry.start !== axis.start || entry.steps !== axis.steps) {
    entry = { start: axis.start, steps: axis.steps, byValues: new Map() };
    historyCache.set(scenario, entry);
  }
  const key = ADULTERATION_PARAMETERS.map((id) => params.get(id)).join('|');
  let module = entry.byValues.get(key);
  if (!module) {
    if (entry.byValues.size >= HISTORY_CACHE_MAX) entry.byValues.clear();
    module = createStreetSupplyModule(axis, scenario, params);
    entry.byValues.set(key, module);
  }
  return module;
}

const noiseCache = new WeakMap<CompiledSupply, { groups: Int32Array[]; count: number }>();

/** Seizure-noise group of each transport leg, by commodity, numbered over both (cached). */
function noiseGroupsOf(compiled: CompiledSupply): { groups: Int32Array[]; count: number } {
  const hit = noiseCache.get(compiled);
  if (hit) return hit;
  const index = new Map<string, number>();
  const groups = compiled.commodities.map((c) =>
    Int32Array.from(layoutOf(c).noiseKey, (key) => {
      let gi = index.get(key);
      if (gi === undefined) {
        gi = index.size;
        index.set(key, gi);
      }
      return gi;
    }),
  );
  const out = { groups, count: index.size };
  noiseCache.set(compiled, out);
  return out;
}

/** Every (supply lever, target) and the channel it reads, listed once. */
const LEVER_CHANNELS = SUPPLY_LEVERS.flatMap((def) =>
  (def.targets ?? ['']).map((target) => ({ def, target, channel: def.channel.replace('{target}', target) })),
);

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
  const temperature = g('supply.routeChoiceTemperature');
  const memory = g('supply.riskMemory');
  const forgetting = g('supply.riskForgetting');
  const riskAversion = g('supply.riskAversion');
  const deterrence = g('supply.strikeDeterrence');
  const shipShare = g('supply.shipmentShare');
  const kgSea = g('supply.kgPerMaritimeShipment');
  const cargo = g('supply.cargoPerStruckVesselKg');
  const deathsPerVessel = g('supply.deathsPerStruckVessel');
  const rebuildRate = g('supply.labRebuildRate');
  const headroom = g('supply.cocaineLabHeadroom');
  const growth = g('supply.fentanylCapacityGrowth');
  const hurdle = g('supply.expansionHurdle');
  const investShare = g('supply.capitalInvestShare');
  const payout = g('supply.capitalPayoutRate');
  const cashShare = g('supply.cashCostShare');
  const turnover = g('market.stockTurnover');
  const kappa = g('market.riskCompensation');
  const thetaPurity = g('market.purityElasticity');
  const smoothing = 1 / Math.max(1, g('market.streetSmoothingMonths'));
  const adulteration = adulterationMap(params);

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
  };
  const sovereigntyRow = (s: string): Float64Array => {
    let row = events.strikesBySovereignty.get(s);
    if (!row) {
      row = new Float64Array(steps);
      events.strikesBySovereignty.set(s, row);
    }
    return row;
  };

  const rts: CommodityRt[] = compiled.commodities.map((c) => {
    const L = layoutOf(c);
    const { m, H } = L;
    const P = L.hrStart[H];
    const input = cultivationInput(axis, c);
    const nMarkets = c.markets.length;
    const mk = Object.fromEntries(
      MARKET_FIELDS.map((f) => [f, arena.zeros(nMarkets)]),
    ) as unknown as MarketArrays;
    c.markets.forEach((node, i) => {
      const spec = c.net.nodes[node].market!;
      const eps = g(spec.elasticityParameter);
      mk.wRef[i] = spec.wholesaleUsdPerKg;
      mk.rRef[i] = spec.retailUsdPerKg;
      mk.q0[i] = spec.demandKgPerYear / 12;
      mk.eps[i] = eps;
      mk.invEps[i] = 1 / eps;
      mk.growth[i] = g(spec.demandGrowthParameter);
      mk.logGrowth[i] = Math.log1p(mk.growth[i]);
      mk.refYear[i] = spec.referenceYear;
      mk.purityRef[i] = spec.purity;
      mk.wholesale[i] = spec.wholesaleUsdPerKg;
      mk.retail[i] = spec.retailUsdPerKg;
      mk.purity[i] = spec.purity;
      mk.premium[i] = 1;
      mk.growthYear[i] = Number.NaN;
      mk.priceCost[i] = Number.NaN;
      mk.clearRatio[i] = Number.NaN;
    });
    const usIndex = L.marketOf[c.usMarket];
    const shipKg = arena.zeros(m);
    const kgLand = g(
      c.commodity === 'cocaine' ? 'supply.kgPerLandShipmentCocaine' : 'supply.kgPerLandShipmentFentanyl',
    );
    c.net.edges.forEach((e, i) => {
      shipKg[i] = e.mode === 'maritime' ? kgSea : kgLand;
    });
    const perceived = arena.zeros(orgs.length * m);
    for (let o = 0; o < orgs.length; o++) perceived.set(c.baseDetection, o * m);
    const detBase = L.detBase;
    const rt: CommodityRt = {
      c,
      L,
      rec: emptyRecords(arena, steps, c.corridors.length, L.R, m),
      det: arena.copy(detBase),
      detBase,
      detDirty: false,
      hazardSum: arena.zeros(m),
      capMult: arena.filled(m, 1),
      capNow: arena.copy(c.capacityPerMonth),
      cutDirty: false,
      routeScale: arena.zeros(L.R),
      loss: arena.zeros(m),
      strikeLoss: arena.zeros(m),
      strikeDirty: false,
      noiseGroup: new Int32Array(0),
      keep: arena.zeros(m),
      plan: arena.zeros(m),
      edgeIn: arena.zeros(m),
      shipKg,
      perceived,
      used: new Uint8Array(orgs.length * m),
      cap: arena.copy(c.holdings.map((h) => h.capacity)),
      target: arena.copy(c.holdings.map((h) => h.capacity)),
      inv: arena.copy(c.holdings.map((h) => h.inventory)),
      outstanding: arena.zeros(H),
      prodThisMonth: arena.zeros(H),
      replace: arena.filled(H, 1),
      delivEma: arena.zeros(H * nMarkets),
      shipEma: arena.zeros(H * nMarkets),
      delivRef: arena.zeros(H * nMarkets),
      shipRef: arena.zeros(H * nMarkets),
      demandNow: arena.zeros(nMarkets),
      demandRef: arena.zeros(nMarkets),
      mWeight: arena.zeros(nMarkets),
      mSurvival: arena.zeros(nMarkets),
      survEma: arena.zeros(H * nMarkets),
      mWeightH: arena.zeros(H * nMarkets),
      mTarget: arena.zeros(nMarkets),
      mGot: arena.zeros(nMarkets),
      mRoom: arena.zeros(nMarkets),
      shipWanted: arena.zeros(H * nMarkets),
      rawInput: arena.zeros(H),
      congest: arena.filled(L.R, 1),
      routeKeep: arena.zeros(L.R),
      lossEma: arena.zeros(H),
      lossRef: arena.zeros(H),
      shippedH: arena.zeros(H),
      deliveredH: arena.zeros(H),
      holdCult: c.holdings.map((h) => input[h.node]),
      rho: arena.copy(Array.from(tolerance, (tol) => riskAversion * (1 - tol))),
      share: arena.zeros(P),
      alloc: arena.zeros(P),
      legShare: arena.zeros(L.holdLegs.length),
      routeAlloc: arena.zeros(L.R),
      routeSurvival: arena.zeros(L.R),
      routeValue: arena.zeros(L.R),
      mk,
      nMarkets,
      usIndex,
      wNorm: mk.wRef[usIndex],
      capex: g(
        c.commodity === 'cocaine'
          ? 'supply.cocaineLabCapexUsdPerKgYear'
          : 'supply.fentanylLabCapexUsdPerKgYear',
      ),
      detection: [],
      cuts: [],
      seaStrikes: [],
      landStrikes: [],
      ema: arena.copy([0, 0, 0, 1, 1, 1]),
    };
    return rt;
  });

  // Each supply lever declares its effect; compile every (lever, target) whose channel is used.
  for (const { def, target, channel } of LEVER_CHANNELS) {
    const intensity = channels.get(channel);
    if (!intensity) continue;
    const fx: LeverEffect = def.effect;
    const value = fx.select.value ?? target;
    for (const rt of rts) {
      const c = rt.c;
      if (fx.kind === 'detection') {
        const edges = selectEdges(c, fx.select.field, value, false);
        if (edges.length) rt.detection.push({ edges, hazard: g(fx.hazardParameter), intensity });
      } else if (fx.kind === 'capacity-cut') {
        const edges = selectEdges(c, fx.select.field, value, false);
        if (edges.length)
          rt.cuts.push({ edges, maxCut: g(fx.maxCutParameter), rate: g(fx.rateParameter), intensity });
      } else if (fx.kind === 'vessel-strikes') {
        const edges = selectEdges(c, fx.select.field, value, true);
        if (edges.length) rt.seaStrikes.push({ edges, intensity });
      } else if (fx.kind === 'capacity-strikes') {
        const hs: number[] = [];
        c.holdings.forEach((h, i) => {
          if (c.net.nodes[h.node].country === value) hs.push(i);
        });
        // Strikes in a country with no modelled production still happen (and are recorded) once.
        const perStrike = fx.capacityParameter[c.commodity];
        if (hs.length || c.commodity === 'cocaine')
          rt.landStrikes.push({
            holdings: Int32Array.from(hs),
            country: value,
            perStrike: perStrike ? g(perStrike) : 0,
            leadership: g(fx.leadershipParameter),
            intensity,
          });
      }
    }
  }
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
    headroom,
    growthFactor: Math.exp(growth / 12),
    hurdle,
    rebuildRate,
    budget,
    capital,
    shipShare,
    temperature,
    options,
    cargo,
    kgSea,
    deathsPerVessel,
    cashShare,
    memory,
    deterrence,
    forgetting,
    turnover,
    smoothing,
    kappa,
    policyStep,
    replaceRate: 1 / Math.max(1, g('supply.replacementMonths')),
    maxReplace: g('supply.maxReplacement'),
    thetaPurity,
    noiseZ,
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
      for (let o = 0; o < orgs.length; o++) capital[o] *= keepShare;
    },
  };

  // The street interface: history before policyStart, the US market (normalised) from then on.
  const history = historyModule(axis, scenario, params);
  const refStep = Math.max(0, policyStep - 1);
  const histRef = { fentanyl: new Float64Array(3), cocaine: new Float64Array(3) };
  const fenRt = rts.find((r) => r.c.commodity === 'fentanyl')!;
  const cocRt = rts.find((r) => r.c.commodity === 'cocaine')!;
  const pairs = [
    ['fentanyl', fenRt],
    ['cocaine', cocRt],
  ] as const;
  const streetModule: Module = {
    id: 'street-supply',
    step(sim: SimState) {
      const t = sim.t;
      if (t < policyStep || policyStep === 0) {
        history.step(sim);
        if (t === refStep || policyStep === 0) {
          for (const [name, rt] of pairs) {
            const s = sim.street[name];
            histRef[name][0] = s[STREET.availability];
            histRef[name][1] = s[STREET.priceIndex];
            histRef[name][2] = s[STREET.potency];
            const ema = rt.ema;
            ema[EMA.refCons] = ema[EMA.cons] > 0 ? ema[EMA.cons] : 1;
            ema[EMA.refPrice] = ema[EMA.price] > 0 ? ema[EMA.price] : 1;
            ema[EMA.refPurity] = ema[EMA.purity] > 0 ? ema[EMA.purity] : 1;
          }
        }
        if (policyStep > 0) return;
      }
      let fenAvail = 0;
      for (const [name, rt] of pairs) {
        const s = sim.street[name];
        const ref = histRef[name];
        const ema = rt.ema;
        s[STREET.availability] = (ref[0] * ema[EMA.cons]) / ema[EMA.refCons];
        s[STREET.priceIndex] = (ref[1] * ema[EMA.price]) / ema[EMA.refPrice];
        s[STREET.potency] = Math.min(1, (ref[2] * ema[EMA.purity]) / ema[EMA.refPurity]);
        if (name === 'fentanyl') fenAvail = s[STREET.availability];
      }
      // Same saturating map as the historical driver, so the hand-over is continuous.
      sim.street.fentanyl[STREET.fentanylAdulteration] = adulteration.opioid(fenAvail);
      sim.street.cocaine[STREET.fentanylAdulteration] = adulteration.stimulant(fenAvail);
    },
  };

  const state: SupplyState = {
    compiled,
    records: { cocaine: cocRt.rec, fentanyl: fenRt.rec },
    events,
    capital,
    policyStep,
    corridors: { cocaine: cocRt.c.corridors, fentanyl: fenRt.c.corridors },
  };
  arenas.set(state, arena);
  // Everything the monthly steps mutate, for forking a run (see engine/run.ts runPaired).
  const mutable = { capital, budget, noiseZ, events, histRef, rts };
  return { modules: [supplyModule, streetModule], state, mutable };
}

function stepCommodity(ctx: StepContext, rt: CommodityRt, t: number): void {
  const c = rt.c;
  const L = rt.L;
  const rec = rt.rec;
  const m = L.m;
  const H = L.H;
  const re = c.routeEdges;
  const routeEdgeStart = c.routeEdgeStart;
  const baseDetection = c.baseDetection;
  const det = rt.det;
  const capNow = rt.capNow;
  const cap = rt.cap;
  const inv = rt.inv;
  const target = rt.target;
  const outstanding = rt.outstanding;
  const perceived = rt.perceived;
  const used = rt.used;
  const plan = rt.plan;
  const share = rt.share;
  const alloc = rt.alloc;
  const routeAlloc = rt.routeAlloc;
  const loss = rt.loss;
  const strikeLoss = rt.strikeLoss;
  const keep = rt.keep;
  const edgeIn = rt.edgeIn;
  const hrStart = L.hrStart;
  const hrRoute = L.hrRoute;
  const hrHolding = L.hrHolding;
  const hrOrg = L.hrOrg;
  const activeRoutes = L.activeRoutes;
  const mk = rt.mk;
  const mkW = mk.wholesale;
  const P = alloc.length;
  const budget = ctx.budget;
  const capital = ctx.capital;
  // Exogenous drivers (demand growth) are held flat after the last data year, like the history.
  const yearFrac = Math.min(ctx.axis.firstYear + t / 12, ctx.scenario.lastDataYear + 1);

  // (a) Enforcement on legs: detection with diminishing returns, capacity cuts. Legs without extra
  // hazard keep their baseline detection (exp(-0) = 1, so the formula gives it exactly).
  // Both depend only on this month's lever intensities, so they are recomputed only when one changes
  // (intensities are flat between ramps).
  let leversMoved = t === 0;
  for (const fx of rt.detection)
    if (!leversMoved && fx.intensity[t] !== fx.intensity[t - 1]) leversMoved = true;
  for (const fx of rt.cuts) if (!leversMoved && fx.intensity[t] !== fx.intensity[t - 1]) leversMoved = true;
  if (leversMoved) enforceLegs(rt, t);

  // (b) Strikes on production capacity (country level).
  let destroyed = 0;
  let capDestroyed = 0;
  for (const fx of rt.landStrikes) {
    const s = fx.intensity[t] / 12;
    if (s === 0) continue;
    if (!ctx.strikeCounted.has(fx.country)) {
      ctx.strikeCounted.add(fx.country);
      ctx.events.strikesOnLand[t] += s;
      ctx.sovereigntyRow(fx.country)[t] += s;
      ctx.events.leadershipLosses[t] += s * fx.leadership;
    }
    let k = 0;
    for (const h of fx.holdings) k += cap[h];
    if (k <= 0) continue;
    const frac = 1 - Math.exp((-s * fx.perStrike) / k);
    for (const h of fx.holdings) {
      const lost = cap[h] * frac;
      cap[h] -= lost;
      outstanding[h] += lost;
      capDestroyed += lost;
      const invLost = inv[h] * frac;
      inv[h] -= invLost;
      destroyed += invLost;
    }
  }

  // (c, d) Production: lab capacity vs coca or precursor supply. From the policy start organisations
  // replace product lost in transit: the coca or precursor supply they draw on grows with the
  // replacement multiplier, and lab capacity follows as capital allows (supply is elastic in the
  // long run; Caulkins & Reuter 1998).
  const replace = rt.replace;
  let produced = 0;
  const grow = rt.mk.premium[rt.usIndex] > 1 + ctx.hurdle;
  const headroom = ctx.headroom;
  const rebuildRate = ctx.rebuildRate;
  const capex = rt.capex;
  const preStart = L.preStart;
  const preEdges = L.preEdges;
  const nMk = rt.nMarkets;
  for (let h = 0; h < H; h++) {
    const cult = rt.holdCult[h];
    let input: number;
    if (cult) input = cult[t] * L.holdShare[h];
    else {
      let pre = 0;
      for (let j = preStart[h], je = preStart[h + 1]; j < je; j++) {
        const e = preEdges[j];
        pre += capNow[e] * (1 - det[e]);
      }
      input = pre * L.holdShare[h];
    }
    rt.rawInput[h] = input;
    input *= replace[h];
    const p = Math.min(cap[h] / 12, input);
    rt.prodThisMonth[h] = p;
    inv[h] += p;
    produced += p;
    // (e) Capacity: cocaine labs follow the coca supply; fentanyl labs grow while the market pays a
    // premium and labs are busy. Rebuilding and building are funded by capital.
    if (cult) target[h] = headroom * input * 12;
    else if (grow && p >= DEFAULTS.utilisationForGrowth * (cap[h] / 12)) target[h] *= ctx.growthFactor;
    // From the policy start labs are also built up to what replacement wants to ship (last month's
    // shipments wanted, step (g)), funded by capital like rebuilding.
    if (t > ctx.policyStep && ctx.policyStep > 0) {
      let wanted = 0;
      for (let j = 0; j < nMk; j++) wanted += rt.shipWanted[h * nMk + j];
      if (12 * wanted > target[h]) target[h] = 12 * wanted;
    }
    const gap = target[h] - cap[h];
    if (gap > 0) {
      const o = L.holdOrg[h];
      const build = Math.min(gap * rebuildRate, budget[o] / capex);
      if (build > 0) {
        cap[h] += build;
        budget[o] -= build * capex;
        capital[o] -= build * capex;
        const rebuilt = Math.min(build, outstanding[h]);
        outstanding[h] -= rebuilt;
        rec.capacityRebuilt[t] += rebuilt;
      }
    }
  }

  // (f) Route choice: each holding splits its shipments over its route set by a logit on expected
  // profit net of perceived risk. Organisations revise the split every `routeReviewMonths` months
  // (a shipping plan is not redrawn every month) and ship on the last split in between; perceived
  // risk is still learnt every month, so a revision sees all losses since the last one.
  if (t % DEFAULTS.routeReviewMonths === 0) reviewRoutes(ctx, rt);

  // (g) This month's shipments by pair and by route, and the planned load of each leg.
  const shipShare = ctx.shipShare;
  const shippedH = rt.shippedH;
  const legShare = rt.legShare;
  const holdLegStart = L.holdLegStart;
  const holdLegs = L.holdLegs;
  fillTo(routeAlloc, 0);
  fillTo(plan, 0);
  if (t >= ctx.policyStep && ctx.policyStep > 0) shipToMarkets(ctx, rt, t);
  else {
    for (let h = 0; h < H; h++) {
      const ship = inv[h] * shipShare;
      let sent = 0;
      for (let k = hrStart[h], kb = hrStart[h + 1]; k < kb; k++) {
        const x = ship * share[k];
        alloc[k] = x;
        routeAlloc[hrRoute[k]] += x;
        sent += x;
      }
      shippedH[h] = sent;
      for (let j = holdLegStart[h], je = holdLegStart[h + 1]; j < je; j++)
        plan[holdLegs[j]] += ship * legShare[j];
    }
  }

  // (h) Leg capacities: routes through a saturated leg are scaled down (by the tightest of their
  // legs); the rest stays in inventory. With the shipped capacities this is rare at baseline.
  let clipped = false;
  for (let e = 0; e < m; e++) if (plan[e] > capNow[e]) clipped = true;
  if (clipped) {
    const routeScale = rt.routeScale;
    fillTo(routeScale, 1);
    for (let i = 0; i < activeRoutes.length; i++) {
      const r = activeRoutes[i];
      for (let j = routeEdgeStart[r], je = routeEdgeStart[r + 1]; j < je; j++) {
        const e = re[j];
        if (plan[e] > capNow[e]) {
          const lim = capNow[e] / plan[e];
          if (lim < routeScale[r]) routeScale[r] = lim;
        }
      }
    }
    fillTo(routeAlloc, 0);
    fillTo(shippedH, 0);
    for (let k = 0; k < P; k++) {
      const x = alloc[k] * routeScale[hrRoute[k]];
      alloc[k] = x;
      routeAlloc[hrRoute[k]] += x;
      shippedH[hrHolding[k]] += x;
    }
    planLoads(rt);
  }
  // From the policy start organisations also learn which routes are congested: a route cut back by a
  // saturated leg gets less of its market's shipments next time (at the risk-memory rate), and the
  // penalty fades at the forgetting rate when it is not (see shipToMarkets).
  if (t >= ctx.policyStep && ctx.policyStep > 0) {
    const congest = rt.congest;
    const routeScale = rt.routeScale;
    for (let i = 0; i < activeRoutes.length; i++) {
      const r = activeRoutes[i];
      if (clipped && routeScale[r] < 1) congest[r] *= 1 - ctx.memory * (1 - routeScale[r]);
      else congest[r] += ctx.forgetting * (1 - congest[r]);
    }
  }
  for (let h = 0; h < H; h++) inv[h] -= shippedH[h];

  // (i) Realised seizure share per leg, and cargo destroyed by strikes at sea. Each leg keeps its
  // own binomial spread around its detection probability, but the standard normal behind it is
  // drawn once a month per enforcement group (a maritime corridor, a US border checkpoint, else the
  // leg's sovereignty; drawn in the supply step for both commodities) and shared by the group's
  // legs: a month's interdiction luck (an operation, a tip-off) is common to the legs one agency
  // watches, whatever the drug. The number of draws is fixed by the network, so random numbers
  // stay aligned across policies.
  const transport = L.transport;
  const noiseGroup = rt.noiseGroup;
  const noiseZ = ctx.noiseZ;
  const shipKg = rt.shipKg;
  for (let i = 0; i < transport.length; i++) {
    const e = transport[i];
    const p = det[e];
    const n = Math.max(1, plan[e] / shipKg[e]);
    const f = p + noiseZ[noiseGroup[i]] * Math.sqrt((p * (1 - p)) / n);
    const l = f < 0 ? 0 : Math.min(f, 1);
    loss[e] = l;
    keep[e] = 1 - l;
  }
  if (rt.strikeDirty) {
    fillTo(strikeLoss, 0);
    rt.strikeDirty = false;
  }
  for (const fx of rt.seaStrikes) {
    const s = fx.intensity[t] / 12;
    if (s === 0) continue;
    let total = 0;
    for (const e of fx.edges) total += plan[e];
    if (total <= 0) continue;
    for (const e of fx.edges) {
      if (plan[e] <= 0) continue;
      const se = (s * plan[e]) / total;
      strikeLoss[e] = 1 - Math.exp((-se * ctx.cargo) / plan[e]);
      rt.strikeDirty = true;
      const struck = Math.min(se, plan[e] / ctx.kgSea);
      ctx.events.strikesAtSea[t] += struck;
      ctx.events.deathsAboard[t] += struck * ctx.deathsPerVessel;
      ctx.sovereigntyRow(c.edgeSovereignty[e])[t] += struck;
    }
  }
  const struckAtSea = rt.strikeDirty;
  if (struckAtSea) for (let e = 0; e < m; e++) keep[e] = (1 - loss[e]) * (1 - strikeLoss[e]);

  // (j) Move the shipments along their routes, route by route (every pair on a route shares its
  // legs). What enters each leg is recorded; seizures and strike losses are summed by leg below.
  // Cost incurred: production, then each leg's cost for the kg that enter it (a kg seized early
  // does not pay for the later legs), so the cost per delivered kg rises by 1/(1 - s) at the leg
  // where a share s is seized (replacement cost at the point of seizure; Caulkins & Reuter 1998).
  moveShipments(ctx, rt, t);
  const routeSurvival = rt.routeSurvival;
  const routeValue = rt.routeValue;
  const year = (t / 12) | 0;
  // By pair: delivered by holding, and the organisations' cash.
  const deliveredH = rt.deliveredH;
  fillTo(deliveredH, 0);
  const nM = rt.nMarkets;
  const delivEma = rt.delivEma;
  const shipEma = rt.shipEma;
  // Smoothed deliveries and shipments by holding x market are only needed up to the hand-over,
  // where they become the references of market-level replacement (shipToMarkets).
  const smooth = t === 0 ? 1 : t < ctx.policyStep ? ctx.replaceRate : 0;
  if (smooth > 0) {
    for (let i = 0; i < delivEma.length; i++) {
      delivEma[i] -= smooth * delivEma[i];
      shipEma[i] -= smooth * shipEma[i];
    }
  }
  for (let k = 0; k < P; k++) {
    const start = alloc[k];
    const r = hrRoute[k];
    const h = hrHolding[k];
    const got = start * routeSurvival[r];
    deliveredH[h] += got;
    capital[hrOrg[k]] += start * routeValue[r];
    if (smooth > 0) {
      const hj = h * nM + L.hrMarket[k];
      delivEma[hj] += smooth * got;
      shipEma[hj] += smooth * start;
    }
  }
  if (t === ctx.policyStep - 1) {
    rt.delivRef.set(delivEma);
    rt.shipRef.set(shipEma);
  }
  // Legs used this month by each organisation: those of the route sets of its holdings that shipped.
  // Usually every holding ships, and then every leg of an organisation's route sets is used.
  let allShipped = true;
  for (let h = 0; h < H; h++) if (!(shippedH[h] > 0)) allShipped = false;
  if (!allShipped) {
    used.fill(0);
    for (let h = 0; h < H; h++) {
      if (!(shippedH[h] > 0)) continue;
      const base = L.holdOrg[h] * m;
      for (let j = holdLegStart[h], je = holdLegStart[h + 1]; j < je; j++) used[base + holdLegs[j]] = 1;
    }
  }

  // (j') Replacement: each holding's smoothed loss share in transit; from the policy start production
  // aims to deliver what it delivered at the hand-over, (1 - lossRef) / (1 - loss), within a ceiling.
  const replaceRate = ctx.replaceRate;
  for (let h = 0; h < H; h++) {
    if (shippedH[h] <= 0) continue;
    const lost = 1 - deliveredH[h] / shippedH[h];
    if (t === 0) rt.lossEma[h] = lost;
    else rt.lossEma[h] += replaceRate * (lost - rt.lossEma[h]);
    if (t === ctx.policyStep - 1) rt.lossRef[h] = rt.lossEma[h];
    if (t >= ctx.policyStep && ctx.policyStep > 0) {
      // Production aims at what the holding wants to ship (step (g), shipToMarkets), drawing more or
      // less on its coca or precursor supply (other sources, other chemicals) within the ceiling:
      // a cut in that supply is replaced like a loss in transit.
      let wanted = 0;
      for (let j = 0; j < nM; j++) wanted += rt.shipWanted[h * nM + j];
      const want =
        rt.rawInput[h] > 0 && wanted > 0
          ? wanted / rt.rawInput[h]
          : (1 - rt.lossRef[h]) / Math.max(1e-9, 1 - rt.lossEma[h]);
      const aim = Math.min(ctx.maxReplace, Math.max(1 / ctx.maxReplace, want));
      replace[h] += replaceRate * (aim - replace[h]);
    }
  }

  // (k) Learning: perceived risk from own losses, with memory; unused legs relax to baseline.
  const memory = ctx.memory;
  const forgetting = ctx.forgetting;
  const deterrence = ctx.deterrence;
  // Legs outside an organisation's route sets are skipped: their perceived risk stays at baseline.
  // One flat loop over (organisation, leg) slots: learnSlot is the index o * m + e into `perceived`
  // and `used`, learnLeg the leg e.
  const learnSlot = L.learnSlot;
  const learnLeg = L.learnLeg;
  const nLearn = learnSlot.length;
  if (allShipped && !struckAtSea) {
    // Without strikes the observed loss is the seizure share itself (<= 1).
    for (let j = 0; j < nLearn; j++) {
      const k = learnSlot[j];
      const q = perceived[k];
      perceived[k] = q + memory * (loss[learnLeg[j]] - q);
    }
  } else {
    for (let j = 0; j < nLearn; j++) {
      const k = learnSlot[j];
      const e = learnLeg[j];
      const q = perceived[k];
      if (allShipped || used[k]) {
        const observed = struckAtSea
          ? Math.min(1, loss[e] + deterrence * (1 - loss[e]) * strikeLoss[e])
          : loss[e];
        perceived[k] = q + memory * (observed - q);
      } else perceived[k] = q + forgetting * (baseDetection[e] - q);
    }
  }

  // (m) Markets: stocks, cost-based prices plus risk compensation, scarcity, purity.
  const mkArrivals = mk.arrivals;
  const mkLandedNum = mk.landedNum;
  const mkLandedDen = mk.landedDen;
  let consumed = 0;
  let stocks = 0;
  const turnover = ctx.turnover;
  const smoothing = ctx.smoothing;
  const kappa = ctx.kappa;
  const thetaPurity = ctx.thetaPurity;
  const us = rt.usIndex;
  for (let mi = 0; mi < rt.nMarkets; mi++) {
    const arrivals = mkArrivals[mi];
    mk.stock[mi] += arrivals;
    const x = mk.stock[mi] * turnover;
    mk.stock[mi] -= x;
    consumed += x;
    stocks += mk.stock[mi];
    if (mkLandedDen[mi] > 0) {
      const landed = mkLandedNum[mi] / mkLandedDen[mi];
      if (!mk.hasRef[mi]) {
        mk.landedRef[mi] = landed;
        mk.landedEma[mi] = landed;
        mk.hasRef[mi] = 1;
      } else mk.landedEma[mi] += smoothing * (landed - mk.landedEma[mi]);
    }
    const wRef = mk.wRef[mi];
    const wCost = Math.min(
      DEFAULTS.costCapMultiple * wRef,
      Math.max(0.2 * wRef, wRef + kappa * (mk.landedEma[mi] - mk.landedRef[mi])),
    );
    const rCost = mk.rRef[mi] + (wCost - wRef);
    if (yearFrac !== mk.growthYear[mi]) {
      mk.growthYear[mi] = yearFrac;
      mk.growthFactor[mi] = Math.exp(mk.logGrowth[mi] * (yearFrac - mk.refYear[mi]));
    }
    if (rCost !== mk.priceCost[mi]) {
      mk.priceCost[mi] = rCost;
      mk.priceFactor[mi] = Math.exp(mk.eps[mi] * Math.log(rCost / mk.rRef[mi]));
    }
    const demand = mk.q0[mi] * mk.growthFactor[mi] * mk.priceFactor[mi];
    rt.demandNow[mi] = demand;
    if (t === ctx.policyStep - 1) rt.demandRef[mi] = demand;
    let ratio = demand > 0 ? x / demand : DEFAULTS.ratioHigh;
    ratio = ratio < DEFAULTS.ratioLow ? DEFAULTS.ratioLow : Math.min(ratio, DEFAULTS.ratioHigh);
    if (ratio !== mk.clearRatio[mi]) {
      mk.clearRatio[mi] = ratio;
      const logRatio = Math.log(ratio);
      mk.clearMu[mi] = Math.exp(logRatio * mk.invEps[mi]);
      // Purity is read only for the US market (records and the street interface).
      if (mi === us) mk.clearPurity[mi] = Math.min(1, mk.purityRef[mi] * Math.exp(logRatio * thetaPurity));
    }
    const mu = mk.clearMu[mi];
    // Scarcity is priced at the import level and passed on downstream as an absolute amount
    // (additive markups, Caulkins & Reuter 1998); a shortfall at retail shows mostly in purity and
    // availability.
    const wholesale = wCost * mu;
    const retail = rCost + (wholesale - wCost);
    const purity = mk.clearPurity[mi];
    mk.premium[mi] = mu;
    mkW[mi] = wholesale;
    mk.retail[mi] = retail;
    mk.purity[mi] = purity;
    if (mi === us) {
      rec.flowUs[t] = arrivals;
      rec.consumedUs[t] = x;
      rec.retailUs[t] = retail;
      rec.wholesaleUs[t] = wholesale;
      rec.purityUs[t] = purity;
      const ema = rt.ema;
      if (t === 0) {
        ema[EMA.cons] = x;
        ema[EMA.price] = retail;
        ema[EMA.purity] = purity;
      } else {
        ema[EMA.cons] += smoothing * (x - ema[EMA.cons]);
        ema[EMA.price] += smoothing * (retail - ema[EMA.price]);
        ema[EMA.purity] += smoothing * (purity - ema[EMA.purity]);
      }
    }
  }

  // (n) Records. Seizures and strike losses are summed by leg from what entered it.
  let inventory = stocks;
  let labCap = 0;
  for (let h = 0; h < H; h++) {
    inventory += inv[h];
    labCap += cap[h];
  }
  let seized = 0;
  let seizedBorder = 0;
  let docRemoved = 0;
  let docIn = 0;
  let ep = 0;
  let cb = 0;
  const isBorder = c.isBorder;
  const isDocumented = c.isDocumented;
  const entersDocumented = c.entersDocumented;
  const corridorCode = c.maritimeCorridorCode;
  const edgeFlow = rec.edgeFlow;
  const edgeSeized = rec.edgeSeized;
  const edgeRow = year * m;
  for (let e = 0; e < m; e++) {
    const flow = edgeIn[e];
    if (flow === 0) continue;
    const se = flow * loss[e];
    const de = struckAtSea ? (flow - se) * strikeLoss[e] : 0;
    seized += se;
    destroyed += de;
    edgeFlow[edgeRow + e] += flow;
    edgeSeized[edgeRow + e] += se;
    if (isBorder[e]) seizedBorder += se;
    if (isDocumented[e]) docRemoved += se + de;
    if (!entersDocumented[e]) continue;
    docIn += flow;
    const code = corridorCode[e];
    if (code === 1) ep += flow;
    else if (code === 2) cb += flow;
  }
  rec.produced[t] = produced;
  rec.seized[t] = seized;
  rec.destroyed[t] = destroyed;
  rec.consumed[t] = consumed;
  rec.inventory[t] = inventory;
  rec.seizedUsBorder[t] = seizedBorder;
  rec.labCapacity[t] = labCap;
  rec.capacityDestroyed[t] = capDestroyed;
  // US-bound kg by corridor: summed from the routes' kg once a year (and at the last step).
  if (t % 12 === 11 || t === rec.produced.length - 1) {
    const nc = c.corridors.length;
    const routeCorridor = c.routeCorridor;
    const routeShipped = rec.routeShipped;
    const routeRow = year * L.R;
    const corridorRow = year * nc;
    for (let r = 0; r < L.R; r++) {
      const ci = routeCorridor[r];
      if (ci >= 0) rec.corridorFlow[corridorRow + ci] += routeShipped[routeRow + r];
    }
  }
  rec.documentedIn[t] = docIn;
  rec.documentedRemoved[t] = docRemoved;
  rec.easternPacificIn[t] = ep;
  rec.caribbeanIn[t] = cb;
}

/**
 * Step (g) from the policy start: market-level replacement (Caulkins & Reuter 1998). Each market is
 * to receive what it received at the hand-over, scaled by its demand at the cost-based price now vs
 * then (so a lasting rise in cost lowers what is sold, through the demand elasticity). Each holding
 * ships what its own share of that takes given the survival it has learnt on its routes to the market
 * (smoothed at the risk-memory rate, so losses are replaced after a lag), within the replacement
 * ceiling; what capped holdings cannot send, the others with headroom make up. Shipments are split
 * over a market's routes by the route choice (step (f)) weighted by learnt congestion (step (h)), and
 * limited by inventory. Before the policy
 * start the split over markets is the route choice's own.
 */
function shipToMarkets(ctx: StepContext, rt: CommodityRt, t: number): void {
  const L = rt.L;
  const H = L.H;
  const nM = rt.nMarkets;
  const share = rt.share;
  const alloc = rt.alloc;
  const routeAlloc = rt.routeAlloc;
  const hrMarket = L.hrMarket;
  const hrRoute = L.hrRoute;
  const w = rt.mWeight;
  const surv = rt.mSurvival;
  const want = rt.shipWanted;
  const survEma = rt.survEma;
  const congest = rt.congest;
  const target = rt.mTarget;
  const got = rt.mGot;
  const room = rt.mRoom;
  fillTo(target, 0);
  fillTo(got, 0);
  fillTo(room, 0);
  // Last month's survival along each route (shared by every holding shipping on it), from step (j).
  const routeKeep = rt.routeKeep;
  // Pass 1: each holding's own share of each market's target.
  for (let h = 0; h < H; h++) {
    fillTo(w, 0);
    fillTo(surv, 0);
    for (let k = L.hrStart[h], kb = L.hrStart[h + 1]; k < kb; k++) {
      const r = hrRoute[k];
      const mj = hrMarket[k];
      const wk = share[k] * congest[r];
      w[mj] += wk;
      surv[mj] += wk * routeKeep[r];
    }
    for (let mj = 0; mj < nM; mj++) {
      const hj = h * nM + mj;
      want[hj] = 0;
      rt.mWeightH[hj] = w[mj];
      if (!(w[mj] > 0) || !(rt.delivRef[hj] > 0) || !(rt.demandRef[mj] > 0)) continue;
      const now = surv[mj] / w[mj];
      survEma[hj] = t === ctx.policyStep ? now : survEma[hj] + ctx.memory * (now - survEma[hj]);
      const survival = Math.max(survEma[hj], 1e-9);
      const deliver = (rt.delivRef[hj] * rt.demandNow[mj]) / rt.demandRef[mj];
      const cap = ctx.maxReplace * rt.shipRef[hj];
      const s = Math.min(cap, deliver / survival);
      want[hj] = s;
      target[mj] += deliver;
      got[mj] += s * survival;
      room[mj] += (cap - s) * survival;
    }
  }
  // Pass 2: holdings with headroom make up what capped ones could not deliver.
  for (let h = 0; h < H; h++) {
    for (let mj = 0; mj < nM; mj++) {
      const hj = h * nM + mj;
      const gap = target[mj] - got[mj];
      if (!(gap > 0) || !(room[mj] > 0) || !(want[hj] > 0)) continue;
      const f = Math.min(1, gap / room[mj]);
      want[hj] += f * (ctx.maxReplace * rt.shipRef[hj] - want[hj]);
    }
  }
  // Shipments within inventory, split over each market's routes by the route choice.
  for (let h = 0; h < H; h++) {
    let total = 0;
    for (let mj = 0; mj < nM; mj++) total += want[h * nM + mj];
    const available = rt.inv[h] * ctx.shipShare;
    const scale = total > available ? available / total : 1;
    let sent = 0;
    for (let k = L.hrStart[h], kb = L.hrStart[h + 1]; k < kb; k++) {
      const hj = h * nM + hrMarket[k];
      const wj = rt.mWeightH[hj];
      const x = wj > 0 ? (want[hj] * scale * share[k] * congest[hrRoute[k]]) / wj : 0;
      alloc[k] = x;
      routeAlloc[hrRoute[k]] += x;
      sent += x;
    }
    rt.shippedH[h] = sent;
  }
  planLoads(rt);
}

/** Planned load of each leg from the routes' kg (before losses); used after capacity clipping. */
function planLoads(rt: CommodityRt): void {
  const plan = rt.plan;
  const routeAlloc = rt.routeAlloc;
  fillTo(plan, 0);
  // One flat loop over the legs of the active routes, in route order (the same sums as route by route).
  const legRoute = rt.L.activeLegRoute;
  const legEdge = rt.L.activeLegEdge;
  for (let j = 0; j < legEdge.length; j++) plan[legEdge[j]] += routeAlloc[legRoute[j]];
}

/** Revise each holding's route split (step (f)); sections of the monthly step are separate
 * functions so that each compiles and optimises quickly. */
function reviewRoutes(ctx: StepContext, rt: CommodityRt): void {
  const L = rt.L;
  const m = L.m;
  const H = L.H;
  const re = rt.c.routeEdges;
  const hrStart = L.hrStart;
  const hrCost = L.hrCost;
  const perceived = rt.perceived;
  const share = rt.share;
  const mkW = rt.mk.wholesale;
  const P = share.length;
  const temperature = ctx.temperature;
  const wNorm = rt.wNorm;
  const hrEdgeA = L.hrEdgeA;
  const hrEdgeB = L.hrEdgeB;
  const hrMarket = L.hrMarket;
  for (let h = 0; h < H; h++) {
    const a = hrStart[h];
    const b = hrStart[h + 1];
    if (b === a) continue;
    const o = L.holdOrg[h];
    const rho = rt.rho[o];
    const base = o * m;
    let best = Number.NEGATIVE_INFINITY;
    for (let k = a; k < b; k++) {
      let s = 1;
      for (let j = hrEdgeA[k], je = hrEdgeB[k]; j < je; j++) s *= 1 - perceived[base + re[j]];
      const u = (mkW[hrMarket[k]] * s - hrCost[k]) / wNorm - rho * (1 - s);
      share[k] = u;
      if (u > best) best = u;
    }
    let z = 0;
    for (let k = a; k < b; k++) {
      const w = Math.exp((share[k] - best) / temperature);
      share[k] = w;
      z += w;
    }
    for (let k = a; k < b; k++) share[k] /= z;
  }
  // Share of each holding's shipments entering each leg of its route sets (for the planned loads).
  const legShare = rt.legShare;
  const hrLegSlot = L.hrLegSlot;
  fillTo(legShare, 0);
  let slot = 0;
  for (let k = 0; k < P; k++) {
    const x = share[k];
    for (let j = hrEdgeA[k], je = hrEdgeB[k]; j < je; j++) legShare[hrLegSlot[slot++]] += x;
  }
}

/**
 * `a.fill(v)` as a loop for short arrays: TypedArray.prototype.fill costs about 35 ns a call whatever
 * the length on Node 20, a loop about 1.5 ns an element, and the monthly step clears many arrays of
 * one to a few dozen elements.
 */
function fillTo(a: Float64Array, v: number): void {
  const n = a.length;
  if (n > 24) {
    a.fill(v);
    return;
  }
  for (let i = 0; i < n; i++) a[i] = v;
}

/** Step (a): detection and capacity of each leg from this month's lever intensities. */
function enforceLegs(rt: CommodityRt, t: number): void {
  const m = rt.L.m;
  const det = rt.det;
  const capMult = rt.capMult;
  const capNow = rt.capNow;
  const baseDetection = rt.c.baseDetection;
  const capPerMonth = rt.c.capacityPerMonth;
  let anyHazard = false;
  const hazardSum = rt.hazardSum;
  for (const fx of rt.detection) {
    const x = fx.intensity[t];
    if (x === 0) continue;
    if (!anyHazard) fillTo(hazardSum, 0);
    anyHazard = true;
    const edges = fx.edges;
    for (let i = 0; i < edges.length; i++) hazardSum[edges[i]] += fx.hazard * x;
  }
  if (anyHazard) {
    for (let e = 0; e < m; e++)
      det[e] = hazardSum[e] === 0 ? rt.detBase[e] : 1 - (1 - baseDetection[e]) * Math.exp(-hazardSum[e]);
    rt.detDirty = true;
  } else if (rt.detDirty) {
    det.set(rt.detBase);
    rt.detDirty = false;
  }
  let anyCut = false;
  for (const fx of rt.cuts) {
    const x = fx.intensity[t];
    if (x === 0) continue;
    if (!anyCut) fillTo(capMult, 1);
    anyCut = true;
    const keep = 1 - fx.maxCut * (1 - Math.exp(-fx.rate * x));
    const edges = fx.edges;
    for (let i = 0; i < edges.length; i++) capMult[edges[i]] *= keep;
  }
  if (anyCut) {
    for (let e = 0; e < m; e++) capNow[e] = capPerMonth[e] * capMult[e];
    rt.cutDirty = true;
  } else if (rt.cutDirty) {
    fillTo(capMult, 1);
    capNow.set(capPerMonth);
    rt.cutDirty = false;
  }
}

/** Move this month's shipments along their routes (step (j)). */
function moveShipments(ctx: StepContext, rt: CommodityRt, t: number): void {
  const c = rt.c;
  const L = rt.L;
  const rec = rt.rec;
  const re = c.routeEdges;
  const routeEdgeStart = c.routeEdgeStart;
  const activeRoutes = L.activeRoutes;
  const routeAlloc = rt.routeAlloc;
  const keep = rt.keep;
  const edgeIn = rt.edgeIn;
  const mk = rt.mk;
  const mkW = mk.wholesale;
  const legCost = L.legCost;
  const routeMarket = L.routeMarket;
  const routeProdCost = L.routeProdCost;
  const routeSurvival = rt.routeSurvival;
  const routeValue = rt.routeValue;
  const routeCost = c.routeCost;
  const cashShare = ctx.cashShare;
  fillTo(edgeIn, 0);
  const mkArrivals = mk.arrivals;
  const mkLandedNum = mk.landedNum;
  const mkLandedDen = mk.landedDen;
  fillTo(mkArrivals, 0);
  fillTo(mkLandedNum, 0);
  fillTo(mkLandedDen, 0);
  const year = (t / 12) | 0;
  const routeRow = year * L.R;
  const routeShipped = rec.routeShipped;
  const routeDelivered = rec.routeDelivered;
  // Each active route's survival this month (read by next month's market-level replacement).
  const routeKeep = rt.routeKeep;
  for (let i = 0; i < activeRoutes.length; i++) {
    const r = activeRoutes[i];
    const start = routeAlloc[r];
    // A route without shipments adds zeros to its legs; its survival is still needed.
    let x = start;
    let spent = start * routeProdCost[r];
    let survives = 1;
    for (let j = routeEdgeStart[r], je = routeEdgeStart[r + 1]; j < je; j++) {
      const e = re[j];
      edgeIn[e] += x;
      spent += x * legCost[e];
      x *= keep[e];
      survives *= keep[e];
    }
    routeKeep[r] = survives;
    if (start === 0) continue;
    const mi = routeMarket[r];
    const survival = x / start;
    routeSurvival[r] = survival;
    // Cash per kg shipped: sales of what arrives, less the cash part of the route's cost.
    routeValue[r] = survival * mkW[mi] - routeCost[r] * cashShare;
    mkArrivals[mi] += x;
    mkLandedNum[mi] += spent;
    mkLandedDen[mi] += x;
    routeShipped[routeRow + r] += start;
    routeDelivered[routeRow + r] += x;
  }
}
