/**
 * The model's outcome declarations, in the order of the annual record: health (deaths, populations,
 * rates), the street-supply interface, the policy's cost, the supply side. Every reader of outcomes
 * (engine records, output schema, ensembles, CLI) takes them from here.
 */

import { CONFLICT_OUTCOMES } from './conflict/outcomes.js';
import { HEALTH_OUTCOMES } from './health-outcomes.js';
import { COST_OUTCOMES, STREET_OUTCOMES } from './market-outcomes.js';
import type { OutcomeSpec } from './outcomes.js';
import { RISK_OUTCOMES } from './risk/outcomes.js';
import { SUPPLY_OUTCOMES } from './supply/outcomes.js';

const extra: OutcomeSpec[] = [];

/**
 * Add outcome declarations (a module that is not built in, e.g. a plug-in or a test). They are
 * recorded after the built-in ones by every run made afterwards in this thread.
 */
export function registerOutcomes(specs: readonly OutcomeSpec[]): void {
  for (const s of specs) if (!extra.some((x) => x.path === s.path)) extra.push(s);
}

/** Every declared outcome, in record order. */
export function outcomeSpecs(): readonly OutcomeSpec[] {
  return [
    ...HEALTH_OUTCOMES,
    ...STREET_OUTCOMES,
    ...COST_OUTCOMES,
    ...SUPPLY_OUTCOMES,
    ...RISK_OUTCOMES,
    ...CONFLICT_OUTCOMES,
    ...extra,
  ];
}
