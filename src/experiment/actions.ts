/**
 * The Action · Intended Outcome · Potential Risk table (issue 13; the seed article's table measured).
 * An action is a named group of a policy's lever entries (`action:` label; by default each entry is
 * its own action). Each action's share of the package's effect is attributed by running the package
 * with and without actions on common random numbers (same seed, replicate and parameter draw as the
 * ensemble's replicates): exact Shapley values over every subset for up to five actions (2^k runs a
 * replicate; they add up to the package's effect by construction), leave-one-out beyond (k + 2 runs:
 * the package minus each action; these need not add up, and the residual is reported).
 *
 * Intended outcomes: cocaine and fentanyl reaching the US (% of the no-policy run) and overdose
 * deaths (people). Potential risks: every declared outcome with `risk: true` and a summary (so issue
 * 14's risks join without a change here), over the summary window (sum, or the last year's value),
 * and for outcomes declaring `probability`, the probability its summary is positive. Amounts are
 * medians with p5 and p95 over the replicates of the per-replicate attribution; probabilities are
 * the mean attributed change of the indicator with a 90% normal-approximation interval of that mean.
 */

import { fail } from '../core/errors.js';
import { fmtUsd } from '../core/text.js';
import { type Prepared, prepare, type RunOutput, releaseRun, runModel } from '../engine/run.js';
import type { CompiledOutcome } from '../model/outcomes.js';
import {
  type ActionAttributionShape,
  type ActionEntryShape,
  type ActionRowShape,
  type RunResult,
  runPolicy,
} from '../report/run-result.js';
import { alignPolicyStart, noPolicy, summaryStartYear } from '../scenario/resolve.js';
import type { LeverUse, Policy, Scenario } from '../spec/scenario.js';
import { type AcceptedSets, type Design, parameterSpace, Sampler, valuesAt } from './sampling.js';

const MODULE = 'experiment/actions';

/** Settings. */
export const ACTION_DEFAULTS = {
  /** Up to this many actions, exact Shapley values; beyond, leave-one-out. */
  shapleyMaxActions: 5,
  /** Replicates of the table when a command runs more (the first ones of its design). */
  maxReplicates: 100,
  /** z of the 90% interval of a mean probability. */
  z90: 1.6448536269514722,
} as const;

/** One measured quantity of an action, one row of the table, how it was computed: the run document's shapes. */
export type ActionEntry = ActionEntryShape;
export type ActionRow = ActionRowShape;
export type ActionAttribution = ActionAttributionShape;

/** What the table needs. */
export interface ActionTableSpec {
  scenario: Scenario;
  policy: Policy;
  /** Replicates (parameter draws); 1 = the single seeded run at the declared values. */
  n: number;
  seed: number;
  /** The ensemble's N and design, so replicate i draws what the ensemble's replicate i drew. */
  ensembleN?: number;
  design?: Design;
  accepted?: AcceptedSets | null;
}

/** The actions of a policy: entries grouped by `action` label, else one action per entry. */
export function actionsOf(policy: Policy): { name: string; entries: LeverUse[] }[] {
  const out: { name: string; entries: LeverUse[] }[] = [];
  for (const use of policy.levers) {
    const name = use.action ?? `${use.lever}${use.target ? ` ${use.target}` : ''}`;
    const found = use.action ? out.find((a) => a.name === name) : undefined;
    if (found) found.entries.push(use);
    else {
      const unique = out.some((a) => a.name === name) ? `${name} (${out.length + 1})` : name;
      out.push({ name: unique, entries: [use] });
    }
  }
  return out;
}

/** A metric read from one run over the window. */
interface Metric {
  outcome: string;
  label: string;
  unit: string;
  kind: 'intended-percent' | 'intended' | 'risk' | 'probability';
  col: number;
  statistic: 'sum' | 'last';
}

const INTENDED: { path: string; label: string; percent: boolean }[] = [
  { path: 'flow.cocaine', label: 'cocaine to the US', percent: true },
  { path: 'flow.fentanyl', label: 'fentanyl to the US', percent: true },
  { path: 'deaths.total', label: 'overdose deaths', percent: false },
];

function metricsOf(outcomes: readonly CompiledOutcome[]): Metric[] {
  const col = (path: string) => outcomes.findIndex((o) => o.path === path);
  const out: Metric[] = [];
  for (const i of INTENDED) {
    const c = col(i.path);
    if (c < 0) fail(MODULE, 'outcome', i.path, 'a declared outcome');
    out.push({
      outcome: i.path,
      label: i.label,
      unit: i.percent ? '% of no new policy' : 'people',
      kind: i.percent ? 'intended-percent' : 'intended',
      col: c,
      statistic: 'sum',
    });
  }
  outcomes.forEach((o, c) => {
    if (!o.risk || !o.summary) return;
    const unit = o.summary === 'sum' ? o.unit.replace(/ a year$/, '') : o.unit;
    out.push({ outcome: o.path, label: o.label, unit, kind: 'risk', col: c, statistic: o.summary });
    if (o.probability)
      out.push({
        outcome: `${o.path}:probability`,
        label: o.probability,
        unit: 'probability',
        kind: 'probability',
        col: c,
        statistic: o.summary,
      });
  });
  return out;
}

/** The metrics' values of one run over the window [y0, y1] (year indices into the run's rows). */
function readRun(
  run: RunOutput,
  metrics: readonly Metric[],
  y0: number,
  y1: number,
  out: Float64Array,
): void {
  const n = run.outcomes.length;
  const v = run.values;
  metrics.forEach((m, k) => {
    let x = 0;
    if (m.statistic === 'sum') for (let y = y0; y <= y1; y++) x += v[y * n + m.col];
    else x = v[y1 * n + m.col];
    out[k] = m.kind === 'probability' ? (x > 1e-9 ? 1 : 0) : x;
  });
}

/** Exact Shapley weights |S|! (k - |S| - 1)! / k! by subset size. */
function shapleyWeights(k: number): number[] {
  const f = (x: number): number => (x <= 1 ? 1 : x * f(x - 1));
  return Array.from({ length: k }, (_, s) => (f(s) * f(k - s - 1)) / f(k));
}

function popcount(x: number): number {
  let c = 0;
  for (let v = x; v; v &= v - 1) c++;
  return c;
}

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (h - lo);
}

function entryOf(m: Metric, values: Float64Array): ActionEntry {
  if (m.kind === 'probability') {
    let mean = 0;
    for (const x of values) mean += x;
    mean /= values.length;
    let ss = 0;
    for (const x of values) ss += (x - mean) ** 2;
    const se = values.length > 1 ? Math.sqrt(ss / (values.length - 1) / values.length) : 0;
    const z = ACTION_DEFAULTS.z90;
    const clip = (x: number) => Math.max(-1, Math.min(1, x));
    return {
      outcome: m.outcome,
      label: m.label,
      unit: m.unit,
      median: mean,
      p5: clip(mean - z * se),
      p95: clip(mean + z * se),
    };
  }
  const sorted = Float64Array.from(values).sort();
  return {
    outcome: m.outcome,
    label: m.label,
    unit: m.unit,
    median: quantile(sorted, 0.5),
    p5: quantile(sorted, 0.05),
    p95: quantile(sorted, 0.95),
  };
}

/**
 * Compute the table: for each replicate, run the package variants, attribute each metric, and
 * summarise over the replicates.
 */
export function actionTable(spec: ActionTableSpec): {
  actions: ActionRow[];
  attribution: ActionAttribution;
  /** Wall-clock seconds the table's runs took (kept out of the results, which replay bit for bit). */
  seconds: number;
} {
  const started = Date.now();
  // Every package variant runs on the scenario the whole package would (the same hand-over month).
  spec = { ...spec, scenario: alignPolicyStart(spec.scenario, [spec.policy]) };
  const acts = actionsOf(spec.policy);
  const k = acts.length;
  const shapley = k <= ACTION_DEFAULTS.shapleyMaxActions;
  // Subsets as bit masks over the actions.
  const full = (1 << Math.min(k, 30)) - 1;
  const masks: number[] = shapley
    ? Array.from({ length: 1 << k }, (_, m) => m)
    : [0, full, ...acts.map((_, i) => full & ~(1 << i)), ...acts.map((_, i) => 1 << i)];
  const policyOf = (mask: number): Policy =>
    mask === 0
      ? noPolicy()
      : {
          name: `${spec.policy.name}[${mask.toString(2).padStart(k, '0')}]`,
          levers: acts.flatMap((a, i) => (mask & (1 << i) ? a.entries : [])),
        };
  const policies = masks.map(policyOf);
  const first = summaryStartYear(spec.scenario, [spec.policy]);
  const n = Math.max(1, spec.n);
  const stochasticDraws = spec.n > 1;
  const sampler = stochasticDraws
    ? new Sampler(
        parameterSpace(spec.scenario, spec.accepted ?? null),
        spec.design ?? 'monte-carlo',
        spec.seed,
        Math.max(n, spec.ensembleN ?? n),
      )
    : null;
  let metrics: Metric[] = [];
  let y0 = 0;
  let y1 = 0;
  let window: [number, number] = [first, first];
  // Per replicate, per action (and the package as action k), per metric.
  let attributed: Float64Array[] = [];
  // Leave-one-out only: each action alone vs no new policy, per replicate, per action, per metric.
  let alone: Float64Array[] = [];
  const weights = shapleyWeights(k);
  for (let r = 0; r < n; r++) {
    const parameters = sampler ? valuesAt(sampler.space, sampler.uniforms(r)) : undefined;
    let prepared: Prepared | undefined;
    const vals: Float64Array[] = [];
    for (const policy of policies) {
      const input = { scenario: spec.scenario, policy, seed: spec.seed, replicate: r, parameters };
      prepared = prepared ? prepare(input, prepared) : prepare(input);
      const run = runModel(input, prepared);
      if (metrics.length === 0) {
        metrics = metricsOf(run.outcomes);
        const firstYear = run.axis.firstYear;
        const years = run.values.length / run.outcomes.length;
        y0 = Math.max(0, first - firstYear);
        y1 = years - 1;
        window = [firstYear + y0, firstYear + y1];
        attributed = Array.from({ length: (k + 1) * metrics.length }, () => new Float64Array(n));
        if (!shapley) alone = Array.from({ length: k * metrics.length }, () => new Float64Array(n));
      }
      const row = new Float64Array(metrics.length);
      readRun(run, metrics, y0, y1, row);
      vals.push(row);
      releaseRun(run);
    }
    const at = (mask: number) => vals[shapley ? mask : masks.indexOf(mask)];
    const base = at(0);
    const scale = metrics.map((m, j) =>
      m.kind === 'intended-percent' ? (base[j] > 0 ? 100 / base[j] : 0) : 1,
    );
    for (let j = 0; j < metrics.length; j++) {
      attributed[k * metrics.length + j][r] = (at(full)[j] - base[j]) * scale[j];
      for (let i = 0; i < k; i++) {
        const bit = 1 << i;
        let phi = 0;
        if (shapley) {
          for (let m = 0; m <= full; m++) {
            if (m & bit) continue;
            phi += weights[popcount(m)] * (at(m | bit)[j] - at(m)[j]);
          }
        } else {
          phi = at(full)[j] - at(full & ~bit)[j];
          alone[i * metrics.length + j][r] = (at(bit)[j] - base[j]) * scale[j];
        }
        attributed[i * metrics.length + j][r] = phi * scale[j];
      }
    }
  }
  const entries = (i: number, kind: 'intended' | 'risk', from = attributed) =>
    metrics
      .map((m, j) => ({ m, j }))
      .filter(({ m }) =>
        kind === 'intended' ? m.kind.startsWith('intended') : !m.kind.startsWith('intended'),
      )
      .map(({ m, j }) => entryOf(m, from[i * metrics.length + j]));
  const actions: ActionRow[] = acts.map((a, i) => ({
    name: a.name,
    levers: a.entries.map((e) => (e.target ? { lever: e.lever, target: e.target } : { lever: e.lever })),
    intended: entries(i, 'intended'),
    risk: entries(i, 'risk'),
    ...(shapley
      ? {}
      : { alone: { intended: entries(i, 'intended', alone), risk: entries(i, 'risk', alone) } }),
  }));
  const pkg = { intended: entries(k, 'intended'), risk: entries(k, 'risk') };
  let residual: Record<string, number> | undefined;
  if (!shapley) {
    residual = {};
    for (const e of [...pkg.intended, ...pkg.risk]) {
      const sum = actions.reduce(
        (s, a) => s + ([...a.intended, ...a.risk].find((x) => x.outcome === e.outcome)?.median ?? 0),
        0,
      );
      residual[e.outcome] = e.median - sum;
    }
  }
  return {
    actions,
    attribution: {
      method: shapley ? 'shapley' : 'leave-one-out',
      replicates: n,
      runsPerReplicate: masks.length,
      window,
      package: pkg,
      ...(residual ? { residual } : {}),
      note: shapley
        ? `exact Shapley values over ${k} action${k === 1 ? '' : 's'} (${masks.length} package variants a replicate on common random numbers): each replicate's attributions add up to the package's effect`
        : `leave-one-out over ${k} actions (the package minus each action, and each action alone; ${masks.length} runs a replicate): attributions need not add up to the package's effect (residual given), and a risk another action already causes can vanish from a row (each row's "alone" line shows it)`,
    },
    seconds: (Date.now() - started) / 1000,
  };
}

/** A number with a sign, in the entry's unit (percent with one decimal, probabilities with two). */
function fmtEntryValue(e: ActionEntry, x: number): string {
  const sign = x > 0 ? '+' : x < 0 ? '-' : '';
  const a = Math.abs(x);
  if (e.unit === 'probability') return (Math.abs(x) < 0.005 ? 0 : x).toFixed(2);
  if (e.unit.startsWith('%')) return `${sign}${a.toFixed(1)}%`;
  if (e.unit === 'index') return `${sign}${a.toFixed(3)}`;
  if (/USD/.test(e.unit)) return `${sign}${fmtUsd(a)}`;
  const text =
    a >= 100 ? Math.round(a).toLocaleString('en-US') : Number(a.toPrecision(3)).toLocaleString('en-US');
  return text === '0' ? '0' : `${sign}${text}`;
}

/** "cocaine to the US -4.0% (-9.0% .. -1.0%)". */
export function fmtEntry(e: ActionEntry): string {
  if (e.p5 === e.median && e.p95 === e.median) return `${e.label} ${fmtEntryValue(e, e.median)}`;
  return `${e.label} ${fmtEntryValue(e, e.median)} (${fmtEntryValue(e, e.p5)} .. ${fmtEntryValue(e, e.p95)})`;
}

/** Does the entry differ from zero anywhere in its interval, at the precision it is printed? */
export function isNonZero(e: ActionEntry): boolean {
  const eps = e.unit === 'index' ? 5e-4 : e.unit === 'probability' ? 5e-3 : 1e-9;
  return Math.max(Math.abs(e.median), Math.abs(e.p5), Math.abs(e.p95)) >= eps;
}

/**
 * The table as text: one block per action (its levers, intended outcomes, potential risks), then the
 * package; risks that are zero over the whole interval are left out of the text (the JSON has all).
 */
export function actionTableText(
  actions: readonly ActionRow[],
  a: ActionAttribution,
  title = 'Action · Intended Outcome · Potential Risk',
): string[] {
  const lines = [
    `${title} (${a.window[0]}-${a.window[1]}; each action's effect vs no new policy; median (p5 .. p95) over ${a.replicates.toLocaleString('en-US')} replicate${a.replicates === 1 ? '' : 's'}):`,
  ];
  const block = (name: string, levers: string, intended: ActionEntry[], risk: ActionEntry[]) => {
    lines.push(`  ${name}${levers ? ` [${levers}]` : ''}`);
    lines.push(`    intended outcome: ${intended.map(fmtEntry).join('; ')}`);
    const shown = risk.filter(isNonZero);
    lines.push(`    potential risk:   ${shown.length ? shown.map(fmtEntry).join('; ') : 'none measured'}`);
  };
  for (const row of actions) {
    block(
      row.name,
      row.levers.map((l) => `${l.lever}${l.target ? ` ${l.target}` : ''}`).join(', '),
      row.intended,
      row.risk,
    );
    if (row.alone) {
      const shown = row.alone.risk.filter(isNonZero);
      lines.push(
        `    alone (vs no new policy): ${row.alone.intended.map(fmtEntry).join('; ')}; risk: ${shown.length ? shown.map(fmtEntry).join('; ') : 'none measured'}`,
      );
    }
  }
  if (actions.length > 1) block('whole package', '', a.package.intended, a.package.risk);
  lines.push(
    `  Attribution: ${a.note}. Probabilities: mean attributed change of the indicator, 90% interval of that mean.${
      a.residual
        ? ` Residual (package - sum of actions, medians): ${
            Object.entries(a.residual)
              .filter(([, v]) => Math.abs(v) > 1e-9)
              .map(([k, v]) => `${k} ${Number(v.toPrecision(3))}`)
              .join('; ') || 'none'
          }.`
        : ''
    }`,
  );
  return lines;
}

/** The package's summary of harm and diplomatic risk (people killed, bystanders, crises, partners, ties). */
export function riskSummaryLine(a: ActionAttribution): string {
  const find = (outcome: string) => a.package.risk.find((e) => e.outcome === outcome);
  const parts: string[] = [];
  const add = (outcome: string, label?: string) => {
    const e = find(outcome);
    if (e) parts.push(fmtEntry(label ? { ...e, label } : e));
  };
  add('risk.harm.killedInStrikes', 'people killed in strikes');
  add('risk.harm.bystanders.total', 'bystander casualties');
  add('risk.diplomacy.crisisOnsets:probability', 'P(diplomatic crisis)');
  add('risk.partners.everSuspended', 'partners suspending cooperation');
  add('risk.regionalTies', 'regional ties (change in the index, last year)');
  return `Harm and diplomatic risk ${a.window[0]}-${a.window[1]} (package vs no new policy): ${parts.join('; ')}.`;
}

/**
 * `crossroads run -n 1` (and `POST /api/runs` with one replicate): the single seeded run with its
 * action table (the single run's parameters: declared values; seconds kept out of the result).
 */
export function runPolicyWithActions(
  scenario: Scenario,
  policy: Policy,
  seed: number,
): { result: RunResult; seconds?: number } {
  const result = runPolicy(scenario, policy, seed);
  if (policy.levers.length === 0) return { result };
  const table = actionTable({ scenario, policy, n: 1, seed });
  return {
    result: { ...result, actions: table.actions, actionAttribution: table.attribution },
    seconds: table.seconds,
  };
}
