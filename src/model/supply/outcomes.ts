/**
 * Supply-side outcomes: annual aggregates of the monthly records (flow reaching the US, seizures,
 * labs destroyed and rebuilt, prices, route dispersion, strikes for the risk module) and whole-run
 * summaries (months until flow rebounds, mass-balance residual).
 */

import type { TimeAxis } from '../../core/time.js';
import { SUPPLY_COMMODITIES, type SupplyCommodity } from '../../spec/supply.js';
import type { OutcomeContext, OutcomeDef, OutcomeRead, OutcomeSpec } from '../outcomes.js';
import type { SimState } from '../state.js';
import { type CommodityRecords, DEFAULTS, type EventRecords, type SupplyState } from './module.js';
import type { CompiledCommodity, CompiledSupply } from './network.js';
import { STRIKE_SETTINGS, type StrikeSetting } from './strike-settings.js';

/** Share of the pre-policy flow that counts as a rebound. */
export const REBOUND_SHARE = 0.9;

/** Annual supply outcomes of one commodity. */
export interface CommodityYear {
  /** Reaching the US market, kg (cocaine: pure; fentanyl: gross product). */
  flowUsKg: number;
  flowUsPureKg: number;
  producedKg: number;
  /** Seized anywhere in the network, kg. */
  seizedKg: number;
  /** Seized crossing the US border (ports of entry, between ports, maritime arrival), kg. */
  seizedUsBorderKg: number;
  /** Destroyed by strikes (cargo at sea, stocks at labs), kg. */
  destroyedKg: number;
  consumedUsKg: number;
  /** Lab capacity, December, kg a year. */
  labCapacityKgPerYear: number;
  labCapacityDestroyedKgPerYear: number;
  labCapacityRebuiltKgPerYear: number;
  /** Mean US retail and wholesale price over the year, USD per kg (traded form). */
  retailPriceUsdPerKg: number;
  wholesalePriceUsdPerKg: number;
  purity: number;
  /** Route dispersion of US-bound flow: entropy (nats) over corridors and corridors carrying >= 5%. */
  corridorEntropy: number;
  activeCorridors: number;
  /** US-bound flow by corridor, kg shipped. */
  byCorridor: Record<string, number>;
}

/** Annual supply outcomes. */
export interface SupplyYear {
  cocaine: CommodityYear & {
    easternPacificShare: number;
    maritimeRemovalRate: number;
    /** Cocaine entering Venezuela (the border crossing and legs into Venezuelan nodes), kg a year. */
    throughVenezuelaKg: number;
    /** Shares of US-bound flow shipped on the Eastern Pacific and Caribbean corridors. */
    usBoundEasternPacificShare: number;
    usBoundCaribbeanShare: number;
    /** Shipped to the European market, all routes; and on routes straight across the Atlantic. */
    europeBoundShippedKg: number;
    europeBoundDirectAtlanticKg: number;
  };
  fentanyl: CommodityYear;
  strikes: {
    atSea: number;
    onLand: number;
    bySovereignty: Record<string, number>;
    bySetting: Record<StrikeSetting, number>;
  };
  deathsAboardStruckVessels: number;
  leadershipLosses: number;
}

function sum(a: Float64Array, from: number, to: number): number {
  let s = 0;
  for (let t = from; t <= to; t++) s += a[t];
  return s;
}

const supplyOf = (sim: SimState): SupplyState => sim.modules.supply as SupplyState;

/** Route dispersion of the year's US-bound flow: entropy (nats) over corridors, corridors with >= 5%. */
function dispersion(r: CommodityRecords, nCorridors: number, t: number): { entropy: number; active: number } {
  // Flows by corridor are recorded by year (row = year index of the year's last month).
  const row = ((t / 12) | 0) * nCorridors;
  let total = 0;
  for (let i = 0; i < nCorridors; i++) {
    const v = r.corridorFlow[row + i];
    if (v > 0 && Number.isFinite(v)) total += v;
  }
  let entropy = 0;
  let active = 0;
  if (total > 0) {
    for (let i = 0; i < nCorridors; i++) {
      const v = r.corridorFlow[row + i];
      if (!(v > 0 && Number.isFinite(v))) continue;
      const s = v / total;
      entropy -= s * Math.log(s);
      if (s >= DEFAULTS.activeCorridorShare) active++;
    }
  }
  return { entropy, active };
}

type Series = Exclude<
  keyof CommodityRecords,
  'corridorFlow' | 'routeShipped' | 'routeDelivered' | 'edgeFlow' | 'edgeSeized'
>;

/** A year's sum (or mean) of one monthly record series. */
/**
 * A year reader of one monthly record array, bound once per run (the array is found by name when the
 * run starts, not every December).
 */
function yearOf(commodity: SupplyCommodity, series: Series, scale: 'sum' | 'mean' = 'sum'): OutcomeRead {
  const arrayOf = (sim: SimState) => supplyOf(sim).records[commodity][series];
  return {
    aggregate: 'year',
    value: (sim, t) => {
      const v = sum(arrayOf(sim), t - 11, t);
      return scale === 'mean' ? v / 12 : v;
    },
    bind: (sim) => {
      const a = arrayOf(sim);
      return scale === 'mean' ? (t) => sum(a, t - 11, t) / 12 : (t) => sum(a, t - 11, t);
    },
  };
}

function commodityOutcomes(commodity: SupplyCommodity): OutcomeSpec[] {
  const p = `supply.${commodity}`;
  const kg = commodity === 'cocaine' ? 'kg pure' : 'kg gross product';
  const spec = (
    field: string,
    label: string,
    unit: string,
    read: OutcomeDef['read'],
    direction: OutcomeDef['direction'] = 'info',
  ): OutcomeDef => ({ path: `${p}.${field}`, label: `${commodity}: ${label}`, unit, direction, read });
  return [
    spec('flowUsKg', 'reaching the US market', `${kg} a year`, yearOf(commodity, 'flowUs')),
    // Cocaine quantities are already pure (UNODC 100%-pure basis); fentanyl is gross product.
    spec('flowUsPureKg', 'reaching the US market, pure', 'kg pure a year', (ctx) => {
      const purity = commodity === 'cocaine' ? 1 : ctx.param('supply.fentanylPurity');
      return {
        aggregate: 'year',
        value: (sim, t) => sum(supplyOf(sim).records[commodity].flowUs, t - 11, t) * purity,
      };
    }),
    spec('producedKg', 'produced', `${kg} a year`, yearOf(commodity, 'produced')),
    spec('seizedKg', 'seized anywhere in the network', `${kg} a year`, yearOf(commodity, 'seized')),
    spec(
      'seizedUsBorderKg',
      'seized crossing the US border (ports of entry, between ports, maritime arrival)',
      `${kg} a year`,
      yearOf(commodity, 'seizedUsBorder'),
    ),
    spec(
      'destroyedKg',
      'destroyed by strikes (cargo at sea, stocks at labs)',
      `${kg} a year`,
      yearOf(commodity, 'destroyed'),
    ),
    spec('consumedUsKg', 'consumed in the US', `${kg} a year`, yearOf(commodity, 'consumedUs')),
    spec('labCapacityKgPerYear', 'lab capacity in December', 'kg a year', {
      aggregate: 'year',
      value: (sim, t) => supplyOf(sim).records[commodity].labCapacity[t],
    }),
    spec(
      'labCapacityDestroyedKgPerYear',
      'lab capacity destroyed by strikes',
      'kg a year of capacity',
      yearOf(commodity, 'capacityDestroyed'),
    ),
    spec(
      'labCapacityRebuiltKgPerYear',
      'lab capacity rebuilt',
      'kg a year of capacity',
      yearOf(commodity, 'capacityRebuilt'),
    ),
    spec(
      'retailPriceUsdPerKg',
      'US retail price, mean over the year',
      'USD 2024 per kg (traded form)',
      yearOf(commodity, 'retailUs', 'mean'),
    ),
    spec(
      'wholesalePriceUsdPerKg',
      'US wholesale price, mean over the year',
      'USD 2024 per kg (traded form)',
      yearOf(commodity, 'wholesaleUs', 'mean'),
    ),
    spec('purity', 'US retail purity, mean over the year', 'share', yearOf(commodity, 'purityUs', 'mean')),
    spec('corridorEntropy', 'route dispersion of US-bound flow (entropy over corridors)', 'nats', {
      aggregate: 'year',
      value: (sim, t) => {
        const s = supplyOf(sim);
        return dispersion(s.records[commodity], s.corridors[commodity].length, t).entropy;
      },
    }),
    spec('activeCorridors', 'corridors carrying at least 5% of US-bound flow', 'corridors', {
      aggregate: 'year',
      value: (sim, t) => {
        const s = supplyOf(sim);
        return dispersion(s.records[commodity], s.corridors[commodity].length, t).active;
      },
    }),
    {
      path: `${p}.byCorridor.{key}`,
      label: `${commodity}: US-bound flow shipped on the corridor`,
      unit: `${kg} a year`,
      direction: 'info',
      keys: (ctx) => corridorsOf(ctx, commodity),
      read: (_key, i) => ({
        aggregate: 'year' as const,
        value: (sim, t) => {
          const s = supplyOf(sim);
          const n = s.corridors[commodity].length;
          return s.records[commodity].corridorFlow[((t / 12) | 0) * n + i];
        },
      }),
    },
  ];
}

function compiledOf(ctx: OutcomeContext): CompiledSupply {
  return ctx.supply as CompiledSupply;
}

function corridorsOf(ctx: OutcomeContext, commodity: SupplyCommodity): string[] {
  return compiledOf(ctx).commodities.find((c) => c.commodity === commodity)?.corridors ?? [];
}

/** Every sovereignty a strike can fall under: the legs' sovereignties and the nodes' countries. */
function sovereigntiesOf(ctx: OutcomeContext): string[] {
  const out = new Set<string>();
  for (const c of compiledOf(ctx).commodities) {
    for (const e of c.net.edges) out.add(e.sovereignty);
    for (const n of c.net.nodes) out.add(n.country);
  }
  return [...out];
}

const events = (sim: SimState): EventRecords => supplyOf(sim).events;
const eventYear = (
  key: 'strikesAtSea' | 'strikesOnLand' | 'deathsAboard' | 'leadershipLosses',
): OutcomeRead => ({
  aggregate: 'year',
  value: (sim, t) => sum(events(sim)[key], t - 11, t),
  bind: (sim) => {
    const a = events(sim)[key];
    return (t) => sum(a, t - 11, t);
  },
});

/** The supply side's outcomes, in the annual record's order (flow and seizures, then the detail). */
export const SUPPLY_OUTCOMES: readonly OutcomeSpec[] = [
  ...SUPPLY_COMMODITIES.map(
    (c): OutcomeSpec => ({
      path: `flow.${c}`,
      label: `${c} reaching the US market`,
      unit: c === 'cocaine' ? 'kg pure a year' : 'kg gross product a year',
      direction: 'minimise',
      summary: 'sum',
      read: yearOf(c, 'flowUs'),
    }),
  ),
  ...SUPPLY_COMMODITIES.map(
    (c): OutcomeSpec => ({
      path: `seizures.${c}`,
      label: `${c} seized anywhere in the trafficking network`,
      unit: c === 'cocaine' ? 'kg pure a year' : 'kg gross product a year',
      direction: 'info',
      read: yearOf(c, 'seized'),
    }),
  ),
  ...commodityOutcomes('cocaine'),
  {
    path: 'supply.cocaine.easternPacificShare',
    label: 'cocaine: Eastern Pacific share of documented maritime flow',
    unit: 'share',
    direction: 'info',
    read: {
      aggregate: 'year',
      value: (sim, t) => {
        const c = supplyOf(sim).records.cocaine;
        const ep = sum(c.easternPacificIn, t - 11, t);
        const cb = sum(c.caribbeanIn, t - 11, t);
        return ep + cb > 0 ? ep / (ep + cb) : 0;
      },
    },
  },
  {
    path: 'supply.cocaine.maritimeRemovalRate',
    label: 'cocaine: share of documented maritime flow removed (seized or destroyed)',
    unit: 'share',
    direction: 'info',
    read: {
      aggregate: 'year',
      value: (sim, t) => {
        const c = supplyOf(sim).records.cocaine;
        const docIn = sum(c.documentedIn, t - 11, t);
        return docIn > 0 ? sum(c.documentedRemoved, t - 11, t) / docIn : 0;
      },
    },
  },
  {
    path: 'supply.cocaine.throughVenezuelaKg',
    label: 'cocaine: flow entering Venezuela (CCDB: 159-249 t a year, 2012-2018)',
    unit: 'kg pure a year',
    direction: 'info',
    read: { aggregate: 'year', value: (sim, t) => routeFlows(sim, t).throughVenezuela },
  },
  {
    path: 'supply.cocaine.usBoundEasternPacificShare',
    label: 'cocaine: Eastern Pacific share of US-bound flow shipped',
    unit: 'share',
    direction: 'info',
    read: { aggregate: 'year', value: (sim, t) => routeFlows(sim, t).usEasternPacific },
  },
  {
    path: 'supply.cocaine.usBoundCaribbeanShare',
    label: 'cocaine: Caribbean share of US-bound flow shipped',
    unit: 'share',
    direction: 'info',
    read: { aggregate: 'year', value: (sim, t) => routeFlows(sim, t).usCaribbean },
  },
  {
    path: 'supply.cocaine.europeBoundShippedKg',
    label: 'cocaine: shipped toward the European market (all routes)',
    unit: 'kg pure a year',
    direction: 'info',
    read: { aggregate: 'year', value: (sim, t) => routeFlows(sim, t).europe },
  },
  {
    path: 'supply.cocaine.europeBoundDirectAtlanticKg',
    label: 'cocaine: shipped toward Europe straight across the Atlantic (not via the Caribbean)',
    unit: 'kg pure a year',
    direction: 'info',
    read: { aggregate: 'year', value: (sim, t) => routeFlows(sim, t).europeDirect },
  },
  ...commodityOutcomes('fentanyl'),
  {
    path: 'supply.strikes.atSea',
    label: 'strikes on vessels at sea',
    unit: 'strikes a year',
    direction: 'minimise',
    summary: 'sum',
    note: 'risk exposure: every strike carries civilian-harm and diplomatic risk',
    risk: true,
    read: eventYear('strikesAtSea'),
  },
  {
    path: 'supply.strikes.onLand',
    label: 'strikes on land (production capacity and trafficking infrastructure)',
    unit: 'strikes a year',
    direction: 'minimise',
    summary: 'sum',
    note: 'risk exposure: every strike carries civilian-harm and diplomatic risk',
    risk: true,
    read: eventYear('strikesOnLand'),
  },
  {
    path: 'supply.strikes.bySovereignty.{key}',
    label: 'strikes under this sovereignty (international waters or a country)',
    unit: 'strikes a year',
    direction: 'minimise',
    summary: 'sum',
    keys: sovereigntiesOf,
    read: (key: string): OutcomeRead => ({
      aggregate: 'year',
      value: (sim: SimState, t: number) => {
        const row = events(sim).strikesBySovereignty.get(key);
        return row ? sum(row, t - 11, t) : 0;
      },
    }),
  },
  {
    path: 'supply.strikes.bySetting.{key}',
    label: 'strikes by setting (at sea, remote, populated; shares by node kind are a judgement)',
    unit: 'strikes a year',
    direction: 'minimise',
    summary: 'sum',
    keys: () => [...STRIKE_SETTINGS],
    read: (key: string): OutcomeRead => ({
      aggregate: 'year',
      value: (sim: SimState, t: number) => sum(events(sim).strikesBySetting[key as StrikeSetting], t - 11, t),
    }),
  },
  {
    path: 'supply.deathsAboardStruckVessels',
    label: 'people killed aboard struck vessels',
    unit: 'people a year',
    direction: 'minimise',
    summary: 'sum',
    risk: true,
    read: eventYear('deathsAboard'),
  },
  {
    path: 'supply.leadershipLosses',
    label: 'leadership losses of trafficking organisations (abstract)',
    unit: 'losses a year',
    direction: 'info',
    summary: 'sum',
    risk: true,
    read: eventYear('leadershipLosses'),
  },
];

/** What the route outcomes read of the compiled cocaine network (built once per network). */
interface RouteIndex {
  /** Legs entering a Venezuelan node from outside Venezuela. */
  intoVenezuela: Int32Array;
  /** Routes to the European market, and those whose first corridor is the Atlantic. */
  europe: Int32Array;
  europeDirect: Int32Array;
  /** Indices of the Eastern Pacific and Caribbean in the US-bound corridor list (-1 if absent). */
  ep: number;
  cb: number;
}
const routeIndexes = new WeakMap<CompiledCommodity, RouteIndex>();

function routeIndexOf(c: CompiledCommodity): RouteIndex {
  const hit = routeIndexes.get(c);
  if (hit) return hit;
  const nodes = c.net.nodes;
  const into: number[] = [];
  c.net.edges.forEach((_, e) => {
    if (nodes[c.edgeTo[e]].country === 'VE' && nodes[c.edgeFrom[e]].country !== 'VE') into.push(e);
  });
  const europe: number[] = [];
  const direct: number[] = [];
  c.routes.forEach((r, k) => {
    if (nodes[r.market].id !== 'europe-market') return;
    europe.push(k);
    if (r.corridor === 'atlantic') direct.push(k);
  });
  const out: RouteIndex = {
    intoVenezuela: Int32Array.from(into),
    europe: Int32Array.from(europe),
    europeDirect: Int32Array.from(direct),
    ep: c.corridors.indexOf('eastern-pacific'),
    cb: c.corridors.indexOf('caribbean'),
  };
  routeIndexes.set(c, out);
  return out;
}

/** The year's route-level cocaine flows (flows by leg, route and corridor are recorded by year). */
function routeFlows(sim: SimState, t: number) {
  const s = supplyOf(sim);
  const c = s.compiled.commodities.find((x) => x.commodity === 'cocaine')!;
  const rec = s.records.cocaine;
  const ix = routeIndexOf(c);
  const y = (t / 12) | 0;
  const m = c.net.edges.length;
  const R = c.routes.length;
  let throughVenezuela = 0;
  for (const e of ix.intoVenezuela) throughVenezuela += rec.edgeFlow[y * m + e];
  let europe = 0;
  for (const r of ix.europe) europe += rec.routeShipped[y * R + r];
  let europeDirect = 0;
  for (const r of ix.europeDirect) europeDirect += rec.routeShipped[y * R + r];
  const nc = c.corridors.length;
  let us = 0;
  for (let i = 0; i < nc; i++) us += rec.corridorFlow[y * nc + i];
  const share = (i: number) => (i >= 0 && us > 0 ? rec.corridorFlow[y * nc + i] / us : 0);
  return {
    throughVenezuela,
    europe,
    europeDirect,
    usEasternPacific: share(ix.ep),
    usCaribbean: share(ix.cb),
  };
}

/**
 * Months from policy start until US-bound flow (3-month mean) is back at 90% of its mean over the 12
 * months before policy start, after having fallen below it; 0 when it never fell below, null when it
 * never recovers within the horizon.
 */
export function reboundMonths(flow: Float64Array, policyStep: number): number | null {
  if (policyStep < 12) return null;
  const pre = sum(flow, policyStep - 12, policyStep - 1) / 12;
  const level = REBOUND_SHARE * pre;
  let dipped = false;
  for (let t = policyStep; t < flow.length; t++) {
    const lo = Math.max(policyStep, t - 2);
    const avg = sum(flow, lo, t) / (t - lo + 1);
    if (!dipped) {
      if (avg < level) dipped = true;
    } else if (avg >= level) return t - policyStep;
  }
  return dipped ? null : 0;
}

/** Whole-run supply summary. */
export interface SupplySummary {
  reboundMonths: Record<SupplyCommodity, number | null>;
  /** Largest |produced - seized - destroyed - consumed - change in inventory| in any month, kg. */
  massBalanceError: Record<SupplyCommodity, number>;
  /** Capacity destroyed by strikes and not yet rebuilt at the end of the run, kg a year. */
  totalStrikesAtSea: number;
  totalStrikesOnLand: number;
  totalDeathsAboard: number;
}

/** Mass balance residual of one commodity: max over months, terms summed independently. */
export function massBalanceError(r: CommodityRecords, initialInventory: number): number {
  let worst = 0;
  let prev = initialInventory;
  for (let t = 0; t < r.produced.length; t++) {
    const res = r.produced[t] - r.seized[t] - r.destroyed[t] - r.consumed[t] - (r.inventory[t] - prev);
    prev = r.inventory[t];
    if (Math.abs(res) > worst) worst = Math.abs(res);
  }
  return worst;
}

/** A record with one value per commodity, in the commodities' order. */
function perSupplyCommodity<T>(f: (c: SupplyCommodity) => T): Record<SupplyCommodity, T> {
  return Object.fromEntries(SUPPLY_COMMODITIES.map((c) => [c, f(c)])) as Record<SupplyCommodity, T>;
}

/** Summarise a run's supply side. */
export function supplySummary(s: SupplyState, _axis: TimeAxis): SupplySummary {
  const init = (commodity: SupplyCommodity) => s.initialInventory[commodity];
  return {
    reboundMonths: perSupplyCommodity((c) => reboundMonths(s.records[c].flowUs, s.policyStep)),
    massBalanceError: perSupplyCommodity((c) => massBalanceError(s.records[c], init(c))),
    totalStrikesAtSea: s.events.strikesAtSea.reduce((a, b) => a + b, 0),
    totalStrikesOnLand: s.events.strikesOnLand.reduce((a, b) => a + b, 0),
    totalDeathsAboard: s.events.deathsAboard.reduce((a, b) => a + b, 0),
  };
}
