/**
 * `crossroads robust`: packages across a common ensemble of plausible worlds. Every package (the
 * shipped ones, or those given) and no new policy run on the same worlds: replicate i has the same
 * parameter draw and random numbers in every ensemble of the same seed, size and design (common random
 * numbers), which is checked. Per package: the outcome, deaths averted and cost, regret against the
 * best package in each world (src/analysis/regret.ts) and satisficing shares.
 */

import type { Command } from 'commander';
import { nearestRank, regret, regretSummary, satisficing } from '../../analysis/regret.js';
import { CrossroadsError } from '../../core/errors.js';
import { fmtUsd, textTable as table } from '../../core/text.js';
import { loadAcceptedSets } from '../../experiment/accepted-file.js';
import { ENSEMBLE_DEFAULTS } from '../../experiment/ensemble.js';
import { column, type ReplicateTable, replicateTable, summaryId } from '../../experiment/replicate-table.js';
import { DESIGNS, type Design } from '../../experiment/sampling.js';
import { alignPolicyStart, noPolicy } from '../../scenario/resolve.js';
import type { Policy } from '../../spec/scenario.js';
import { MODEL_VERSION } from '../../version.js';
import { type WorldFlags, withExecutor, worldOptions } from '../analysis-session.js';
import { checkExperimentsFile, writeExperiments } from '../experiments-file.js';
import { loadPolicy, loadScenario, shippedPolicies } from '../inputs.js';
import { choiceOption, intOption, MAX_SEED } from '../options.js';
import { writeOutput } from '../output.js';
import { fmtSig } from './sensitivity.js';

const FORMATS = ['table', 'json'] as const;
const QUANTITIES = ['deaths', 'averted', 'cost'] as const;
type Quantity = (typeof QUANTITIES)[number];

/** A satisficing condition such as `averted>=20000`. */
interface Satisfice {
  quantity: Quantity;
  op: '<' | '<=' | '>' | '>=';
  value: number;
  text: string;
}

function parseSatisfice(raw: string): Satisfice {
  const m = /^\s*(deaths|averted|cost)\s*(<=|>=|<|>)\s*(-?\d+(\.\d+)?([eE][-+]?\d+)?)\s*$/.exec(
    raw.replace(/_/g, ''),
  );
  if (!m) {
    throw new CrossroadsError('cli', [
      {
        path: '--satisfice',
        value: raw,
        expected:
          "QUANTITY OP NUMBER with QUANTITY deaths, averted or cost, e.g. 'averted>=20000' or 'cost<=50e9'",
      },
    ]);
  }
  return { quantity: m[1] as Quantity, op: m[2] as Satisfice['op'], value: Number(m[3]), text: raw.trim() };
}

function holds(c: Satisfice, x: number): boolean {
  return c.op === '<'
    ? x < c.value
    : c.op === '<='
      ? x <= c.value
      : c.op === '>'
        ? x > c.value
        : x >= c.value;
}

interface Flags extends WorldFlags {
  policies?: string;
  outcome: string;
  replicates: string;
  seed: string;
  design: string;
  percentile: string;
  satisfice: string[];
  deathValue?: string;
}

/** One package's columns over the worlds. */
interface PackageWorlds {
  name: string;
  deaths: Float64Array;
  averted: Float64Array;
  cost: Float64Array;
}

/** Register the command. */
export function registerRobust(program: Command): void {
  worldOptions(
    program
      .command('robust')
      .description(
        'packages across a common ensemble of worlds: deaths averted, cost, regret against the best package in each world, satisficing',
      )
      .argument('[scenario]', 'scenario file (YAML or JSON); the built-in default when omitted')
      .option(
        '--policies <list>',
        'comma-separated policy files or shipped names; `shipped` = every shipped package (the default)',
      )
      .option(
        '--outcome <name>',
        'the outcome regret is measured on (a summary outcome or a leaf with one)',
        'deaths.total',
      )
      .option('-n, --replicates <n>', 'worlds (ensemble replicates)', '200')
      .option('-s, --seed <n>', 'random seed (integer >= 0)', String(ENSEMBLE_DEFAULTS.seed))
      .option('--design <design>', DESIGNS.join(' | '), 'latin-hypercube')
      .option('--percentile <p>', 'regret percentile reported beside the maximum', '90')
      .option(
        '--satisfice <condition>',
        "a condition every world should meet, repeatable: deaths|averted|cost OP NUMBER, e.g. 'averted>=20000'",
        (v: string, acc: string[]) => [...acc, v],
        [] as string[],
      )
      .option(
        '--death-value <usd>',
        'measure regret on deaths x USD + cost instead of deaths alone (a value per death averted you state)',
      ),
    FORMATS,
    'also write every world (inputs, outcomes per package): .csv, .parquet, or .tar.gz in the EMA Workbench archive layout',
  ).action(async (scenarioFile: string | undefined, opts: Flags) => {
    const n = intOption('-n', opts.replicates, 200, 2, ENSEMBLE_DEFAULTS.maxReplicates);
    const seed = intOption('--seed', opts.seed, ENSEMBLE_DEFAULTS.seed, 0, MAX_SEED);
    const design = choiceOption<Design>('--design', opts.design, DESIGNS, 'latin-hypercube');
    const format = choiceOption('--format', opts.format, FORMATS, 'table');
    const percentile = intOption('--percentile', opts.percentile, 90, 1, 100) / 100;
    const conditions = opts.satisfice.map(parseSatisfice);
    let deathValue: number | null = null;
    if (opts.deathValue !== undefined) {
      deathValue = Number(opts.deathValue);
      if (!/^\d+(\.\d+)?([eE]\+?\d+)?$/.test(opts.deathValue.trim()) || !(deathValue > 0)) {
        throw new CrossroadsError('cli', [
          {
            path: '--death-value',
            value: opts.deathValue,
            expected: 'a positive amount in USD, e.g. 13e6',
          },
        ]);
      }
    }
    const scenario = loadScenario(scenarioFile, opts.assumptions);
    // `shipped` stands for every shipped package, so `--policies shipped,mine.yaml` adds one of yours.
    const shipped = shippedPolicies().filter((p) => p !== 'none');
    const refs = (
      opts.policies
        ? opts.policies
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '')
        : ['shipped']
    ).flatMap((r) => (r === 'shipped' ? shipped : [r]));
    const policies: Policy[] = refs.map((r) => loadPolicy(r, scenario, '--policies'));
    if (policies.length < 2) {
      throw new CrossroadsError('cli', [
        { path: '--policies', value: opts.policies, expected: 'at least two packages to compare' },
      ]);
    }
    const names = policies.map((p, k) =>
      policies.findIndex((q) => q.name === p.name) === k ? p.name : `${p.name} (${k + 1})`,
    );
    const loaded = loadAcceptedSets(opts.accepted);
    // One hand-over month and summary window for every package (a package may ask for an earlier one).
    const shared = alignPolicyStart(scenario, policies);
    const base = {
      scenario: shared,
      n,
      seed,
      design,
      accepted: loaded.accepted,
      acceptedSource: loaded.source,
    };
    const arms = [
      { name: 'none', policy: noPolicy() },
      ...policies.map((p, k) => ({ name: names[k], policy: p })),
    ];
    const total = arms.length * n;
    if (opts.experiments) await checkExperimentsFile(opts.experiments);
    const tables: ReplicateTable[] = await withExecutor(
      'crossroads robust',
      total,
      opts,
      opts.progress !== false,
      async (run) => {
        const out: ReplicateTable[] = [];
        for (const [k, arm] of arms.entries()) {
          out.push(
            await replicateTable(
              { ...base, arms: [arm] },
              { ...run, onProgress: (done) => run.onProgress(k * n + done, total) },
            ),
          );
        }
        return out;
      },
    );
    // Common worlds: every ensemble drew the same parameters for each replicate.
    const d = tables[0].inputs.length;
    for (const t of tables.slice(1)) {
      const w0 = tables[0].columns.length;
      const w = t.columns.length;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < d; j++) {
          if (t.rows[i * w + j] !== tables[0].rows[i * w0 + j])
            throw new Error('robust: ensembles did not share their worlds');
        }
      }
    }
    if (opts.experiments) {
      await writeExperiments(
        opts.experiments,
        tables.map((t, k) => ({
          arm: arms[k].name,
          label: k === 0 ? 'no new policy' : arms[k].name,
          table: t,
        })),
        tables[0].result.layout.summaries.map((s) => s.id),
      );
    }
    const id = summaryId(tables[0].result, opts.outcome);
    const costId = summaryId(tables[0].result, 'costUsd', '--outcome');
    const direction = tables[0].result.layout.summaries.find((s) => s.id === id)?.direction ?? 'info';
    if (direction === 'info') {
      throw new CrossroadsError('cli', [
        {
          path: '--outcome',
          value: opts.outcome,
          expected: 'an outcome with a direction (minimise or maximise)',
        },
      ]);
    }
    const noneDeaths = column(tables[0], `none:${id}`);
    const packs: PackageWorlds[] = tables.slice(1).map((t, k) => {
      const deaths = column(t, `${names[k]}:${id}`);
      return {
        name: names[k],
        deaths,
        averted: noneDeaths.map((v, i) => v - deaths[i]),
        cost: column(t, `${names[k]}:${costId}`),
      };
    });
    const scored = packs.map((p) =>
      deathValue === null ? p.deaths : p.deaths.map((v, i) => v * deathValue + p.cost[i]),
    );
    const summaries = regretSummary(regret(scored, direction as 'minimise' | 'maximise'), percentile);
    const rows = packs.map((p, k) => ({
      package: p.name,
      outcome: { median: nearestRank(p.deaths, 0.5) },
      averted: {
        p5: nearestRank(p.averted, 0.05),
        median: nearestRank(p.averted, 0.5),
        p95: nearestRank(p.averted, 0.95),
      },
      pAverts: p.averted.filter((x) => x > 0).length / n,
      cost: { median: nearestRank(p.cost, 0.5) },
      regret: summaries[k],
      satisficing: conditions.length
        ? satisficing(conditions.map((c) => Array.from(p[c.quantity], (x) => holds(c, x))))
        : null,
    }));
    const report = {
      outcome: id,
      regretOn: deathValue === null ? id : `${id} x ${deathValue} USD + ${costId}`,
      direction,
      n,
      seed,
      design,
      percentile,
      satisfice: conditions.map((c) => c.text),
      modelVersion: MODEL_VERSION,
      packages: rows,
      notes: tables[0].result.manifest.parameters.notes,
    };
    writeOutput(format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : tableOf(report), opts.out);
  });
}

function tableOf(rep: {
  outcome: string;
  regretOn: string;
  n: number;
  percentile: number;
  satisfice: string[];
  packages: {
    package: string;
    outcome: { median: number };
    averted: { p5: number; median: number; p95: number };
    pAverts: number;
    cost: { median: number };
    regret: { mean: number; max: number; percentile: number; pBest: number };
    satisficing: number | null;
  }[];
  notes: string[];
}): string {
  const p = Math.round(rep.percentile * 100);
  const order = rep.packages
    .map((_, k) => k)
    .sort((a, b) => rep.packages[a].regret.percentile - rep.packages[b].regret.percentile || a - b);
  const header = [
    'package',
    'outcome median',
    'averted median',
    'averted p5..p95',
    'P(averts)',
    'cost median',
    'regret mean',
    `regret p${p}`,
    'regret max',
    'P(best)',
  ];
  if (rep.satisfice.length) header.push('satisficing');
  const money = rep.regretOn !== rep.outcome;
  const fmtRegret = (x: number): string => (money ? fmtUsd(x) : fmtSig(x));
  const rows = order.map((k) => {
    const r = rep.packages[k];
    const row = [
      r.package,
      fmtSig(r.outcome.median),
      fmtSig(r.averted.median),
      `${fmtSig(r.averted.p5)} .. ${fmtSig(r.averted.p95)}`,
      `${Math.round(100 * r.pAverts)}%`,
      fmtUsd(r.cost.median),
      fmtRegret(r.regret.mean),
      fmtRegret(r.regret.percentile),
      fmtRegret(r.regret.max),
      `${Math.round(100 * r.regret.pBest)}%`,
    ];
    if (r.satisficing !== null) row.push(`${Math.round(100 * r.satisficing)}%`);
    return row;
  });
  const lines = [
    `Packages across ${rep.n} common worlds (same parameter draws and random numbers for every package); outcome ${rep.outcome}; regret on ${rep.regretOn}.`,
    '',
    table(header, rows),
    '',
    `Regret: how much worse a package does in a world than the best of these packages there (0 when it is the best). Ranked by regret p${p}: a low value means the package is rarely far from the best, whichever world comes true.`,
    'averted: no new policy - package in the same world; P(averts): share of worlds where it averts any deaths; P(best): share of worlds where it is the best.',
  ];
  if (rep.satisfice.length)
    lines.push(`satisficing: share of worlds meeting ${rep.satisfice.join(' and ')}.`);
  for (const note of rep.notes) lines.push(`Note: ${note}.`);
  return `${lines.join('\n')}\n`;
}
