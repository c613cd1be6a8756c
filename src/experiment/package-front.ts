/**
 * Packages compared on several objectives at once (issue 14's balanced package): each policy is run
 * on the same replicates (common random numbers: the same parameter draw, seed and replicate for
 * every policy) and scored on overdose deaths, harm (people killed in strikes plus excess homicides
 * after leadership losses), P(attack on US personnel or soil) and cost over the projection; a
 * package is dominated when another is at least as good on every objective and strictly better on
 * one (all objectives are minimised; compared on their means over the replicates).
 */

import { runModel } from '../engine/run.js';
import type { Policy, Scenario } from '../spec/scenario.js';
import { setupChunk } from './chunk.js';
import { ensembleJob } from './ensemble.js';
import type { AcceptedSets } from './sampling.js';

/** The objectives, all minimised. */
export const FRONT_OBJECTIVES = ['deaths', 'harm', 'pAttackOnUs', 'costUsd'] as const;
export type FrontObjective = (typeof FRONT_OBJECTIVES)[number];

/** One package's objectives over the replicates. */
export interface PackageScore {
  name: string;
  /** Per replicate, one row per objective (FRONT_OBJECTIVES order). */
  replicates: number[][];
  /** Means over the replicates. */
  mean: Record<FrontObjective, number>;
}

interface ConflictYear {
  excessHomicides: number;
  pAttackOnUs: number;
}

/**
 * Score each policy over `n` replicates from the policy start year to the horizon: deaths (sum),
 * harm (sum of people killed aboard struck vessels and excess homicides), P(at least one attack on
 * US personnel or soil in the period) and the policy's cost (sum, USD 2024). With `accepted`, the
 * history-shaping parameters are drawn jointly from the calibration's accepted sets (as `run -n`).
 */
export function scorePackages(
  scenario: Scenario,
  policies: readonly Policy[],
  n: number,
  seed = 1,
  accepted: AcceptedSets | null = null,
): PackageScore[] {
  const ctx = setupChunk(
    ensembleJob({ scenario, arms: [{ name: policies[0].name, policy: policies[0] }], n, seed, accepted }),
  );
  const first = Number(scenario.policyStart.slice(0, 4));
  const scores = policies.map((p) => ({ name: p.name, replicates: [] as number[][] }));
  for (let r = 0; r < n; r++) {
    const parameters = ctx.sampler.draw(r);
    policies.forEach((policy, i) => {
      const out = runModel({ scenario, policy, seed, replicate: r, parameters });
      let deaths = 0;
      let harm = 0;
      let noAttack = 1;
      let cost = 0;
      for (const a of out.annual) {
        if (a.year < first) continue;
        const c = (a as unknown as { conflict: ConflictYear }).conflict;
        deaths += a.deaths.total;
        harm += a.supply.deathsAboardStruckVessels + c.excessHomicides;
        noAttack *= 1 - c.pAttackOnUs;
        cost += a.costUsd;
      }
      scores[i].replicates.push([deaths, harm, 1 - noAttack, cost]);
    });
  }
  return scores.map((s) => {
    const mean = Object.fromEntries(
      FRONT_OBJECTIVES.map((k, j) => [k, s.replicates.reduce((acc, row) => acc + row[j], 0) / n]),
    ) as Record<FrontObjective, number>;
    return { ...s, mean };
  });
}

/** Does `a` dominate `b` (no worse on every objective, strictly better on one)? */
export function dominates(a: Record<FrontObjective, number>, b: Record<FrontObjective, number>): boolean {
  let strictly = false;
  for (const k of FRONT_OBJECTIVES) {
    if (a[k] > b[k]) return false;
    if (a[k] < b[k]) strictly = true;
  }
  return strictly;
}

/** The packages that dominate `name` (empty: `name` is non-dominated). */
export function dominatedBy(scores: readonly PackageScore[], name: string): string[] {
  const me = scores.find((s) => s.name === name);
  if (!me) throw new Error(`experiment/package-front: no package named ${name}`);
  return scores.filter((s) => s !== me && dominates(s.mean, me.mean)).map((s) => s.name);
}
