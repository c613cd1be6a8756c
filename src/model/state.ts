/**
 * The simulation state: plain typed data, one part per module. Modules own their part and read the
 * others' parts; the engine owns time and the random streams.
 */

import type { Xoshiro128 } from '../core/rng.js';
import type { TimeAxis } from '../core/time.js';

/** Fields of a street-supply record (one per commodity). */
export const STREET = {
  /** Supply reaching US streets relative to the reference year (fentanyl 2019, cocaine 2015). */
  availability: 0,
  /** Retail price relative to the reference year. */
  priceIndex: 1,
  /** Fentanyl: share of pills >= 2 mg; cocaine: retail purity. */
  potency: 2,
  /** Share of the commodity's street supply containing fentanyl. */
  fentanylAdulteration: 3,
} as const;
export const STREET_FIELDS = 4;

/** Commodities on the street-supply interface: the one list in spec/commodities.ts. */
export { COMMODITIES, type Commodity } from '../spec/commodities.js';

import type { Commodity } from '../spec/commodities.js';

/** The street-supply interface between supply (market) and health. */
export type StreetSupply = Record<Commodity, Float64Array>;

/** Everything a run holds. */
export interface SimState {
  axis: TimeAxis;
  /** Current step. */
  t: number;
  street: StreetSupply;
  /** The policy's planned cost per month, USD 2024 (from the lever plan). */
  cost: Float64Array;
  /** Lever channel values for the current month, by channel name. */
  channels: Map<string, Float64Array>;
  /** Named random streams of this run. */
  streams: Record<string, Xoshiro128>;
  /** Per-module state, keyed by module id. */
  modules: Record<string, unknown>;
}

/** A model module: owns a part of the state and advances it by one month. */
export interface Module {
  readonly id: string;
  /** Advance one month (state.t is the step being computed). */
  step(state: SimState): void;
}
