/**
 * `crossroads discover`: scenario discovery. An ensemble over the declared uncertainties (Latin
 * hypercube by default), a failure condition on an outcome (for example "the package averts fewer than
 * 10,000 deaths"), and PRIM's box of the worlds where it fails (src/analysis/prim.ts).
 */

import type { Command } from 'commander';
import {
  DEFAULTS as PRIM,
  type PrimBox,
  type PrimResult,
  prim,
  quasiPValues,
  restrictTo,
} from '../../analysis/prim.js';
import { CrossroadsError } from '../../core/errors.js';
import { textTable as table } from '../../core/text.js';
import { loadAcceptedSets } from '../../experiment/accepted-file.js';
import { ENSEMBLE_DEFAULTS } from '../../experiment/ensemble.js';
import { column, inputMatrix, replicateTable, summaryId } from '../../experiment/replicate-table.js';
import { DESIGNS, type Design } from '../../experiment/sampling.js';
import { noPolicy } from '../../scenario/resolve.js';
import { MODEL_VERSION } from '../../version.js';
import { type WorldFlags, withExecutor, worldOptions } from '../analysis-session.js';
import { checkExperimentsFile, writeExperiments } from '../experiments-file.js';
import { loadPolicy, loadScenario } from '../inputs.js';
import { choiceOption, intOption, MAX_SEED } from '../options.js';
import { writeOutput } from '../output.js';
import { fmtSig } from './sensitivity.js';

const FORMATS = ['table', 'json'] as const;
/** Restrictions with a quasi-p-value below this are called significant (Bryant & Lempert 2010 use 0.05). */
const QP_LEVEL = 0.05;

/** A failure condition: `< 10000`, `>= 0.5`. */
export interface Condition {
  op: '<' | '<=' | '>' | '>=';
  value: number;
}

/** Parse a condition flag. */
export function parseCondition(raw: string, flag = '--fail'): Condition {
  const m = /^\s*(<=|>=|<|>)\s*(-?\d+(\.\d+)?([eE][-+]?\d+)?)\s*$/.exec(raw.replace(/_/g, ''));
  if (!m) {
    throw new CrossroadsError('cli', [
      { path: flag, value: raw, expected: "an operator and a number, e.g. '<10000' or '>=0.5'" },
    ]);
  }
  return { op: m[1] as Condition['op'], value: Number(m[2]) };
}

function meets(c: Condition, x: number): boolean {
  return c.op === '<'
    ? x < c.value
    : c.op === '<='
      ? x <= c.value
      : c.op === '>'
        ? x > c.value
        : x >= c.value;
}

function share(raw: string, flag: string, lo: number, hi: number): number {
  const v = Number(raw);
  if (!/^\d*\.?\d+$/.test(raw.trim()) || !(v > lo && v < hi)) {
    throw new CrossroadsError('cli', [
      { path: flag, value: raw, expected: `a number strictly between ${lo} and ${hi}` },
    ]);
  }
  return v;
}

interface Flags extends WorldFlags {
  policy?: string;
  outcome: string;
  fail?: string;
  replicates: string;
  seed: string;
  design: string;
  threshold: string;
  peelAlpha: string;
  pasteAlpha: string;
  massMin: string;
}

/** Register the command. */
export function registerDiscover(program: Command): void {
  worldOptions(
    program
      .command('discover')
      .description(
        'scenario discovery: the box of uncertain inputs (PRIM) where an outcome meets a failure condition, e.g. a package averting fewer than 10,000 deaths',
      )
      .argument('[scenario]', 'scenario file (YAML or JSON); the built-in default when omitted')
      .option(
        '-p, --policy <file|name>',
        'the outcome becomes the reduction no new policy - POLICY (e.g. deaths averted)',
      )
      .option('--outcome <name>', 'a summary outcome or a leaf with one', 'deaths.total')
      .option('--fail <condition>', "failure condition on the outcome, e.g. '<10000' (required)")
      .option('-n, --replicates <n>', 'worlds (ensemble replicates)', '1000')
      .option('-s, --seed <n>', 'random seed (integer >= 0)', String(ENSEMBLE_DEFAULTS.seed))
      .option('--design <design>', DESIGNS.join(' | '), 'latin-hypercube')
      .option(
        '--threshold <density>',
        'choose the box of highest coverage with at least this density',
        String(PRIM.threshold),
      )
      .option('--peel-alpha <share>', 'share of the box peeled per step', String(PRIM.peelAlpha))
      .option('--paste-alpha <share>', 'share pasted back per step', String(PRIM.pasteAlpha))
      .option('--mass-min <share>', 'smallest box, as a share of all worlds', String(PRIM.massMin)),
    FORMATS,
    'also write every world (inputs, outcomes): .csv, .parquet, or .tar.gz in the EMA Workbench archive layout',
  ).action(async (scenarioFile: string | undefined, opts: Flags) => {
    if (opts.fail === undefined) {
      throw new CrossroadsError('cli', [
        { path: '--fail', value: undefined, expected: "a failure condition such as '<10000'" },
      ]);
    }
    const condition = parseCondition(opts.fail);
    const n = intOption('-n', opts.replicates, 1000, 20, ENSEMBLE_DEFAULTS.maxReplicates);
    const seed = intOption('--seed', opts.seed, ENSEMBLE_DEFAULTS.seed, 0, MAX_SEED);
    const design = choiceOption<Design>('--design', opts.design, DESIGNS, 'latin-hypercube');
    const format = choiceOption('--format', opts.format, FORMATS, 'table');
    const threshold = share(opts.threshold, '--threshold', 0, 1);
    const primOptions = {
      threshold,
      peelAlpha: share(opts.peelAlpha, '--peel-alpha', 0, 0.5),
      pasteAlpha: share(opts.pasteAlpha, '--paste-alpha', 0, 0.5),
      massMin: share(opts.massMin, '--mass-min', 0, 1),
    };
    const scenario = loadScenario(scenarioFile, opts.assumptions);
    const policy = opts.policy === undefined ? null : loadPolicy(opts.policy, scenario);
    const loaded = loadAcceptedSets(opts.accepted);
    const none = { name: 'none', policy: noPolicy() };
    const arms = policy ? [{ name: 'policy', policy }, none] : [none];
    const spec = {
      scenario,
      arms,
      n,
      seed,
      design,
      accepted: loaded.accepted,
      acceptedSource: loaded.source,
    };
    if (opts.experiments) await checkExperimentsFile(opts.experiments);
    const t = await withExecutor(
      'crossroads discover',
      n * arms.length,
      opts,
      opts.progress !== false,
      (run) => replicateTable(spec, run),
    );
    const id = summaryId(t.result, opts.outcome);
    if (opts.experiments) {
      await writeExperiments(
        opts.experiments,
        [
          ...(policy ? [{ arm: 'policy', label: policy.name, table: t }] : []),
          { arm: 'none', label: 'no new policy', table: t },
        ],
        t.result.layout.summaries.map((s) => s.id),
      );
    }
    const outcome = column(t, `none:${id}`);
    if (policy) {
      const withPolicy = column(t, `policy:${id}`);
      for (let i = 0; i < n; i++) outcome[i] -= withPolicy[i];
    }
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) y[i] = meets(condition, outcome[i]) ? 1 : 0;
    const quantity = policy
      ? `${id} reduction by ${policy.name} (no new policy - policy)`
      : `${id} under no new policy`;
    const conditionText = `${quantity} ${condition.op} ${condition.value}`;
    const failures = y.reduce((a, b) => a + b, 0);
    if (failures === 0 || failures === n) {
      writeOutput(
        `${conditionText}: ${failures === 0 ? 'no' : 'every'} world of ${n} meets the condition, so there is no box to find (outcome range ${fmtSig(Math.min(...outcome))} .. ${fmtSig(Math.max(...outcome))}).\n`,
        opts.out,
      );
      return;
    }
    // Inputs that vary in this ensemble (a parameter held constant cannot be restricted).
    const x = inputMatrix(t);
    const d = t.inputs.length;
    const r = prim(x, y, d, primOptions);
    const qp = quasiPValues(x, y, d, r.chosen);
    const significant = restrictTo(
      x,
      y,
      d,
      r,
      r.chosen.restricted.filter((_, k) => qp[k] < QP_LEVEL),
    );
    const report = {
      condition: conditionText,
      outcome: id,
      policy: policy?.name ?? null,
      n,
      seed,
      design,
      modelVersion: MODEL_VERSION,
      cases: failures,
      baseDensity: r.baseDensity,
      prim: primOptions,
      trajectory: r.trajectory.map((b, step) => ({ step, ...boxSummary(b, t.inputs) })),
      box: {
        step: r.chosenStep,
        ...boxSummary(r.chosen, t.inputs),
        limits: limits(r, r.chosen, t.inputs, qp),
      },
      significantBox: { qpBelow: QP_LEVEL, ...boxSummary(significant, t.inputs) },
      notes: t.result.manifest.parameters.notes,
    };
    writeOutput(format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : tableOf(report, r), opts.out);
  });
}

function boxSummary(b: PrimBox, inputs: string[]) {
  return {
    coverage: b.coverage,
    density: b.density,
    mass: b.mass,
    worlds: b.points,
    restricted: b.restricted.map((j) => inputs[j]),
  };
}

function limits(r: PrimResult, b: PrimBox, inputs: string[], qp: number[]) {
  return b.restricted.map((j, k) => ({
    input: inputs[j],
    lo: b.lo[j],
    hi: b.hi[j],
    rangeLo: r.lo[j],
    rangeHi: r.hi[j],
    kept: r.hi[j] > r.lo[j] ? (b.hi[j] - b.lo[j]) / (r.hi[j] - r.lo[j]) : 1,
    qp: qp[k],
  }));
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

function tableOf(
  rep: {
    condition: string;
    n: number;
    cases: number;
    baseDensity: number;
    prim: { threshold: number };
    trajectory: { step: number; coverage: number; density: number; mass: number; restricted: string[] }[];
    box: ReturnType<typeof boxSummary> & { step: number; limits: ReturnType<typeof limits> };
    significantBox: ReturnType<typeof boxSummary> & { qpBelow: number };
    notes: string[];
  },
  r: PrimResult,
): string {
  const lines: string[] = [];
  lines.push(`Scenario discovery (PRIM) for: ${rep.condition}`);
  lines.push(
    `${rep.cases} of ${rep.n} worlds meet the condition (${pct(rep.baseDensity)}). Peeling trajectory (coverage: share of those worlds inside the box; density: share of the box's worlds that meet it):`,
  );
  lines.push('');
  // Every step when short, else about 15 evenly spaced steps plus the chosen one.
  const steps = rep.trajectory.length;
  const every = Math.max(1, Math.ceil(steps / 15));
  const shown = rep.trajectory.filter(
    (s) => s.step % every === 0 || s.step === steps - 1 || s.step === r.chosenStep,
  );
  lines.push(
    table(
      ['step', 'coverage', 'density', 'mass', 'inputs restricted', ''],
      shown.map((s) => [
        String(s.step),
        pct(s.coverage),
        pct(s.density),
        pct(s.mass),
        String(s.restricted.length),
        s.step === r.chosenStep ? '<- chosen' : '',
      ]),
    ),
  );
  lines.push('');
  const b = rep.box;
  lines.push(
    `Chosen box (step ${b.step}, pasted): coverage ${pct(b.coverage)}, density ${pct(b.density)}, ${b.worlds} worlds (${pct(b.mass)} of all)${b.density < rep.prim.threshold ? `; no box reached the density threshold ${rep.prim.threshold}, so this is the densest` : ''}.`,
  );
  lines.push('');
  lines.push(
    table(
      ['input', 'box', 'full range', 'share of range kept', 'quasi-p'],
      [...b.limits]
        .sort((p, q) => p.qp - q.qp)
        .map((l) => [
          l.input,
          `${fmtSig(l.lo)} .. ${fmtSig(l.hi)}`,
          `${fmtSig(l.rangeLo)} .. ${fmtSig(l.rangeHi)}`,
          pct(l.kept),
          l.qp < 1e-4 ? '<0.0001' : l.qp.toFixed(4),
        ]),
    ),
  );
  const sb = rep.significantBox;
  lines.push('');
  lines.push(
    `Restricting only the ${sb.restricted.length} inputs with quasi-p < ${sb.qpBelow} (${sb.restricted.join(', ') || 'none'}): coverage ${pct(sb.coverage)}, density ${pct(sb.density)}, ${sb.worlds} worlds.`,
  );
  lines.push(
    `Read: inside this box the condition holds in ${pct(b.density)} of worlds (vs ${pct(rep.baseDensity)} overall), and the box holds ${pct(b.coverage)} of all worlds where it holds. Inputs not listed are unrestricted; a large quasi-p (one-sided binomial test of the restriction, Bryant & Lempert 2010) marks a restriction that adds little.`,
  );
  for (const note of rep.notes) lines.push(`Note: ${note}.`);
  return `${lines.join('\n')}\n`;
}
