/**
 * The supply side's shipped data: the default network and organisations, the supply parameters, the
 * supply lever declarations (with their effects) and the named assumption overlays.
 */

import veFentanyl from '../../../data/assumptions/venezuela-fentanyl.json' with { type: 'json' };
import supplyLevers from '../../../data/levers/supply.json' with { type: 'json' };
import cocaine from '../../../data/network/cocaine.json' with { type: 'json' };
import fentanyl from '../../../data/network/fentanyl.json' with { type: 'json' };
import organisations from '../../../data/network/organisations.json' with { type: 'json' };
import supplyParameters from '../../../data/parameters/supply.json' with { type: 'json' };
import {
  type AssumptionOverlay,
  AssumptionOverlaySchema,
  type Network,
  NetworkSchema,
  type Organisation,
  OrganisationSchema,
} from '../../spec/supply.js';
import type { LeverDef } from '../levers.js';

/** The default network (both commodities), validated. */
export function defaultNetwork(): Network {
  return NetworkSchema.parse({
    cocaine: { nodes: cocaine.nodes, edges: cocaine.edges },
    fentanyl: { nodes: fentanyl.nodes, edges: fentanyl.edges },
  });
}

/** The default organisations, validated. */
export function defaultOrganisations(): Organisation[] {
  return organisations.organisations.map((o) => OrganisationSchema.parse(o));
}

/** The supply parameter declarations (data/parameters/supply.json), without `$` keys. */
export function supplyParameterFile(): Record<string, unknown> {
  return supplyParameters as Record<string, unknown>;
}

/** How a supply lever selects what it acts on. */
export interface LeverSelect {
  on: 'edges' | 'holdings';
  /** Edge fields: corridor, checkpoint, fromCountry; holding field: country. */
  field: 'corridor' | 'checkpoint' | 'fromCountry' | 'country';
  /** Fixed value; when absent the lever's target is the value. */
  value?: string;
}

/** A supply lever's declared effect. */
export type LeverEffect =
  | { kind: 'detection'; select: LeverSelect; hazardParameter: string }
  | { kind: 'vessel-strikes'; select: LeverSelect }
  | {
      kind: 'capacity-strikes';
      select: LeverSelect;
      capacityParameter: Record<string, string>;
      leadershipParameter: string;
    }
  | { kind: 'capacity-cut'; select: LeverSelect; maxCutParameter: string; rateParameter: string };

/** A supply lever declaration (the LeverDef fields plus its effect). */
export interface SupplyLeverDef extends LeverDef {
  effect: LeverEffect;
}

/** The supply levers as declared in data/levers/supply.json. */
export const SUPPLY_LEVERS: readonly SupplyLeverDef[] = supplyLevers.levers as SupplyLeverDef[];

const OVERLAYS: Record<string, unknown> = { 'venezuela-fentanyl': veFentanyl };

/** Names of the shipped assumption overlays. */
export function assumptionNames(): string[] {
  return Object.keys(OVERLAYS);
}

/** A shipped assumption overlay by name, or undefined. */
export function shippedAssumption(name: string): AssumptionOverlay | undefined {
  const raw = OVERLAYS[name];
  return raw ? AssumptionOverlaySchema.parse(raw) : undefined;
}
