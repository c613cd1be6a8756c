/** The identity of a result: versions, input hashes and seed, so any result can be replayed. */

import { hashValue } from '../core/hash.js';
import type { Policy, Scenario } from '../spec/scenario.js';
import { MODEL_VERSION, PACKAGE_VERSION } from '../version.js';

export interface Manifest {
  package: 'crossroads';
  version: string;
  modelVersion: string;
  /** `assumptions`: the alternative assumption sets applied, when any (absent otherwise). */
  scenario: { name: string; hash: string; assumptions?: string[] };
  policy: { name: string; hash: string };
  seed: number;
  replicates: number;
}

/** `scenario "NAME"`, with its assumption sets when any (for the first line of the tables). */
export function scenarioLabel(m: Pick<Manifest, 'scenario'>): string {
  const a = m.scenario.assumptions;
  return `scenario "${m.scenario.name}"${a?.length ? ` with assumptions ${a.join(', ')}` : ''}`;
}

/** Build the manifest of a run or ensemble. Hashes are SHA-256 of the canonical JSON of the resolved inputs. */
export function makeManifest(scenario: Scenario, policy: Policy, seed: number, replicates: number): Manifest {
  return {
    package: 'crossroads',
    version: PACKAGE_VERSION,
    modelVersion: MODEL_VERSION,
    scenario: {
      name: scenario.name,
      hash: hashValue(scenario),
      ...(scenario.assumptions?.length ? { assumptions: [...scenario.assumptions] } : {}),
    },
    policy: { name: policy.name, hash: hashValue(policy) },
    seed,
    replicates,
  };
}
