/**
 * The supply side and the market, stepped monthly.
 *
 * Organisations (stylised) hold lab capacity in production regions. Each month they produce (limited
 * by lab capacity and by coca or precursor supply), ship a share of their inventory and split it over
 * their precomputed route set by a logit on expected profit net of PERCEIVED risk; perceived risk on
 * each leg is updated from their own losses with decaying memory and relaxes back to baseline on
 * legs they stop using (in the spirit of NarcoLogic, Magliocca et al., PNAS 2019). Pressure on one
 * corridor therefore displaces flow to others. Seizures are drawn around their expectation from the
 * run's `supply` stream. Labs destroyed by strikes are rebuilt at a rate funded by capital; losses
 * and payouts reduce capital.
 *
 * Markets: retail and wholesale prices from the cost of replacing product plus risk compensation
 * added to the reference price (the additive model of Caulkins & Reuter, J. Drug Issues 1998),
 * times a scarcity factor that clears the market when supply falls short of demand at that price
 * (constant-elasticity demand). Purity falls when supply is short. From `policyStart` the US market
 * drives the street-supply interface, normalised to the last historical month so that with no
 * policy the projection continues the history smoothly; before it, the historical series drives and
 * the market runs alongside.
 *
 * Mass balance holds every month by construction and is checked by a test:
 * produced = seized + destroyed + consumed + change in inventories (labs and distribution stocks).
 */

import { normal } from '../../core/distributions.js';
import type { TimeAxis } from '../../core/time.js';
import { parseMonth } from '../../core/time.js';
import { type Module, type SimState, STREET } from '../../engine/state.js';
import type { Scenario } from '../../scenario/schema.js';
import type { Params } from '../params.js';
import { monthlyFromYearly } from '../series.js';
import { createStreetSupplyModule } from '../street-supply.js';
import { type LeverEffect, SUPPLY_LEVERS } from './data.js';
import type { CompiledCommodity, CompiledSupply } from './network.js';

/** Method settings (not model inputs). */
export const DEFAULTS = {
  /** Bounds on the supply/demand ratio used in the scarcity factor (keeps prices finite). */
  ratioLow: 0.25,
  ratioHigh: 4,
  /** Share of a corridor's flow below which it counts as inactive (route dispersion). */
  activeCorridorShare: 0.05,
  /** Fentanyl capacity grows only while labs run at least this share of capacity. */
  utilisationForGrowth: 0.9,
} as const;

/** Options of the supply module. */
export interface SupplyOptions {
  stochastic: boolean;
}

/** Monthly records of one commodity (one value per month, typed arrays). */
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
  /** Flow entering each documented maritime corridor (cocaine); by corridor label index. */
  documentedIn: Float64Array;
  documentedRemoved: Float64Array;
  easternPacificIn: Float64Array;
  caribbeanIn: Float64Array;
  /** Shannon entropy (nats) of US-bound flow over corridors, and corridors carrying >= 5%. */
  corridorEntropy: Float64Array;
  activeCorridors: Float64Array;
  labCapacity: Float64Array;
  capacityDestroyed: Float64Array;
  capacityRebuilt: Float64Array;
  /** US-bound flow by corridor label (row-major: month x corridor). */
  corridorFlow: Float64Array;
  /** Shipped and delivered by route (row-major: month x route). */
  routeShipped: Float64Array;
  routeDelivered: Float64Array;
  /** Flow entering and seized on each leg (row-major: month x edge). */
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

interface MarketRt {
  node: number;
  wRef: number;
  rRef: number;
  q0: number;
  eps: number;
  growth: number;
  refYear: number;
  purityRef: number;
  stock: number;
  wholesale: number;
  retail: number;
  purity: number;
  premium: number;
  landedEma: number;
  landedRef: number;
  hasRef: boolean;
  arrivals: number;
  landedNum: number;
  landedDen: number;
}

interface CommodityRt {
  c: CompiledCommodity;
  rec: CommodityRecords;
  det: Float64Array;
  hazardSum: Float64Array;
  capMult: Float64Array;
  loss: Float64Array;
  strikeLoss: Float64Array;
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
  /** Flattened (holding, route) pairs. */
  hrRoute: Int32Array;
  hrHolding: Int32Array;
  hrOrg: Int32Array;
  /** Organisations with holdings in this commodity. */
  orgsHere: number[];
  hrStart: Int32Array;
  alloc: Float64Array;
  util: Float64Array;
  input: (Float64Array | null)[];
  markets: MarketRt[];
  marketOf: Int32Array;
  us: MarketRt;
  wNorm: number;
  capex: number;
  detection: DetectionFx[];
  cuts: CutFx[];
  seaStrikes: StrikeSeaFx[];
  landStrikes: StrikeLandFx[];
  corridorTmp: Float64Array;
  consEma: number;
  priceEma: number;
  purityEma: number;
  refCons: number;
  refPrice: number;
  refPurity: number;
}

/** What the monthly step of one commodity reads besides its own runtime (one per run). */
interface StepContext {
  axis: TimeAxis;
  scenario: Scenario;
  strikeCounted: Set<string>;
  events: EventRecords;
  sovereigntyRow: (s: string) => Float64Array;
  headroom: number;
  growth: number;
  hurdle: number;
  rebuildRate: number;
  budget: Float64Array;
  capital: Float64Array;
  shipShare: number;
  riskAversion: number;
  tolerance: Float64Array;
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
  thetaPurity: number;
}

function emptyRecords(steps: number, corridors: number, routes: number, edges: number): CommodityRecords {
  const f = () => new Float64Array(steps);
  return {
    produced: f(),
    seized: f(),
    destroyed: f(),
    consumed: f(),
    inventory: f(),
    flowUs: f(),
    consumedUs: f(),
    seizedUsBorder: f(),
    retailUs: f(),
    wholesaleUs: f(),
    purityUs: f(),
    documentedIn: f(),
    documentedRemoved: f(),
    easternPacificIn: f(),
    caribbeanIn: f(),
    corridorEntropy: f(),
    activeCorridors: f(),
    labCapacity: f(),
    capacityDestroyed: f(),
    capacityRebuilt: f(),
    corridorFlow: new Float64Array(steps * Math.max(1, corridors)),
    routeShipped: new Float64Array(steps * routes),
    routeDelivered: new Float64Array(steps * routes),
    edgeFlow: new Float64Array(steps * edges),
    edgeSeized: new Float64Array(steps * edges),
  };
}

function selectEdges(c: CompiledCommodity, field: string, value: string, maritimeOnly: boolean): Int32Array {
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

/** Create the supply, market and street-supply modules (step order: supply -> market -> street). */
export function createSupplyModules(
  axis: TimeAxis,
  scenario: Scenario,
  params: Params,
  compiled: CompiledSupply,
  channels: Map<string, Float64Array>,
  options: SupplyOptions,
): { modules: Module[]; state: SupplyState } {
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
  const saturation = g('health.fentanylSaturation');
  const stimShare = g('health.stimulantFentanylContamination');

  const orgs = compiled.organisations;
  const capital = Float64Array.from(orgs.map((o) => o.capitalUsd));
  const budget = new Float64Array(orgs.length);
  const tolerance = Float64Array.from(orgs.map((o) => o.riskTolerance));

  const events: EventRecords = {
    strikesAtSea: new Float64Array(steps),
    strikesOnLand: new Float64Array(steps),
    deathsAboard: new Float64Array(steps),
    leadershipLosses: new Float64Array(steps),
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
    const m = c.net.edges.length;
    const H = c.holdings.length;
    const hrStart = new Int32Array(H + 1);
    c.holdings.forEach((h, i) => {
      hrStart[i + 1] = hrStart[i] + h.routes.length;
    });
    const hrRoute = new Int32Array(hrStart[H]);
    const hrHolding = new Int32Array(hrStart[H]);
    c.holdings.forEach((h, i) => {
      hrRoute.set(h.routes, hrStart[i]);
      hrHolding.fill(i, hrStart[i], hrStart[i + 1]);
    });
    const input = c.net.nodes.map((node) => {
      if (node.input?.kind !== 'cultivation') return null;
      const area = monthlyFromYearly(axis, node.input.areaHa);
      const yieldKg = monthlyFromYearly(axis, node.input.yieldKgPerHa);
      const out = new Float64Array(steps);
      for (let t = 0; t < steps; t++) out[t] = (area[t] * yieldKg[t]) / 12;
      return out;
    });
    const markets: MarketRt[] = c.markets.map((node) => {
      const spec = c.net.nodes[node].market!;
      return {
        node,
        wRef: spec.wholesaleUsdPerKg,
        rRef: spec.retailUsdPerKg,
        q0: spec.demandKgPerYear / 12,
        eps: g(spec.elasticityParameter),
        growth: g(spec.demandGrowthParameter),
        refYear: spec.referenceYear,
        purityRef: spec.purity,
        stock: 0,
        wholesale: spec.wholesaleUsdPerKg,
        retail: spec.retailUsdPerKg,
        purity: spec.purity,
        premium: 1,
        landedEma: 0,
        landedRef: 0,
        hasRef: false,
        arrivals: 0,
        landedNum: 0,
        landedDen: 0,
      };
    });
    const marketOf = new Int32Array(c.net.nodes.length).fill(-1);
    markets.forEach((mk, i) => {
      marketOf[mk.node] = i;
    });
    const us = markets[marketOf[c.usMarket]];
    const shipKg = new Float64Array(m);
    const kgLand = g(
      c.commodity === 'cocaine' ? 'supply.kgPerLandShipmentCocaine' : 'supply.kgPerLandShipmentFentanyl',
    );
    c.net.edges.forEach((e, i) => {
      shipKg[i] = e.mode === 'maritime' ? kgSea : kgLand;
    });
    const perceived = new Float64Array(orgs.length * m);
    for (let o = 0; o < orgs.length; o++) perceived.set(c.baseDetection, o * m);
    const rt: CommodityRt = {
      c,
      rec: emptyRecords(steps, c.corridors.length, c.routes.length, m),
      det: new Float64Array(m),
      hazardSum: new Float64Array(m),
      capMult: new Float64Array(m),
      loss: new Float64Array(m),
      strikeLoss: new Float64Array(m),
      plan: new Float64Array(m),
      edgeIn: new Float64Array(m),
      shipKg,
      perceived,
      used: new Uint8Array(orgs.length * m),
      cap: Float64Array.from(c.holdings.map((h) => h.capacity)),
      target: Float64Array.from(c.holdings.map((h) => h.capacity)),
      inv: Float64Array.from(c.holdings.map((h) => h.inventory)),
      outstanding: new Float64Array(H),
      prodThisMonth: new Float64Array(H),
      hrRoute,
      hrHolding,
      hrOrg: Int32Array.from(hrHolding, (h) => c.holdings[h].org),
      orgsHere: [...new Set(c.holdings.map((h) => h.org))],
      hrStart,
      alloc: new Float64Array(hrRoute.length),
      util: new Float64Array(hrRoute.length),
      input,
      markets,
      marketOf,
      us,
      wNorm: us.wRef,
      capex: g(
        c.commodity === 'cocaine'
          ? 'supply.cocaineLabCapexUsdPerKgYear'
          : 'supply.fentanylLabCapexUsdPerKgYear',
      ),
      detection: [],
      cuts: [],
      seaStrikes: [],
      landStrikes: [],
      corridorTmp: new Float64Array(Math.max(1, c.corridors.length)),
      consEma: 0,
      priceEma: 0,
      purityEma: 0,
      refCons: 1,
      refPrice: 1,
      refPurity: 1,
    };
    return rt;
  });

  // Each supply lever declares its effect; compile every (lever, target) whose channel is used.
  for (const def of SUPPLY_LEVERS) {
    const targets = def.targets ?? [''];
    for (const target of targets) {
      const intensity = channels.get(def.channel.replace('{target}', target));
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
  }
  // A country's strikes are counted once even when both commodities have holdings there.
  const strikeCounted = new Set<string>();

  const ctx: StepContext = {
    axis,
    scenario,
    strikeCounted,
    events,
    sovereigntyRow,
    headroom,
    growth,
    hurdle,
    rebuildRate,
    budget,
    capital,
    shipShare,
    riskAversion,
    tolerance,
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
    thetaPurity,
  };
  const supplyModule: Module = {
    id: 'supply',
    step(sim: SimState) {
      const t = sim.t;
      const stream = sim.streams.supply;
      strikeCounted.clear();
      for (let o = 0; o < orgs.length; o++) budget[o] = capital[o] * investShare;
      for (const rt of rts) stepCommodity(ctx, rt, t, stream);
      for (let o = 0; o < orgs.length; o++) capital[o] *= 1 - payout;
    },
  };

  // The street interface: history before policyStart, the US market (normalised) from then on.
  const history = createStreetSupplyModule(axis, scenario, params);
  const policyStep = Math.min(steps - 1, Math.max(0, parseMonth(scenario.policyStart) - axis.start));
  const refStep = Math.max(0, policyStep - 1);
  const histRef = { fentanyl: new Float64Array(3), cocaine: new Float64Array(3) };
  const fenRt = rts.find((r) => r.c.commodity === 'fentanyl')!;
  const cocRt = rts.find((r) => r.c.commodity === 'cocaine')!;
  const streetModule: Module = {
    id: 'street-supply',
    step(sim: SimState) {
      const t = sim.t;
      if (t < policyStep || policyStep === 0) {
        history.step(sim);
        if (t === refStep || policyStep === 0) {
          for (const [name, rt] of [
            ['fentanyl', fenRt],
            ['cocaine', cocRt],
          ] as const) {
            const s = sim.street[name];
            histRef[name][0] = s[STREET.availability];
            histRef[name][1] = s[STREET.priceIndex];
            histRef[name][2] = s[STREET.potency];
            rt.refCons = rt.consEma > 0 ? rt.consEma : 1;
            rt.refPrice = rt.priceEma > 0 ? rt.priceEma : 1;
            rt.refPurity = rt.purityEma > 0 ? rt.purityEma : 1;
          }
        }
        if (policyStep > 0) return;
      }
      let fenAvail = 0;
      for (const [name, rt] of [
        ['fentanyl', fenRt],
        ['cocaine', cocRt],
      ] as const) {
        const s = sim.street[name];
        const ref = histRef[name];
        s[STREET.availability] = (ref[0] * rt.consEma) / rt.refCons;
        s[STREET.priceIndex] = (ref[1] * rt.priceEma) / rt.refPrice;
        s[STREET.potency] = Math.min(1, (ref[2] * rt.purityEma) / rt.refPurity);
        if (name === 'fentanyl') fenAvail = s[STREET.availability];
      }
      // Same saturating map as the historical driver, so the hand-over is continuous.
      const a = 1 - Math.exp(-saturation * fenAvail);
      sim.street.fentanyl[STREET.fentanylAdulteration] = a;
      sim.street.cocaine[STREET.fentanylAdulteration] = stimShare * a;
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
  return { modules: [supplyModule, streetModule], state };
}

function stepCommodity(
  ctx: StepContext,
  rt: CommodityRt,
  t: number,
  stream: SimState['streams'][string],
): void {
  const {
    axis,
    scenario,
    strikeCounted,
    events,
    sovereigntyRow,
    headroom,
    growth,
    hurdle,
    rebuildRate,
    budget,
    capital,
    shipShare,
    riskAversion,
    tolerance,
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
    thetaPurity,
  } = ctx;
  const c = rt.c;
  const rec = rt.rec;
  const res = c.routeEdgeStart;
  const re = c.routeEdges;
  const hrRoute = rt.hrRoute;
  const perceived = rt.perceived;
  const m = c.net.edges.length;
  const H = c.holdings.length;
  const det = rt.det;
  // Exogenous drivers (demand growth) are held flat after the last data year, like the history.
  const yearFrac = Math.min(axis.firstYear + t / 12, scenario.lastDataYear + 1);

  // (a) Enforcement on legs: detection with diminishing returns, capacity cuts.
  rt.hazardSum.fill(0);
  rt.capMult.fill(1);
  for (const fx of rt.detection) {
    const x = fx.intensity[t];
    if (x === 0) continue;
    for (const e of fx.edges) rt.hazardSum[e] += fx.hazard * x;
  }
  for (let e = 0; e < m; e++) det[e] = 1 - (1 - c.baseDetection[e]) * Math.exp(-rt.hazardSum[e]);
  for (const fx of rt.cuts) {
    const x = fx.intensity[t];
    if (x === 0) continue;
    const keep = 1 - fx.maxCut * (1 - Math.exp(-fx.rate * x));
    for (const e of fx.edges) rt.capMult[e] *= keep;
  }

  // (b) Strikes on production capacity (country level).
  let destroyed = 0;
  let capDestroyed = 0;
  for (const fx of rt.landStrikes) {
    const s = fx.intensity[t] / 12;
    if (s === 0) continue;
    if (!strikeCounted.has(fx.country)) {
      strikeCounted.add(fx.country);
      events.strikesOnLand[t] += s;
      sovereigntyRow(fx.country)[t] += s;
      events.leadershipLosses[t] += s * fx.leadership;
    }
    let k = 0;
    for (const h of fx.holdings) k += rt.cap[h];
    if (k <= 0) continue;
    const frac = 1 - Math.exp((-s * fx.perStrike) / k);
    for (const h of fx.holdings) {
      const lost = rt.cap[h] * frac;
      rt.cap[h] -= lost;
      rt.outstanding[h] += lost;
      capDestroyed += lost;
      const invLost = rt.inv[h] * frac;
      rt.inv[h] -= invLost;
      destroyed += invLost;
    }
  }

  // (c, d) Production: lab capacity vs coca or precursor supply.
  let produced = 0;
  const usPremium = rt.us.premium;
  for (let h = 0; h < H; h++) {
    const hold = c.holdings[h];
    const node = hold.node;
    const cult = rt.input[node];
    let input: number;
    if (cult) input = cult[t] * hold.nodeShare;
    else {
      let pre = 0;
      for (const e of c.precursorIn[node]) pre += c.capacityPerMonth[e] * rt.capMult[e] * (1 - det[e]);
      input = pre * hold.nodeShare;
    }
    const p = Math.min(rt.cap[h] / 12, input);
    rt.prodThisMonth[h] = p;
    rt.inv[h] += p;
    produced += p;
    // (e) Capacity: cocaine labs follow the coca supply; fentanyl labs grow while the market pays a
    // premium and labs are busy. Rebuilding and building are funded by capital.
    if (cult) rt.target[h] = headroom * input * 12;
    else if (usPremium > 1 + hurdle && p >= DEFAULTS.utilisationForGrowth * (rt.cap[h] / 12))
      rt.target[h] *= Math.exp(growth / 12);
    const gap = rt.target[h] - rt.cap[h];
    if (gap > 0) {
      const o = hold.org;
      const build = Math.min(gap * rebuildRate, budget[o] / rt.capex);
      if (build > 0) {
        rt.cap[h] += build;
        budget[o] -= build * rt.capex;
        capital[o] -= build * rt.capex;
        const rebuilt = Math.min(build, rt.outstanding[h]);
        rt.outstanding[h] -= rebuilt;
        rec.capacityRebuilt[t] += rebuilt;
      }
    }
  }

  // (f, g) Shipments split over each holding's route set: logit on expected profit vs perceived risk.
  const alloc = rt.alloc;
  const util = rt.util;
  for (let h = 0; h < H; h++) {
    const o = c.holdings[h].org;
    const ship = rt.inv[h] * shipShare;
    const a = rt.hrStart[h];
    const b = rt.hrStart[h + 1];
    if (b === a) continue;
    const rho = riskAversion * (1 - tolerance[o]);
    const base = o * m;
    let best = Number.NEGATIVE_INFINITY;
    for (let k = a; k < b; k++) {
      const ri = hrRoute[k];
      let s = 1;
      for (let j = res[ri], je = res[ri + 1]; j < je; j++) s *= 1 - perceived[base + re[j]];
      const w = rt.markets[rt.marketOf[c.routeMarket[ri]]].wholesale;
      const u = (w * s - c.routeCost[ri]) / rt.wNorm - rho * (1 - s);
      util[k] = u;
      if (u > best) best = u;
    }
    let z = 0;
    for (let k = a; k < b; k++) {
      const w = Math.exp((util[k] - best) / temperature);
      util[k] = w;
      z += w;
    }
    for (let k = a; k < b; k++) alloc[k] = (ship * util[k]) / z;
  }

  // (h) Leg capacities: scale down routes through saturated legs; the rest stays in inventory.
  const plan = rt.plan;
  plan.fill(0);
  for (let k = 0; k < alloc.length; k++) {
    const x = alloc[k];
    if (x === 0) continue;
    const ri = hrRoute[k];
    for (let j = res[ri], je = res[ri + 1]; j < je; j++) plan[re[j]] += x;
  }
  let clipped = false;
  for (let e = 0; e < m; e++) if (plan[e] > c.capacityPerMonth[e] * rt.capMult[e]) clipped = true;
  if (clipped) {
    for (let k = 0; k < alloc.length; k++) {
      let f = 1;
      const ri = hrRoute[k];
      for (let j = res[ri], je = res[ri + 1]; j < je; j++) {
        const e = re[j];
        const capE = c.capacityPerMonth[e] * rt.capMult[e];
        if (plan[e] > capE) f = Math.min(f, capE / plan[e]);
      }
      alloc[k] *= f;
    }
    plan.fill(0);
    for (let k = 0; k < alloc.length; k++) {
      const x = alloc[k];
      if (x === 0) continue;
      const ri = hrRoute[k];
      for (let j = res[ri], je = res[ri + 1]; j < je; j++) plan[re[j]] += x;
    }
  }
  for (let k = 0; k < alloc.length; k++) rt.inv[rt.hrHolding[k]] -= alloc[k];

  // (i) Realised seizure share per leg (one draw per transport leg every month, so random numbers
  // stay aligned across policies), and cargo destroyed by strikes at sea.
  const loss = rt.loss;
  const strikeLoss = rt.strikeLoss;
  strikeLoss.fill(0);
  for (let e = 0; e < m; e++) {
    if (c.isPrecursor[e]) continue;
    const p = det[e];
    const z = options.stochastic ? normal(stream) : 0;
    const n = Math.max(1, plan[e] / rt.shipKg[e]);
    const f = p + z * Math.sqrt((p * (1 - p)) / n);
    loss[e] = f < 0 ? 0 : Math.min(f, 1);
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
      strikeLoss[e] = 1 - Math.exp((-se * cargo) / plan[e]);
      const struck = Math.min(se, plan[e] / kgSea);
      events.strikesAtSea[t] += struck;
      events.deathsAboard[t] += struck * deathsPerVessel;
      sovereigntyRow(c.edgeSovereignty[e])[t] += struck;
    }
  }

  // (j) Move the shipments along their routes.
  let seized = 0;
  const edgeIn = rt.edgeIn;
  edgeIn.fill(0);
  rt.used.fill(0);
  for (const mk of rt.markets) {
    mk.arrivals = 0;
    mk.landedNum = 0;
    mk.landedDen = 0;
  }
  let seizedBorder = 0;
  let docRemoved = 0;
  const corr = rt.corridorTmp;
  corr.fill(0);
  for (let k = 0; k < alloc.length; k++) {
    const start = alloc[k];
    if (start === 0) continue;
    const route = hrRoute[k];
    const o = rt.hrOrg[k];
    let x = start;
    for (let j = res[route], je = res[route + 1]; j < je; j++) {
      const e = re[j];
      edgeIn[e] += x;
      rt.used[o * m + e] = 1;
      const se = x * loss[e];
      x -= se;
      const de = x * strikeLoss[e];
      x -= de;
      seized += se;
      destroyed += de;
      if (c.isBorder[e]) seizedBorder += se;
      if (c.isDocumented[e]) docRemoved += se + de;
    }
    const mk = rt.markets[rt.marketOf[c.routeMarket[route]]];
    const cost = c.routeCost[route];
    const ri = t * c.routes.length + route;
    rec.routeShipped[ri] += start;
    rec.routeDelivered[ri] += x;
    mk.arrivals += x;
    mk.landedNum += start * cost;
    mk.landedDen += x;
    capital[o] += x * mk.wholesale - start * cost * cashShare;
    const ci = c.routeCorridor[route];
    if (ci >= 0) corr[ci] += start;
  }

  // (k) Learning: perceived risk from own losses, with memory; unused legs relax to baseline.
  for (const o of rt.orgsHere) {
    const base = o * m;
    for (let e = 0; e < m; e++) {
      const q = rt.perceived[base + e];
      if (rt.used[base + e]) {
        const observed = loss[e] + deterrence * (1 - loss[e]) * strikeLoss[e];
        rt.perceived[base + e] = q + memory * (Math.min(1, observed) - q);
      } else rt.perceived[base + e] = q + forgetting * (c.baseDetection[e] - q);
    }
  }

  // (m) Markets: stocks, cost-based prices plus risk compensation, scarcity, purity.
  let consumed = 0;
  let stocks = 0;
  for (const mk of rt.markets) {
    mk.stock += mk.arrivals;
    const x = mk.stock * turnover;
    mk.stock -= x;
    consumed += x;
    stocks += mk.stock;
    if (mk.landedDen > 0) {
      const landed = mk.landedNum / mk.landedDen;
      if (!mk.hasRef) {
        mk.landedRef = landed;
        mk.landedEma = landed;
        mk.hasRef = true;
      } else mk.landedEma += smoothing * (landed - mk.landedEma);
    }
    const wCost = Math.max(0.2 * mk.wRef, mk.wRef + kappa * (mk.landedEma - mk.landedRef));
    const rCost = mk.rRef + (wCost - mk.wRef);
    const demand = mk.q0 * (1 + mk.growth) ** (yearFrac - mk.refYear) * (rCost / mk.rRef) ** mk.eps;
    let ratio = demand > 0 ? x / demand : DEFAULTS.ratioHigh;
    ratio = ratio < DEFAULTS.ratioLow ? DEFAULTS.ratioLow : Math.min(ratio, DEFAULTS.ratioHigh);
    const mu = ratio ** (1 / mk.eps);
    mk.premium = mu;
    mk.wholesale = wCost * mu;
    mk.retail = rCost * mu;
    mk.purity = Math.min(1, mk.purityRef * ratio ** thetaPurity);
    if (mk === rt.us) {
      rec.flowUs[t] = mk.arrivals;
      rec.consumedUs[t] = x;
      rec.retailUs[t] = mk.retail;
      rec.wholesaleUs[t] = mk.wholesale;
      rec.purityUs[t] = mk.purity;
      if (t === 0) {
        rt.consEma = x;
        rt.priceEma = mk.retail;
        rt.purityEma = mk.purity;
      } else {
        rt.consEma += smoothing * (x - rt.consEma);
        rt.priceEma += smoothing * (mk.retail - rt.priceEma);
        rt.purityEma += smoothing * (mk.purity - rt.purityEma);
      }
    }
  }

  // (n) Records.
  let inventory = stocks;
  let labCap = 0;
  for (let h = 0; h < H; h++) {
    inventory += rt.inv[h];
    labCap += rt.cap[h];
  }
  rec.produced[t] = produced;
  rec.seized[t] = seized;
  rec.destroyed[t] = destroyed;
  rec.consumed[t] = consumed;
  rec.inventory[t] = inventory;
  rec.seizedUsBorder[t] = seizedBorder;
  rec.labCapacity[t] = labCap;
  rec.capacityDestroyed[t] = capDestroyed;
  let docIn = 0;
  let ep = 0;
  let cb = 0;
  for (let e = 0; e < m; e++) {
    if (!c.entersDocumented[e]) continue;
    docIn += edgeIn[e];
    const code = c.maritimeCorridorCode[e];
    if (code === 1) ep += edgeIn[e];
    else if (code === 2) cb += edgeIn[e];
  }
  for (let e = 0; e < m; e++) {
    rec.edgeFlow[t * m + e] = edgeIn[e];
    rec.edgeSeized[t * m + e] = edgeIn[e] * loss[e];
  }
  rec.documentedIn[t] = docIn;
  rec.documentedRemoved[t] = docRemoved;
  rec.easternPacificIn[t] = ep;
  rec.caribbeanIn[t] = cb;
  let total = 0;
  for (let i = 0; i < corr.length; i++) total += corr[i];
  let entropy = 0;
  let active = 0;
  const nc = c.corridors.length;
  for (let i = 0; i < nc; i++) {
    rec.corridorFlow[t * nc + i] = corr[i];
    if (total <= 0) continue;
    const s = corr[i] / total;
    if (s > 0) entropy -= s * Math.log(s);
    if (s >= DEFAULTS.activeCorridorShare) active++;
  }
  rec.corridorEntropy[t] = entropy;
  rec.activeCorridors[t] = active;
}
