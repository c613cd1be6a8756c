/**
 * The supply side's records: per commodity, monthly series and flows by corridor, route and leg
 * summed by year; and shared monthly event series (strikes, deaths aboard) for the risk module.
 * The records stage of the monthly step is record-month.ts.
 */

import type { Float64Arena } from '../../core/arena.js';
import type { StrikeSetting } from './strike-settings.js';

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
  /**
   * Leadership losses by the country of the strikes that caused them (strikes kill; captures are the
   * conflict module's own lever). Read by the conflict module (src/model/conflict).
   */
  leadershipLossesByCountry: Map<string, Float64Array>;
  /**
   * Strikes by setting ('at-sea', 'remote', 'populated'), at sea and on land (production and
   * infrastructure): shares by node kind from data/network/strike-settings.json (a judgement).
   */
  strikesBySetting: Record<StrikeSetting, Float64Array>;
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
export function emptyRecords(
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
