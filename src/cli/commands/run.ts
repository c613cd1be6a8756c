/** `crossroads run`: a policy against no new policy on the same random numbers. */

import type { Command } from 'commander';
import { csvDocument, fmtInt, fmtUsd, textTable as table } from '../../core/text.js';
import { actionTableText, riskSummaryLine, runPolicyWithActions } from '../../experiment/actions.js';
import { ENSEMBLE_DEFAULTS } from '../../experiment/ensemble.js';
import { PAIRED_DEFAULTS } from '../../experiment/paired.js';
import { intervalRunText } from '../../experiment/session.js';
import { DEATH_GROUPS } from '../../model/health-outcomes.js';
import { scenarioLabel } from '../../report/manifest.js';
import { earlyYearsNote, observedTotal, YEAR_MARKER_NOTE, yearMarker } from '../../report/observed.js';
import type { RunResult } from '../../report/run-result.js';
import { COMMODITIES, type Commodity } from '../../spec/commodities.js';
import { loadPolicy, loadScenario } from '../inputs.js';
import { choiceOption, intOption, MAX_SEED } from '../options.js';
import { openOutput } from '../output.js';

const FORMATS = ['table', 'json', 'csv'] as const;

/** Register the command. */
export function registerRun(program: Command): void {
  program
    .command('run')
    .description(
      'run a policy and, on the same random numbers, no new policy; print deaths, deaths averted and cost',
    )
    .argument('[scenario]', 'scenario file (YAML or JSON); the built-in default when omitted')
    .option('-p, --policy <file|name>', 'policy file or shipped policy name (see `crossroads policies`)')
    .option('-s, --seed <n>', 'random seed (integer >= 0)', '1')
    .option('-f, --format <format>', 'table | json | csv', 'table')
    .option('-o, --out <file>', 'write to a file (atomically) instead of stdout')
    .option(
      '-n, --replicates <n>',
      'paired replicates over the uncertainties (1 = a single seeded run)',
      String(PAIRED_DEFAULTS.runReplicates),
    )
    .option(
      '-a, --assumptions <name|file>',
      'alternative assumption set (venezuela-fentanyl; baselines decline-continues, plateau, rebound) or an overlay file',
    )
    .action(
      async (
        scenarioFile: string | undefined,
        opts: {
          policy?: string;
          seed: string;
          format: string;
          out?: string;
          replicates: string;
          assumptions?: string;
        },
      ) => {
        const n = intOption('-n', opts.replicates, 1, 1, ENSEMBLE_DEFAULTS.maxReplicates);
        const format = choiceOption('--format', opts.format, FORMATS, 'table');
        const seed = intOption('--seed', opts.seed, 1, 0, MAX_SEED);
        const output = openOutput(opts.out);
        const scenario = loadScenario(scenarioFile, opts.assumptions);
        const policy = loadPolicy(opts.policy, scenario);
        if (n > 1) return output(await intervalRunText({ scenario, policy, n, seed, format }));
        const policyStartYear = Number(scenario.policyStart.slice(0, 4));
        const { result: doc, seconds } = runPolicyWithActions(scenario, policy, seed);
        output(
          format === 'json'
            ? `${JSON.stringify(doc, null, 2)}\n`
            : format === 'csv'
              ? toCsv(doc)
              : toTable(doc, policyStartYear, seconds),
        );
      },
    );
}

/** The human-readable form; `policyStartYear` is the scenario's (default: the summary's first year). */
export function toTable(r: RunResult, policyStartYear = r.summary.period[0], tableSeconds?: number): string {
  const first = r.summary.period[0];
  const rows = r.annual.map((a, i) => {
    const cf = r.counterfactual.annual[i];
    const averted = cf.deaths.total - a.deaths.total;
    return [
      String(a.year) + yearMarker(a.year, first),
      observedTotal(a.year) === undefined ? '-' : fmtInt(observedTotal(a.year)!),
      fmtInt(cf.deaths.total),
      fmtInt(a.deaths.total),
      fmtInt(averted),
      fmtInt(a.deaths.syntheticOpioids),
      a.costUsd > 0 ? fmtUsd(a.costUsd) : '-',
    ];
  });
  const s = r.summary;
  const lines = [
    `Crossroads ${r.manifest.version} (model ${r.manifest.modelVersion}) - ${scenarioLabel(r.manifest)}, policy "${r.manifest.policy.name}", seed ${r.manifest.seed}`,
    '',
    table(
      [
        'year',
        'CDC observed',
        'deaths: no new policy',
        'deaths: policy',
        'averted',
        'synthetic opioids (policy)',
        'cost (USD 2024)',
      ],
      rows,
    ),
    '',
    `${YEAR_MARKER_NOTE} Deaths are overdose deaths of any drug; the synthetic-opioid column is one overlapping group.`,
    ...earlyYearsNote(first, policyStartYear),
    `${s.period[0]}-${s.period[1]}: deaths ${fmtInt(s.deaths.counterfactual)} without the policy, ${fmtInt(s.deaths.policy)} with it; averted ${fmtInt(s.deaths.averted)} (${s.deaths.counterfactual > 0 ? ((100 * s.deaths.averted) / s.deaths.counterfactual).toFixed(1) : '0.0'}% of the baseline).`,
    `Cost ${fmtUsd(s.costUsd)} (discounted at ${(s.discountRate * 100).toFixed(1)}%: ${fmtUsd(s.discountedCostUsd)}); cost per death averted: ${s.costPerDeathAverted === null ? 'n/a' : fmtUsd(s.costPerDeathAverted)}.`,
    ...supplyAndRiskLines(r),
    ...(r.actionAttribution ? [riskSummaryLine(r.actionAttribution)] : []),
    'One seeded run: process noise only, no parameter uncertainty.',
    ...(r.actions && r.actionAttribution
      ? [
          '',
          ...actionTableText(r.actions, r.actionAttribution),
          ...(tableSeconds !== undefined
            ? [
                `  The table took ${r.actionAttribution.runsPerReplicate * r.actionAttribution.replicates} extra runs (${tableSeconds.toFixed(1)} s).`,
              ]
            : []),
        ]
      : []),
  ];
  return `${lines.join('\n')}\n`;
}

/** One row per year and arm. */
export function toCsv(r: RunResult): string {
  // Columns: the declared death groups (deaths_total, synthetic_opioids, ...), then the cost.
  const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  const head = [
    'arm',
    'year',
    ...DEATH_GROUPS.map((g) => (g.key === 'total' ? 'deaths_total' : snake(g.key))),
    'cost_usd',
  ];
  const rows: (string | number)[][] = [];
  for (const [arm, annual] of [
    ['policy', r.annual],
    ['no_new_policy', r.counterfactual.annual],
  ] as const) {
    for (const a of annual) {
      const d = a.deaths as unknown as Record<string, number>;
      rows.push([arm, a.year, ...DEATH_GROUPS.map((g) => d[g.key]), a.costUsd]);
    }
  }
  return csvDocument(head, rows);
}

/**
 * Intended supply effects and the strikes recorded beside them, summed over the projection; the risk
 * module's harm and diplomatic risks follow (riskSummaryLine, the action table).
 */
export function supplyAndRiskLines(r: RunResult): string[] {
  const first = r.summary.period[0];
  const proj = (rows: RunResult['annual']) => rows.filter((a) => a.year >= first);
  const sum = (rows: RunResult['annual'], f: (a: RunResult['annual'][number]) => number) =>
    proj(rows).reduce((acc, a) => acc + f(a), 0);
  const p = r.annual;
  const c = r.counterfactual.annual;
  const pct = (a: number, b: number) =>
    b > 0 ? `${a >= b ? '+' : ''}${(((a - b) / b) * 100).toFixed(1)}%` : 'n/a';
  const flow = (k: Commodity) => {
    const a = sum(p, (x) => x.flow[k]);
    const b = sum(c, (x) => x.flow[k]);
    return `${k} ${fmtInt(a / 1000)} t (${pct(a, b)})`;
  };
  const strikesSea = sum(p, (x) => x.supply.strikes.atSea);
  const strikesLand = sum(p, (x) => x.supply.strikes.onLand);
  const sovereign: Record<string, number> = {};
  for (const a of proj(p)) {
    for (const [k, v] of Object.entries(a.supply.strikes.bySovereignty))
      sovereign[k] = (sovereign[k] ?? 0) + v;
  }
  const bySov = Object.entries(sovereign)
    .filter(([, v]) => v > 0.5)
    .map(([k, v]) => `${k} ${fmtInt(v)}`)
    .join(', ');
  const killed = sum(p, (x) => x.supply.deathsAboardStruckVessels);
  const leaders = sum(p, (x) => x.supply.leadershipLosses);
  // The conflict module's risks (issue 14), beside the same sums without the policy.
  type ConflictYear = {
    excessHomicides: number;
    retaliationFlashes: number;
    successionWars: number;
    pAttackOnUs: number;
    economicCost: { totalUsd: number };
  };
  const cy = (x: RunResult['annual'][number]) => (x as unknown as { conflict: ConflictYear }).conflict;
  const years = proj(p).length || 1;
  const pAttack = (rows: RunResult['annual']) => sum(rows, (x) => cy(x).pAttackOnUs) / years;
  const conflictLine = `Conflict risks: excess homicides after leadership losses ${fmtInt(sum(p, (x) => cy(x).excessHomicides))}; retaliation flashes ${fmtInt(sum(p, (x) => cy(x).retaliationFlashes))}, succession wars ${fmtInt(sum(p, (x) => cy(x).successionWars))}; P(attack on US personnel or soil) ${(100 * pAttack(p)).toFixed(1)}% a year (${(100 * pAttack(c)).toFixed(1)}% without the policy). Economic cost of the crisis (overdose deaths, drug-related homicides) ${fmtUsd(sum(p, (x) => cy(x).economicCost.totalUsd))} (${fmtUsd(sum(c, (x) => cy(x).economicCost.totalUsd))} without the policy).`;
  return [
    `Drug reaching the US ${first}-${r.summary.period[1]} (vs no new policy): ${COMMODITIES.map(flow).join(', ')}.`,
    `Risks recorded: strikes at sea ${fmtInt(strikesSea)}, on land ${fmtInt(strikesLand)}${bySov ? ` (by sovereignty: ${bySov})` : ''}; people killed aboard struck vessels ${fmtInt(killed)}; leadership losses ${fmtInt(leaders)}.`,
    conflictLine,
  ];
}
