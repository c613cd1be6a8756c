/**
 * The supply side: trafficking network, stylised organisations, supply levers and the drug market.
 * See module.ts for the monthly rules and data/network, data/levers/supply.json,
 * data/parameters/supply.json and data/targets/supply.json for the inputs and their sources.
 */

import { CrossroadsError, type InputIssue } from '../../core/errors.js';
import type { Scenario } from '../../spec/scenario.js';
import type { AssumptionOverlay, NetworkEdits, OrganisationEdits } from '../../spec/supply.js';
import { assumptionNames, shippedAssumption } from './data.js';
import {
  applyAssumption,
  applyNetworkEdits,
  applyOrganisationEdits,
  type CompiledSupply,
  checkSupply,
  compileSupply,
  type SupplySection,
} from './network.js';

export {
  assumptionNames,
  defaultNetwork,
  defaultOrganisations,
  SUPPLY_LEVERS,
  type SupplyLeverDef,
  shippedAssumption,
} from './data.js';
export { SUPPLY_EFFECT_HANDLERS, unreachedTarget } from './lever-effects.js';
export {
  createSupplyModules,
  releaseSupply,
  SUPPLY_CONFIG_KEYS,
  type SupplyModules,
  type SupplyState,
} from './module.js';
export { type CompiledSupply, compileSupply, parseAssumptionOverlay } from './network.js';
export { SUPPLY_OUTCOMES, type SupplySummary, type SupplyYear, supplySummary } from './outcomes.js';

const cache = new WeakMap<object, CompiledSupply>();

/** Compile the scenario's network and organisations once per scenario object. */
export function prepareSupply(scenario: Scenario): CompiledSupply {
  const hit = cache.get(scenario.network);
  if (hit && hit.organisations === scenario.organisations) return hit;
  const compiled = compileSupply(scenario.network, scenario.organisations);
  cache.set(scenario.network, compiled);
  return compiled;
}

/** What a scenario file may say about the supply side. */
export interface SupplyEdits {
  assumptions?: string[];
  network?: NetworkEdits;
  organisations?: OrganisationEdits;
}

/**
 * Apply a scenario file's supply edits (named assumption overlays first, then network and
 * organisation edits) to a scenario, in place; problems are pushed to `issues`.
 */
export function resolveSupplyEdits(scenario: Scenario, edits: SupplyEdits, issues: InputIssue[]): void {
  let section: SupplySection = {
    network: scenario.network,
    organisations: scenario.organisations,
    assumptions: scenario.assumptions,
    ...(scenario.streetTrends ? { streetTrends: scenario.streetTrends } : {}),
  };
  (edits.assumptions ?? []).forEach((name, i) => {
    const overlay = shippedAssumption(name);
    if (!overlay) {
      issues.push({
        path: `assumptions[${i}]`,
        value: name,
        expected: `the name of a shipped assumption set (${assumptionNames().join(', ')})`,
      });
      return;
    }
    section = applyAssumption(section, overlay, issues);
  });
  section = {
    ...section,
    network: applyNetworkEdits(section.network, edits.network, 'network', issues),
    organisations: applyOrganisationEdits(
      section.organisations,
      edits.organisations,
      'organisations',
      issues,
    ),
  };
  if (edits.network || edits.organisations || edits.assumptions?.length)
    checkSupply(section.network, section.organisations, issues);
  scenario.network = section.network;
  scenario.organisations = section.organisations;
  scenario.assumptions = section.assumptions;
  if (section.streetTrends) scenario.streetTrends = section.streetTrends;
}

/** Return a copy of `scenario` with an assumption overlay applied (throws on bad overlays). */
export function withAssumption(scenario: Scenario, overlay: AssumptionOverlay): Scenario {
  const issues: InputIssue[] = [];
  const section = applyAssumption(
    {
      network: scenario.network,
      organisations: scenario.organisations,
      assumptions: scenario.assumptions,
      ...(scenario.streetTrends ? { streetTrends: scenario.streetTrends } : {}),
    },
    overlay,
    issues,
  );
  checkSupply(section.network, section.organisations, issues);
  if (issues.length) throw new CrossroadsError('model/supply', issues);
  return { ...scenario, ...section };
}
