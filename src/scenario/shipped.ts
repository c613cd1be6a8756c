/**
 * What the package ships, bundled as data so every host (the CLI, a server, a browser or a Web
 * Worker) loads the same files without a file system: the shipped policies by name and the
 * calibration's accepted parameter sets (the posterior that ensembles draw from).
 */

import accepted from '../../data/calibration/accepted.json' with { type: 'json' };
import { CrossroadsError } from '../core/errors.js';
import type { Policy, Scenario } from '../spec/scenario.js';
import { parseDocument, resolvePolicy } from './resolve.js';
import { SHIPPED_POLICY_TEXT } from './shipped-policies.js';

/** Repository-relative name of the shipped accepted sets. */
export const SHIPPED_ACCEPTED_PATH = 'data/calibration/accepted.json';

/** Names of the shipped policies, sorted. */
export function shippedPolicyNames(): string[] {
  return Object.keys(SHIPPED_POLICY_TEXT).sort();
}

/** The YAML text of a shipped policy, or undefined. */
export function shippedPolicyText(name: string): string | undefined {
  return Object.hasOwn(SHIPPED_POLICY_TEXT, name) ? SHIPPED_POLICY_TEXT[name] : undefined;
}

/** A shipped policy by name, resolved against a scenario; an unknown name is an error naming it. */
export function shippedPolicy(name: string, scenario: Scenario, flag = 'policy'): Policy {
  const text = shippedPolicyText(name);
  if (text === undefined) {
    throw new CrossroadsError('scenario/shipped', [
      {
        path: flag,
        value: name,
        expected: `one of the shipped policies: ${shippedPolicyNames().join(', ')}`,
      },
    ]);
  }
  return resolvePolicy(parseDocument(text, `policies/${name}.yaml`), scenario);
}

/** The shipped accepted sets as stored (checked by experiment/sampling before use). */
export function shippedAcceptedData(): unknown {
  return accepted;
}
