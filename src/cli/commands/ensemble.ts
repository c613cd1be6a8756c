/** `crossroads ensemble`: quantile bands of every outcome over the declared uncertainties. */

import type { Command } from 'commander';
import { loadAcceptedSets } from '../../experiment/accepted-file.js';
import { ACTION_DEFAULTS, actionTable, actionTableText } from '../../experiment/actions.js';
import { type Arm, setupChunk } from '../../experiment/chunk.js';
import {
  ENSEMBLE_DEFAULTS,
  type EnsembleResult,
  type EnsembleSpec,
  ensembleJob,
  parsePercentiles,
} from '../../experiment/ensemble.js';
import { selectOutcomes } from '../../experiment/outcomes.js';
import { FORMATS, render } from '../../experiment/report.js';
import { DESIGNS, type Design } from '../../experiment/sampling.js';
import { runSession } from '../../experiment/session.js';
import { checkThreads, maxThreads } from '../../experiment/worker-executor.js';
import type { Scenario } from '../../spec/scenario.js';
import { executorFromFlags, executorOptions } from '../analysis-session.js';
import { loadPolicy, loadScenario } from '../inputs.js';
import { choiceOption, intOption, MAX_SEED } from '../options.js';
import { type Output, openOutput } from '../output.js';

/** Options shared by `ensemble` and `compare`. */
export interface EnsembleFlags {
  replicates: string;
  seed: string;
  threads?: string;
  design: string;
  format: string;
  out?: string;
  monthly?: boolean;
  quantiles: string;
  outcomes?: string;
  replicatesFile?: string;
  accepted?: string;
  progress: boolean;
  executor?: string;
  redis?: string;
  workers?: string;
}

/** Add the shared options to a command. */
export function ensembleOptions(cmd: Command, defaultN: number): Command {
  return executorOptions(cmd)
    .option(
      '-n, --replicates <n>',
      `replicates (1 to ${ENSEMBLE_DEFAULTS.maxReplicates.toLocaleString('en-US')})`,
      String(defaultN),
    )
    .option('-s, --seed <n>', 'random seed (integer >= 0)', String(ENSEMBLE_DEFAULTS.seed))
    .option(
      '-t, --threads <n>',
      `worker threads, 1 = in-process (default: 1 for small runs, else all ${maxThreads()} cores)`,
    )
    .option('--design <design>', DESIGNS.join(' | '), ENSEMBLE_DEFAULTS.design)
    .option('-f, --format <format>', 'table | json | csv', 'table')
    .option('-o, --out <file>', 'write to a file (atomically) instead of stdout')
    .option('--monthly', 'also band the monthly series')
    .option(
      '-q, --quantiles <list>',
      'band percentiles',
      ENSEMBLE_DEFAULTS.quantiles.map((q) => q * 100).join(','),
    )
    .option(
      '--outcomes <list>',
      'outcomes (or prefixes) shown in table and CSV, e.g. deaths.total,costUsd; JSON has all',
    )
    .option(
      '--replicates-file <file>',
      'also write per-replicate parameter draws and summary outcomes (CSV, or Parquet for a .parquet name)',
    )
    .option('--accepted <file>', 'accepted calibration sets (default: data/calibration/accepted.json)')
    .option('--no-progress', 'no progress output on stderr');
}

/** Parse the shared flags into spec parts and session options. */
export function parseEnsembleFlags(opts: EnsembleFlags) {
  const n = intOption('-n', opts.replicates, 1, 1, ENSEMBLE_DEFAULTS.maxReplicates);
  const seed = intOption('--seed', opts.seed, ENSEMBLE_DEFAULTS.seed, 0, MAX_SEED);
  const threads =
    opts.threads === undefined
      ? undefined
      : checkThreads(intOption('--threads', opts.threads, 1, 1, Number.MAX_SAFE_INTEGER), '--threads');
  const design = choiceOption<Design>('--design', opts.design, DESIGNS, ENSEMBLE_DEFAULTS.design);
  const format = choiceOption('--format', opts.format, FORMATS, 'table');
  const quantiles = parsePercentiles(opts.quantiles, '--quantiles');
  const outcomes = opts.outcomes
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const loaded = loadAcceptedSets(opts.accepted);
  return { n, seed, threads, design, format, quantiles, outcomes, loaded };
}

/** Check an outcome selection before running (a deterministic probe run gives the outcome names). */
export function checkOutcomes(spec: EnsembleSpec, outcomes: string[] | undefined): string[] | undefined {
  return outcomes ? selectOutcomes(setupChunk(ensembleJob(spec)).layout, outcomes) : undefined;
}

/** Render and write (atomically with --out). */
export function emit(
  result: EnsembleResult,
  format: (typeof FORMATS)[number],
  selected: string[] | undefined,
  output: Output,
): void {
  output(render(result, format, selected));
}

/** Register the command. */
/** Build the ensemble spec from the parsed flags, run it (threads, progress) and write the result. */
export async function runArms(
  label: string,
  scenario: Scenario,
  arms: Arm[],
  f: ReturnType<typeof parseEnsembleFlags>,
  opts: EnsembleFlags,
  withActions = false,
): Promise<void> {
  const spec: EnsembleSpec = {
    scenario,
    arms,
    paired: arms.length === 2,
    n: f.n,
    seed: f.seed,
    design: f.design,
    accepted: f.loaded.accepted,
    acceptedSource: f.loaded.source,
    acceptedHash: f.loaded.sha256,
    monthly: opts.monthly ?? false,
    quantiles: f.quantiles,
  };
  const selected = checkOutcomes(spec, f.outcomes);
  const output = openOutput(opts.out);
  const result = await runSession(spec, {
    threads: f.threads,
    executor:
      (opts.executor ?? 'local') !== 'local' || opts.redis !== undefined
        ? executorFromFlags(opts, spec.n * arms.length)
        : undefined,
    label,
    progress: opts.progress,
    replicatesFile: opts.replicatesFile,
  });
  if (!withActions || f.format === 'csv') return emit(result, f.format, selected, output);
  // The Action · Intended Outcome · Potential Risk table of each arm with levers (vs no new policy),
  // on the first replicates of the same design.
  const tables = arms
    .filter((a) => a.policy.levers.length > 0)
    .map((a) => ({
      arm: a.name,
      ...actionTable({
        scenario,
        policy: a.policy,
        n: Math.min(f.n, ACTION_DEFAULTS.maxReplicates),
        ensembleN: f.n,
        seed: f.seed,
        design: f.design,
        accepted: f.loaded.accepted,
      }),
    }));
  const text = render(result, f.format, selected);
  if (f.format === 'json') {
    const doc = JSON.parse(text) as Record<string, unknown>;
    doc.actions = tables.flatMap((t) => t.actions.map((a) => ({ arm: t.arm, ...a })));
    doc.actionAttribution = Object.fromEntries(tables.map((t) => [t.arm, t.attribution]));
    return output(`${JSON.stringify(doc, null, 2)}\n`);
  }
  const blocks = tables.map((t) =>
    [
      ...actionTableText(t.actions, t.attribution, `Action · Intended Outcome · Potential Risk of ${t.arm}`),
      `  The table's replicates are the first ${t.attribution.replicates} of the comparison's; it took ${(t.attribution.runsPerReplicate * t.attribution.replicates).toLocaleString('en-US')} extra runs (${t.seconds.toFixed(1)} s).`,
    ].join('\n'),
  );
  output(`${text}${blocks.length ? `\n${blocks.join('\n\n')}\n` : ''}`);
}

export function registerEnsemble(program: Command): void {
  ensembleOptions(
    program
      .command('ensemble')
      .description(
        'quantile bands of every outcome per year over the declared uncertainties (parameters and events)',
      )
      .argument('[scenario]', 'scenario file (YAML or JSON); the built-in default when omitted')
      .option('-p, --policy <file|name>', 'policy file or shipped policy name; no new policy when omitted')
      .option(
        '-a, --assumptions <name|file>',
        'alternative assumption set (venezuela-fentanyl; baselines decline-continues, plateau, rebound) or an overlay file',
      ),
    1000,
  ).action(
    async (
      scenarioFile: string | undefined,
      opts: EnsembleFlags & { policy?: string; assumptions?: string },
    ) => {
      const f = parseEnsembleFlags(opts);
      const scenario = loadScenario(scenarioFile, opts.assumptions);
      const policy = loadPolicy(opts.policy, scenario);
      await runArms('crossroads ensemble', scenario, [{ name: policy.name, policy }], f, opts);
    },
  );
}
