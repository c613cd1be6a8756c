/** `crossroads compare`: two policies on common random numbers, the paired difference and P(A beats B). */

import type { Command } from 'commander';
import { loadPolicy, loadScenario } from '../inputs.js';
import { type EnsembleFlags, ensembleOptions, parseEnsembleFlags, runArms } from './ensemble.js';

/** Register the command. */
export function registerCompare(program: Command): void {
  ensembleOptions(
    program
      .command('compare')
      .description(
        'compare policy A with policy B on common random numbers: both arms, the paired difference A - B and P(A beats B)',
      )
      .argument('<policyA>', 'policy file or shipped policy name (`none` for no new policy)')
      .argument('<policyB>', 'policy file or shipped policy name (`none` for no new policy)')
      .option('--scenario <file>', 'scenario file (YAML or JSON); the built-in default when omitted')
      .option(
        '-a, --assumptions <name|file>',
        'alternative assumption set (venezuela-fentanyl; baselines decline-continues, plateau, rebound) or an overlay file',
      ),
    1000,
  ).action(
    async (a: string, b: string, opts: EnsembleFlags & { scenario?: string; assumptions?: string }) => {
      const f = parseEnsembleFlags(opts);
      const scenario = loadScenario(opts.scenario, opts.assumptions);
      const policyA = loadPolicy(a, scenario, 'POLICY_A');
      const policyB = loadPolicy(b, scenario, 'POLICY_B');
      const nameA = policyA.name === policyB.name ? `A: ${policyA.name}` : policyA.name;
      const nameB = policyA.name === policyB.name ? `B: ${policyB.name}` : policyB.name;
      await runArms(
        'crossroads compare',
        scenario,
        [
          { name: nameA, policy: policyA },
          { name: nameB, policy: policyB },
        ],
        f,
        opts,
        true,
      );
    },
  );
}
