/**
 * `crossroads sensitivity`: which declared uncertainties drive an outcome. Morris screening (mu*,
 * sigma) or Sobol indices (first order, total) with bootstrap intervals, on the model or on a
 * benchmark function with analytic indices (`--test-function`).
 */

import type { Command } from 'commander';
import { morrisIndices } from '../../analysis/morris-indices.js';
import { morrisSample, morrisSampleSpread } from '../../analysis/morris-sample.js';
import { saltelliSample } from '../../analysis/saltelli-sample.js';
import { sobolIndices } from '../../analysis/sobol-indices.js';
import {
  evaluateRows,
  gFunction,
  ishigami,
  TEST_FUNCTIONS,
  type TestFunction,
  type TestFunctionName,
} from '../../analysis/test-functions.js';
import { CrossroadsError } from '../../core/errors.js';
import { csvField as csvCell, textTable as table } from '../../core/text.js';
import { loadAcceptedSets } from '../../experiment/accepted-file.js';
import { valuesAt } from '../../experiment/sampling.js';
import { runSensitivity, type SensitivityResult } from '../../experiment/sensitivity.js';
import {
  DEFAULT_LEVELS,
  SENSITIVITY_DEFAULTS,
  SENSITIVITY_METHODS,
  type SensitivityContext,
  type SensitivityJob,
  type SensitivityMethod,
  setupSensitivity,
} from '../../experiment/sensitivity-chunk.js';
import { executorOptions, withExecutor } from '../analysis-session.js';
import { checkExperimentsFile, writeExperiments } from '../experiments-file.js';
import { loadPolicy, loadScenario } from '../inputs.js';
import { choiceOption, intOption, MAX_SEED } from '../options.js';
import { writeOutput } from '../output.js';

const FORMATS = ['table', 'json'] as const;

interface Flags {
  method: string;
  samples?: string;
  seed: string;
  outcome: string;
  policy?: string;
  format: string;
  out?: string;
  tornado?: string;
  threads?: string;
  executor?: string;
  redis?: string;
  workers?: string;
  levels: string;
  resamples: string;
  noise?: boolean;
  accepted?: string;
  assumptions?: string;
  testFunction?: string;
  experiments?: string;
  spreadCandidates?: string;
  param: string[];
  progress: boolean;
}

/** What the table and JSON show: the result plus, for a test function, its analytic indices. */
type Shown = SensitivityResult & {
  analytic?: { S1: number[]; ST: number[] };
  ranges?: Record<string, string>;
};

/** Register the command. */
export function registerSensitivity(program: Command): void {
  executorOptions(
    program
      .command('sensitivity')
      .description(
        'which uncertain inputs drive an outcome: Morris screening (mu*, sigma) or Sobol indices (S1, ST) with bootstrap intervals',
      )
      .argument('[scenario]', 'scenario file (YAML or JSON); the built-in default when omitted')
      .option('-m, --method <method>', SENSITIVITY_METHODS.join(' | '), 'morris')
      .option(
        '-n, --samples <n>',
        `Sobol: Saltelli's base sample N (N (D + 2) runs, default ${SENSITIVITY_DEFAULTS.n.sobol}); Morris: trajectories r (r (D + 1) runs, default ${SENSITIVITY_DEFAULTS.n.morris})`,
      )
      .option(
        '-s, --seed <n>',
        'seed of the design and the bootstrap (integer >= 0)',
        String(SENSITIVITY_DEFAULTS.seed),
      )
      .option(
        '--outcome <name>',
        'a summary outcome (deaths.total:sum:2026-2035), LEAF:YEAR (deaths.total:2030) or a leaf with a summary',
        SENSITIVITY_DEFAULTS.outcome,
      )
      .option(
        '-p, --policy <file|name>',
        'analyse the reduction no new policy - POLICY (e.g. deaths averted), paired on the same inputs',
      )
      .option('-f, --format <format>', FORMATS.join(' | '), 'table')
      .option('-o, --out <file>', 'write to a file (atomically) instead of stdout')
      .option(
        '--tornado <file>',
        'also write tornado-chart data (CSV: inputs ranked by ST or mu*, with intervals)',
      )
      .option('-t, --threads <n>', 'worker threads, 1 = in-process (default: all cores for large designs)')
      .option('--levels <p>', 'Morris grid levels (even)', String(DEFAULT_LEVELS))
      .option('--resamples <n>', 'bootstrap resamples', '100')
      .option('--noise', 'include process noise (the same random streams at every point)')
      .option(
        '--spread-candidates <m>',
        'Morris: keep the -n most spread-out of M candidate trajectories (Campolongo 2007; greedy)',
      )
      .option('--accepted <file>', 'accepted calibration sets (default: data/calibration/accepted.json)')
      .option(
        '-a, --assumptions <name|file>',
        'alternative assumption set (venezuela-fentanyl; baselines decline-continues, plateau, rebound) or an overlay file',
      )
      .option(
        '--test-function <name>',
        `analyse a benchmark function with analytic indices instead of the model: ${TEST_FUNCTIONS.join(' | ')}`,
      )
      .option(
        '--param <key=values>',
        'test-function parameter, repeatable: ishigami a=7 b=0.1; g-function a=0,1,4.5,9,99',
        (v: string, acc: string[]) => [...acc, v],
        [] as string[],
      )
      .option(
        '--experiments <file>',
        'also write every design point (parameter values, outcome): .csv, .parquet, or .tar.gz (EMA Workbench archive)',
      )
      .option('--no-progress', 'no progress output on stderr'),
  ).action(async (scenarioFile: string | undefined, opts: Flags) => {
    const method = choiceOption<SensitivityMethod>('--method', opts.method, SENSITIVITY_METHODS, 'morris');
    const n = intOption('-n', opts.samples, SENSITIVITY_DEFAULTS.n[method], 2, 10_000_000);
    const seed = intOption('--seed', opts.seed, SENSITIVITY_DEFAULTS.seed, 0, MAX_SEED);
    const format = choiceOption('--format', opts.format, FORMATS, 'table');
    const levels = intOption('--levels', opts.levels, DEFAULT_LEVELS, 2, 1000);
    if (levels % 2 !== 0) {
      throw new CrossroadsError('cli', [
        { path: '--levels', value: opts.levels, expected: 'an even integer' },
      ]);
    }
    const resamples = intOption('--resamples', opts.resamples, 100, 2, 100_000);
    if (opts.spreadCandidates !== undefined && method !== 'morris') {
      throw new CrossroadsError('cli', [
        {
          path: '--spread-candidates',
          value: opts.spreadCandidates,
          expected: 'only with --method morris',
        },
      ]);
    }
    const candidates =
      opts.spreadCandidates === undefined
        ? null
        : intOption('--spread-candidates', opts.spreadCandidates, n, n, 1000);

    let shown: Shown;
    if (opts.testFunction !== undefined) {
      const name = choiceOption<TestFunctionName>(
        '--test-function',
        opts.testFunction,
        TEST_FUNCTIONS,
        'ishigami',
      );
      for (const flag of ['policy', 'noise', 'accepted', 'assumptions', 'threads'] as const) {
        if (opts[flag] !== undefined) {
          throw new CrossroadsError('cli', [
            {
              path: `--${flag}`,
              value: String(opts[flag]),
              expected: 'no model option with --test-function',
            },
          ]);
        }
      }
      if (scenarioFile !== undefined) {
        throw new CrossroadsError('cli', [
          { path: 'SCENARIO', value: scenarioFile, expected: 'no scenario with --test-function' },
        ]);
      }
      shown = testFunctionResult(
        testFunction(name, opts.param),
        method,
        n,
        seed,
        levels,
        resamples,
        candidates,
      );
    } else {
      if (opts.param.length) {
        throw new CrossroadsError('cli', [
          { path: '--param', value: opts.param.join(' '), expected: 'only with --test-function' },
        ]);
      }
      const scenario = loadScenario(scenarioFile, opts.assumptions);
      const policy = opts.policy === undefined ? null : loadPolicy(opts.policy, scenario);
      const loaded = loadAcceptedSets(opts.accepted);
      const job: SensitivityJob = {
        method,
        n,
        seed,
        levels,
        scenario,
        policy,
        accepted: loaded.accepted,
        outcome: opts.outcome,
        stochastic: opts.noise === true,
        candidates,
      };
      // Validates the outcome and the design size before any worker starts.
      const ctx = setupSensitivity(job);
      const runs = ctx.rows * (policy ? 2 : 1);
      if (opts.experiments) await checkExperimentsFile(opts.experiments);
      const result = await withExecutor(
        'crossroads sensitivity',
        runs,
        opts,
        opts.progress !== false,
        (run) => runSensitivity(job, { ...run, resamples }),
      );
      const ranges: Record<string, string> = {};
      for (const p of ctx.space.ranged) ranges[p.id] = `${fmtSig(p.lo)} .. ${fmtSig(p.hi)}`;
      if (ctx.space.joint)
        ranges[SENSITIVITY_DEFAULTS.jointInput] = `1 of ${ctx.space.joint.sets.length} sets`;
      shown = { ...result, ranges };
      if (opts.experiments) await writeDesign(opts.experiments, ctx, result, policy?.name ?? null);
    }
    if (opts.tornado) writeOutput(tornadoCsv(shown), opts.tornado);
    writeOutput(format === 'json' ? `${JSON.stringify(jsonOf(shown), null, 2)}\n` : tableOf(shown), opts.out);
  });
}

/** Parse `--param` values into a test function. */
function testFunction(name: TestFunctionName, params: string[]): TestFunction {
  const values: Record<string, number[]> = {};
  for (const p of params) {
    const m = /^([a-z]\w*)=(.+)$/i.exec(p.trim());
    const nums = m
      ? m[2].split(',').map((s) => (/^\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/.test(s) ? Number(s) : Number.NaN))
      : [];
    if (!m || nums.some((x) => !Number.isFinite(x))) {
      throw new CrossroadsError('cli', [
        { path: '--param', value: p, expected: 'KEY=NUMBER[,NUMBER...], e.g. a=0,1,4.5,9,99' },
      ]);
    }
    values[m[1]] = nums;
  }
  const allowed = name === 'ishigami' ? ['a', 'b'] : ['a'];
  for (const k of Object.keys(values)) {
    if (!allowed.includes(k)) {
      throw new CrossroadsError('cli', [
        { path: '--param', value: k, expected: `a parameter of ${name}: ${allowed.join(', ')}` },
      ]);
    }
  }
  if (name === 'ishigami') {
    for (const k of ['a', 'b']) {
      if (values[k] && values[k].length !== 1) {
        throw new CrossroadsError('cli', [
          { path: '--param', value: `${k}=${values[k].join(',')}`, expected: 'a single number' },
        ]);
      }
    }
    return ishigami(values.a?.[0], values.b?.[0]);
  }
  return gFunction(values.a);
}

/** Run a test function's design in-process and analyse it. */
function testFunctionResult(
  f: TestFunction,
  method: SensitivityMethod,
  n: number,
  seed: number,
  levels: number,
  resamples: number,
  candidates: number | null,
): Shown {
  const D = f.inputs.length;
  const x =
    method === 'sobol'
      ? saltelliSample(n, D, { seed })
      : candidates
        ? morrisSampleSpread(n, D, candidates, { seed, levels })
        : morrisSample(n, D, { seed, levels });
  const y = evaluateRows(f, x);
  const boot = { seed, resamples };
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  let indices: Shown['indices'];
  let variance: number | null = null;
  if (method === 'sobol') {
    const r = sobolIndices(y, D, boot);
    indices = r.indices.map((ix, i) => ({ input: f.inputs[i], ...ix }));
    variance = r.variance;
  } else {
    indices = morrisIndices(x, y, D, boot).indices.map((ix, i) => ({ input: f.inputs[i], ...ix }));
  }
  return {
    method,
    n,
    outcome: f.description,
    indices,
    runs: y.length,
    outputs: y,
    outputMean: mean,
    outputVariance: variance,
    analytic: f.analytic,
    manifest: {
      packageVersion: '',
      modelVersion: '',
      scenario: { name: `test function ${f.name}`, hash: '' },
      policy: null,
      quantity: f.description,
      seed,
      stochastic: false,
      design:
        method === 'sobol'
          ? `Saltelli 2010 on a digitally shifted Sobol sequence: ${y.length} points`
          : `Morris trajectories, ${levels} levels: ${y.length} points`,
      confidence: `95% bootstrap over ${resamples} resamples (z x SD, as SALib)`,
      inputs: D,
      notes: [],
    },
  };
}

/** JSON in SALib's names, provenance after. */
function jsonOf(r: Shown): unknown {
  const { method, n, outcome, indices, runs, outputMean, outputVariance, manifest, analytic } = r;
  return {
    method,
    n,
    outcome,
    indices:
      method === 'sobol'
        ? indices.map((ix, i) => ({
            ...ix,
            ...(analytic ? { S1_analytic: analytic.S1[i], ST_analytic: analytic.ST[i] } : {}),
          }))
        : indices,
    runs,
    outputMean,
    outputVariance,
    manifest,
  };
}

/** Inputs ordered by importance (ST, or mu*), largest first. */
function ranked(r: Shown): number[] {
  const key = (i: number): number => {
    const ix = r.indices[i] as unknown as Record<string, number>;
    return r.method === 'sobol' ? ix.ST : ix.mu_star;
  };
  return r.indices.map((_, i) => i).sort((a, b) => key(b) - key(a) || a - b);
}

/** Three significant digits, thousands separators for large values. */
export function fmtSig(x: number): string {
  if (x === 0 || !Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString('en-US');
  return Number(x.toPrecision(3)).toString();
}

const f3 = (x: number): string => x.toFixed(3);

/** Sobol estimates that no variance share can take (beyond [0, 1] by more than small sampling noise). */
export function outsideUnit(r: Pick<Shown, 'indices'>): string[] {
  const out: string[] = [];
  for (const ix of r.indices as { input: string; S1?: number; ST?: number }[]) {
    for (const key of ['S1', 'ST'] as const) {
      const v = ix[key];
      if (v !== undefined && (v > 1.05 || v < -0.1)) out.push(`${key} of ${ix.input} = ${f3(v)}`);
    }
  }
  return out;
}

/** The human-readable table. */
function tableOf(r: Shown): string {
  const order = ranked(r);
  const lines: string[] = [];
  const what = r.manifest.quantity;
  lines.push(r.method === 'sobol' ? `Sobol indices of ${what}` : `Morris elementary effects of ${what}`);
  lines.push(
    `${r.manifest.design}; ${r.manifest.inputs} inputs, ${r.runs.toLocaleString('en-US')} model evaluations, seed ${r.manifest.seed}.`,
  );
  lines.push('');
  let header: string[];
  let rows: string[][];
  if (r.method === 'sobol') {
    header = ['rank', 'input', 'S1', 'S1 95% CI', 'ST', 'ST 95% CI', 'ST - S1'];
    if (r.analytic) header.push('S1 exact', 'ST exact');
    else header.push('range');
    rows = order.map((i, k) => {
      const ix = r.indices[i] as { input: string; S1: number; S1_conf: number; ST: number; ST_conf: number };
      const row = [
        String(k + 1),
        ix.input,
        f3(ix.S1),
        `${f3(ix.S1 - ix.S1_conf)} .. ${f3(ix.S1 + ix.S1_conf)}`,
        f3(ix.ST),
        `${f3(ix.ST - ix.ST_conf)} .. ${f3(ix.ST + ix.ST_conf)}`,
        f3(ix.ST - ix.S1),
      ];
      if (r.analytic) row.push(f3(r.analytic.S1[i]), f3(r.analytic.ST[i]));
      else row.push(r.ranges?.[ix.input] ?? '');
      return row;
    });
  } else {
    header = ['rank', 'input', 'mu*', 'mu* 95% CI', 'mu', 'sigma', 'sigma/mu*'];
    if (!r.analytic) header.push('range');
    rows = order.map((i, k) => {
      const ix = r.indices[i] as {
        input: string;
        mu: number;
        mu_star: number;
        mu_star_conf: number;
        sigma: number;
      };
      const row = [
        String(k + 1),
        ix.input,
        fmtSig(ix.mu_star),
        `${fmtSig(ix.mu_star - ix.mu_star_conf)} .. ${fmtSig(ix.mu_star + ix.mu_star_conf)}`,
        fmtSig(ix.mu),
        fmtSig(ix.sigma),
        ix.mu_star > 0 ? (ix.sigma / ix.mu_star).toFixed(2) : '-',
      ];
      if (!r.analytic) row.push(r.ranges?.[ix.input] ?? '');
      return row;
    });
  }
  lines.push(table(header, rows));
  lines.push('');
  if (r.method === 'sobol') {
    lines.push(
      `Outcome mean ${fmtSig(r.outputMean)}, variance ${fmtSig(r.outputVariance ?? 0)}. S1: share of the variance due to the input alone; ST: including its interactions (ST - S1).`,
    );
    lines.push(
      'An interval that includes 0 means the input is not distinguishable from no effect at this N; raise -n to narrow the intervals (they shrink as 1/sqrt(N)).',
    );
    const impossible = outsideUnit(r);
    if (impossible.length) {
      lines.push(
        `Warning: ${impossible.join('; ')} outside [0, 1], which no share of a variance can be: estimator noise at this N (or an outcome with rare extreme values); raise -n before reading these.`,
      );
    }
  } else {
    lines.push(
      `Outcome mean ${fmtSig(r.outputMean)}. mu*: mean absolute change of the outcome per unit move of the input in quantile space (one step Delta, see the design line, scaled to a move across its whole range); sigma/mu* above ~0.5: non-linear or interacting.`,
    );
    lines.push(
      'Screening: inputs with mu* near 0 can be held at their values; rank the rest with --method sobol.',
    );
  }
  for (const note of r.manifest.notes) lines.push(`Note: ${note}.`);
  return `${lines.join('\n')}\n`;
}

/** Tornado-chart data: one row per input, ranked. */
function tornadoCsv(r: Shown): string {
  const order = ranked(r);
  const out: string[] = [];
  if (r.method === 'sobol') {
    out.push('rank,input,ST,ST_low,ST_high,S1,S1_low,S1_high');
    order.forEach((i, k) => {
      const ix = r.indices[i] as { input: string; S1: number; S1_conf: number; ST: number; ST_conf: number };
      out.push(
        [
          k + 1,
          csvCell(ix.input),
          ix.ST,
          ix.ST - ix.ST_conf,
          ix.ST + ix.ST_conf,
          ix.S1,
          ix.S1 - ix.S1_conf,
          ix.S1 + ix.S1_conf,
        ].join(','),
      );
    });
  } else {
    out.push('rank,input,mu_star,mu_star_low,mu_star_high,mu,sigma');
    order.forEach((i, k) => {
      const ix = r.indices[i] as {
        input: string;
        mu: number;
        mu_star: number;
        mu_star_conf: number;
        sigma: number;
      };
      out.push(
        [
          k + 1,
          csvCell(ix.input),
          ix.mu_star,
          ix.mu_star - ix.mu_star_conf,
          ix.mu_star + ix.mu_star_conf,
          ix.mu,
          ix.sigma,
        ].join(','),
      );
    });
  }
  return `${out.join('\n')}\n`;
}

/** `--experiments`: every design point's parameter values and the outcome there. */
async function writeDesign(
  path: string,
  ctx: SensitivityContext,
  result: SensitivityResult,
  policy: string | null,
): Promise<void> {
  const D = ctx.dimensions;
  const first = valuesAt(ctx.space, ctx.design.subarray(0, D));
  const inputs = Object.keys(first);
  const arm = policy ? `reduction by ${policy}` : 'no new policy';
  const columns = [...inputs, `${arm}:${result.outcome}`];
  const w = columns.length;
  const rows = new Float64Array(ctx.rows * w);
  for (let r = 0; r < ctx.rows; r++) {
    const v = valuesAt(ctx.space, ctx.design.subarray(r * D, (r + 1) * D));
    for (let j = 0; j < inputs.length; j++) rows[r * w + j] = v[inputs[j]];
    rows[r * w + inputs.length] = result.outputs[r];
  }
  await writeExperiments(
    path,
    [{ arm, label: arm, table: { n: ctx.rows, columns, rows, inputs } }],
    [result.outcome],
  );
}
