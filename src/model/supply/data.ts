/**
 * The supply side's shipped data: the default network and organisations, the supply parameters, the
 * supply lever declarations (with their effects, validated in ../levers.ts) and the named assumption overlays.
 */

import declineContinues from '../../../data/assumptions/decline-continues.json' with { type: 'json' };
import plateau from '../../../data/assumptions/plateau.json' with { type: 'json' };
import rebound from '../../../data/assumptions/rebound.json' with { type: 'json' };
import veFentanyl from '../../../data/assumptions/venezuela-fentanyl.json' with { type: 'json' };
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
import { marketLevers, supplyLevers } from '../levers.js';
import type { SupplyLever, SupplyLeverEffect } from './lever-effects.js';

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

/** The levers acting on a market directly (data/levers/*.json, kinds in market-levers.ts). */
export const MARKET_LEVERS = marketLevers();

/** A supply lever's declared effect (its kinds: lever-effects.ts). */
export type LeverEffect = SupplyLeverEffect;

/** A supply lever declaration (the LeverDef fields plus its effect). */
export type SupplyLeverDef = SupplyLever;

/** The supply levers as declared in data/levers/supply.json, validated at load (levers.ts). */
export const SUPPLY_LEVERS: readonly SupplyLeverDef[] = supplyLevers();

const OVERLAYS: Record<string, unknown> = {
  'venezuela-fentanyl': veFentanyl,
  'decline-continues': declineContinues,
  plateau,
  rebound,
};

/** Names of the shipped assumption overlays. */
export function assumptionNames(): string[] {
  return Object.keys(OVERLAYS);
}

/** A shipped assumption overlay by name, or undefined. */
export function shippedAssumption(name: string): AssumptionOverlay | undefined {
  const raw = OVERLAYS[name];
  return raw ? AssumptionOverlaySchema.parse(raw) : undefined;
}
