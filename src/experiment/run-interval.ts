/**
 * The interval form of `crossroads run`: the policy against no new policy as a paired ensemble
 * (`runPairedEnsemble`), in the shape of the single run's result. `annual[i].deaths.total` etc. are
 * medians over the replicates, with `annual[i].bands` beside them; `counterfactual.annual` is the
 * no-new-policy arm; `difference.annual` is policy - no new policy per replicate, with `pBeats`
 * (P(the policy is better), ties half). Deaths averted = no new policy - policy, banded from the
 * same paired sketches.
 */

import { type QuantileSketch, DEFAULTS as SKETCH } from '../analysis/quantile-sketch.js';
import { fmtNumber as fmt, textTable, fmtUsd as usd } from '../core/text.js';
import { type Manifest, makeManifest, scenarioLabel } from '../report/manifest.js';
import {
  earlyYearsNote,
  observedDeaths,
  observedTotal,
  YEAR_MARKER_NOTE,
  yearMarker,
} from '../report/observed.js';
import { alignPolicyStart, noPolicy } from '../scenario/resolve.js';
import { COMMODITIES } from '../spec/commodities.js';
import type { Policy, Scenario } from '../spec/scenario.js';
import {
  ACTION_DEFAULTS,
  type ActionAttribution,
  type ActionRow,
  actionTable,
  actionTableText,
  riskSummaryLine,
} from './actions.js';
import type { EnsembleManifest, EnsembleResult, RunEnsembleOptions } from './ensemble.js';
import { runPairedEnsemble } from './paired.js';
import type { AcceptedSets } from './sampling.js';
import { bandKey, type PeriodView } from './views.js';

/** The health posterior's error sigmas beside its parameter sets (a subset of health-fit.json). */
export interface ErrorSigmas {
  parameters: string[];
  sets: number[][];
  sigmaIds: string[];
  sigmas: number[][];
}

/** Settings of an interval run. */
export interface IntervalRunSpec {
  scenario: Scenario;
  policy: Policy;
  n: number;
  seed: number;
  accepted?: AcceptedSets | null;
  acceptedSource?: string;
  acceptedHash?: string | null;
  quantiles?: readonly number[];
  /**
   * The posterior's error sigmas (data/calibration/health-fit.json). When the accepted sets are its
   * sets (row for row), history years get an observable band of total deaths (see `observableSigmas`).
   */
  errorSigmas?: ErrorSigmas | null;
}

/** The observable band's settings and how often the CDC count falls inside it. */
export interface ObservableInfo {
  outcome: 'deaths.total';
  arm: string;
  /** Where each replicate's sigma comes from. */
  sigma: string;
  years: number[];
  /** Years whose CDC/NCHS count lies in the replicates' p5..p95 observable band. */
  inside90: number;
  /** inside90 / years.length. */
  coverage90: number;
}

/** The interval result of `crossroads run`. */
export interface IntervalRunResult {
  manifest: Manifest;
  ensemble: EnsembleManifest;
  quantiles: number[];
  annual: PeriodView[];
  counterfactual: { annual: PeriodView[] };
  difference: { annual: PeriodView[] };
  summary: {
    period: [number, number];
    /** Medians over replicates; `averted` is the median of the per-replicate paired difference. */
    deaths: { policy: number; counterfactual: number; averted: number };
    costUsd: number;
    discountRate: number;
    /** Median cost / median deaths averted (a ratio of medians); null when the median averts none. */
    costPerDeathAverted: number | null;
    /** P(fewer deaths over the period with the policy than without), ties half. */
    pFewerDeaths: number;
    bands: {
      deaths: {
        policy: Record<string, number>;
        counterfactual: Record<string, number>;
        averted: Record<string, number>;
      };
      costUsd: Record<string, number>;
    };
  };
  /** The underlying paired ensemble. */
  result: EnsembleResult;
  /** The observable band of history years (absent when the error sigmas cannot be matched). */
  observable?: ObservableInfo;
  /** The Action · Intended Outcome · Potential Risk table (experiment/actions.ts). */
  actions?: ActionRow[];
  actionAttribution?: ActionAttribution;
  /** Seconds the table's runs took (for the text; not in the JSON, which replays bit for bit). */
  tableSeconds?: number;
}

/**
 * `sigma.total` of each accepted set, when the accepted sets are the posterior's sets in order (the
 * shipped accepted.json is health-fit.json's sets with the other history-shaping parameters appended),
 * so each replicate carries the sigma sampled with its own parameters; null when they do not match.
 */
export function observableSigmas(
  accepted: AcceptedSets | null | undefined,
  fit: ErrorSigmas,
): number[] | null {
  const s = fit.sigmaIds.indexOf('sigma.total');
  if (!accepted || s < 0 || accepted.sets.length !== fit.sets.length || fit.sigmas.length !== fit.sets.length)
    return null;
  const cols = fit.parameters.map((id) => accepted.parameters.indexOf(id));
  if (cols.some((c) => c < 0)) return null;
  for (let k = 0; k < fit.sets.length; k++)
    for (let i = 0; i < cols.length; i++) if (accepted.sets[k][cols[i]] !== fit.sets[k][i]) return null;
  const out = fit.sigmas.map((row) => row[s]);
  return out.every((v) => Number.isFinite(v) && v >= 0) ? out : null;
}

/** The observable band of one history year: the run's quantiles and the median. */
function observableBand(s: QuantileSketch, quantiles: readonly number[]): Record<string, number> {
  return bandOf(
    s,
    [...new Set([...quantiles, 0.5])].sort((a, b) => a - b),
  );
}

/** Band of -(difference): quantile q of "averted" is minus quantile 1 - q of the difference sketch. */
function negatedBand(s: QuantileSketch, quantiles: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const q of quantiles) out[bandKey(q)] = -s.quantile(1 - q);
  return out;
}

function bandOf(s: QuantileSketch, quantiles: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const q of quantiles) out[bandKey(q)] = s.quantile(q);
  return out;
}

/** Run the policy and no new policy as a paired ensemble. */
export async function runPolicyInterval(
  spec: IntervalRunSpec,
  options: RunEnsembleOptions = {},
): Promise<IntervalRunResult> {
  spec = { ...spec, scenario: alignPolicyStart(spec.scenario, [spec.policy]) };
  const sigmas = spec.errorSigmas ? observableSigmas(spec.accepted, spec.errorSigmas) : null;
  const historyYears = (observedDeaths().total ?? []).map((r) => r.year);
  const paired = await runPairedEnsemble(
    {
      scenario: spec.scenario,
      a: { name: spec.policy.name, policy: spec.policy },
      b: { name: 'no new policy', policy: noPolicy() },
      n: spec.n,
      seed: spec.seed,
      accepted: spec.accepted ?? null,
      acceptedSource: spec.acceptedSource,
      acceptedHash: spec.acceptedHash,
      quantiles: spec.quantiles,
      observation: sigmas ? { arm: 1, leaf: 'deaths.total', years: historyYears, sigmas } : null,
    },
    options,
  );
  const r = paired.ensemble;
  const { layout, quantiles, sketches } = r;
  const cells = layout.cells;
  const base = cells - layout.summaries.length;
  const find = (outcome: string) => {
    const k = layout.summaries.findIndex((s) => s.outcome === outcome && s.statistic === 'sum');
    if (k < 0) throw new Error(`experiment/run-interval: no summary of ${outcome}`);
    return { k, c: base + k, s: layout.summaries[k] };
  };
  const deaths = find('deaths.total');
  const cost = find('costUsd');
  const diffSketch = (c: number) => sketches[2 * cells + c];
  const averted = -diffSketch(deaths.c).quantile(0.5);
  const costMedian = r.arms[0].stats[cost.c].median;
  const obs = r.observable;
  let annual = paired.a.annual;
  let observable: ObservableInfo | undefined;
  if (obs?.years.length) {
    const byYear = new Map(obs.years.map((y, j) => [y, obs.sketches[j]]));
    annual = annual.map((rec) => {
      const s = byYear.get(rec.year as number);
      return s ? { ...rec, observable: observableBand(s, quantiles) } : rec;
    });
    const inside = obs.years.filter((y, j) => {
      const o = observedTotal(y);
      const s = obs.sketches[j];
      return o !== undefined && o >= s.quantile(0.05) && o <= s.quantile(0.95);
    }).length;
    observable = {
      outcome: 'deaths.total',
      arm: 'no new policy',
      sigma: "sigma.total of the replicate's own accepted posterior set (data/calibration/health-fit.json)",
      years: obs.years,
      inside90: inside,
      coverage90: inside / obs.years.length,
    };
  }
  // The action table on the first replicates of the same design (same draws, same random numbers).
  const table =
    spec.policy.levers.length > 0
      ? actionTable({
          scenario: spec.scenario,
          policy: spec.policy,
          n: Math.min(spec.n, ACTION_DEFAULTS.maxReplicates),
          ensembleN: spec.n,
          seed: spec.seed,
          accepted: spec.accepted ?? null,
        })
      : null;
  return {
    ...(table
      ? { actions: table.actions, actionAttribution: table.attribution, tableSeconds: table.seconds }
      : {}),
    manifest: makeManifest(spec.scenario, spec.policy, spec.seed, spec.n),
    ensemble: paired.manifest,
    quantiles,
    annual,
    counterfactual: { annual: paired.b.annual },
    difference: { annual: paired.difference.annual },
    summary: {
      period: deaths.s.years,
      deaths: {
        policy: r.arms[0].stats[deaths.c].median,
        counterfactual: r.arms[1].stats[deaths.c].median,
        averted,
      },
      costUsd: costMedian,
      discountRate: spec.scenario.economics.discountRate,
      costPerDeathAverted: averted > 0.5 ? costMedian / averted : null,
      pFewerDeaths: r.difference?.pBeats[deaths.c] ?? 0.5,
      bands: {
        deaths: {
          policy: bandOf(sketches[deaths.c], quantiles),
          counterfactual: bandOf(sketches[cells + deaths.c], quantiles),
          averted: negatedBand(diffSketch(deaths.c), quantiles),
        },
        costUsd: bandOf(sketches[cost.c], quantiles),
      },
    },
    result: r,
    ...(observable ? { observable } : {}),
  };
}

/** JSON form (without the sketches). */
export function intervalJson(r: IntervalRunResult): string {
  const { result: _omit, tableSeconds: _seconds, actions, actionAttribution, ...rest } = r;
  // The table after the run's own fields (the document's existing order is kept).
  const doc = actions ? { ...rest, actions, actionAttribution } : rest;
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/**
 * Human-readable form: medians per year with the deaths-averted band, then the summary. Years from
 * the policy start are marked `*`; earlier years in which the policy already acts, `+`.
 */
export function intervalTable(r: IntervalRunResult, policyStartYear = r.summary.period[0]): string {
  const tableSeconds = r.tableSeconds;
  const { result } = r;
  const { layout, sketches, quantiles } = result;
  const nA = layout.annualLeaves.length;
  const k = layout.annualLeaves.indexOf('deaths.total');
  const kc = layout.annualLeaves.indexOf('costUsd');
  const cells = layout.cells;
  const lo = quantiles[0];
  const hi = quantiles[quantiles.length - 1];
  const first = r.summary.period[0];
  const obs = result.observable && r.observable ? result.observable : null;
  const obsBand = (y: number): string => {
    const j = obs ? obs.years.indexOf(y) : -1;
    if (!obs || j < 0) return '-';
    const s = obs.sketches[j];
    return `${fmt(s.quantile(lo))} .. ${fmt(s.quantile(hi))}`;
  };
  const head = [
    'year',
    'CDC observed',
    ...(obs ? [`observable ${bandKey(lo)}..${bandKey(hi)}`] : []),
    'deaths: no new policy',
    'deaths: policy',
    'averted',
    `averted ${bandKey(lo)}..${bandKey(hi)}`,
    'P(fewer deaths)',
    'cost (USD 2024)',
  ];
  const rows = layout.years.map((y, i) => {
    const c = i * nA + k;
    const d = sketches[2 * cells + c];
    const av = -d.quantile(0.5);
    return [
      String(y) + yearMarker(y, first),
      observedTotal(y) === undefined ? '-' : fmt(observedTotal(y)!),
      ...(obs ? [obsBand(y)] : []),
      fmt(result.arms[1].stats[c].median),
      fmt(result.arms[0].stats[c].median),
      fmt(av),
      `${fmt(-d.quantile(1 - lo))} .. ${fmt(-d.quantile(1 - hi))}`,
      y < first ? '-' : `${Math.round((result.difference?.pBeats[c] ?? 0.5) * 100)}%`,
      kc >= 0 && result.arms[0].stats[i * nA + kc].median > 0
        ? usd(result.arms[0].stats[i * nA + kc].median)
        : '-',
    ];
  });
  const s = r.summary;
  const band = (b: Record<string, number>) => `${fmt(b[bandKey(lo)])} .. ${fmt(b[bandKey(hi)])}`;
  const m = r.ensemble;
  const lines = [
    `Crossroads ${r.manifest.version} (model ${r.manifest.modelVersion}) - ${scenarioLabel(r.manifest)}, policy "${r.manifest.policy.name}", seed ${r.manifest.seed}, ${m.n.toLocaleString('en-US')} paired replicates`,
    '',
    textTable(head, rows),
    '',
    `${YEAR_MARKER_NOTE} Medians over replicates; both arms share each replicate's parameters and random numbers.`,
    ...observableNote(r, lo, hi),
    ...earlyYearsNote(first, policyStartYear),
    `${s.period[0]}-${s.period[1]}: deaths ${fmt(s.deaths.counterfactual)} without the policy (${band(s.bands.deaths.counterfactual)}), ${fmt(s.deaths.policy)} with it (${band(s.bands.deaths.policy)}).`,
    `Deaths averted ${fmt(s.deaths.averted)} (${s.deaths.counterfactual > 0 ? ((100 * s.deaths.averted) / s.deaths.counterfactual).toFixed(1) : '0.0'}% of the baseline; ${bandKey(lo)}..${bandKey(hi)}: ${band(s.bands.deaths.averted)}); P(fewer deaths with the policy) ${Math.round(s.pFewerDeaths * 100)}%.`,
    `Cost ${usd(s.costUsd)} (${usd(s.bands.costUsd[bandKey(lo)])} .. ${usd(s.bands.costUsd[bandKey(hi)])}); cost per death averted (median cost / median averted): ${s.costPerDeathAverted === null ? 'n/a' : usd(s.costPerDeathAverted)}.`,
    `Bands: ${bandKey(lo)}-${bandKey(hi)} of ${m.n.toLocaleString('en-US')} replicates over parameter uncertainty and process noise (${m.n <= SKETCH.exactCap ? 'exact quantiles' : `each within ±${m.bands.alpha * 100}%, DDSketch`}). -n 1 gives the single seeded run.`,
    ...supplyAndRiskSummary(result, quantiles),
    ...(r.actionAttribution ? [riskSummaryLine(r.actionAttribution)] : []),
    ...m.parameters.notes.map((n) => `Note: ${n}.`),
    ...(r.actions && r.actionAttribution
      ? [
          '',
          ...actionTableText(r.actions, r.actionAttribution),
          `  The table's replicates are the first ${r.actionAttribution.replicates} of the run's (same draws and random numbers)${tableSeconds !== undefined ? `; it took ${(r.actionAttribution.runsPerReplicate * r.actionAttribution.replicates).toLocaleString('en-US')} extra runs (${tableSeconds.toFixed(1)} s)` : ''}.`,
        ]
      : []),
  ];
  return `${lines.join('\n')}\n`;
}

/** The footnote of the observable column, with the coverage computed from the data (or nothing). */
function observableNote(r: IntervalRunResult, lo: number, hi: number): string[] {
  const o = r.observable;
  if (!o || !r.result.observable) return [];
  const y0 = o.years[0];
  const y1 = o.years[o.years.length - 1];
  return [
    `Observable ${bandKey(lo)}..${bandKey(hi)}: what CDC/NCHS could count in the history years without the new policy, each replicate's total times exp(e), e ~ Normal(0, sigma_total^2) with the sigma sampled with that replicate's accepted parameter set (observation and structural error, as in \`crossroads fit\`). The CDC count lies in the p5..p95 observable band in ${o.inside90} of ${o.years.length} years ${y0}-${y1} (${Math.round(o.coverage90 * 100)}%).`,
  ];
}

/**
 * Intended supply effects and the risks recorded beside them (medians and bands over the projection).
 * Risks are always reported beside intended outcomes.
 */
function supplyAndRiskSummary(result: IntervalRunResult['result'], quantiles: readonly number[]): string[] {
  const { layout, sketches } = result;
  const cells = layout.cells;
  const base = cells - layout.summaries.length;
  const lo = quantiles[0];
  const hi = quantiles[quantiles.length - 1];
  const at = (outcome: string) => {
    const k = layout.summaries.findIndex((s) => s.outcome === outcome && s.statistic === 'sum');
    return k < 0 ? -1 : base + k;
  };
  const flow = (commodity: string) => {
    const c = at(`flow.${commodity}`);
    if (c < 0) return `${commodity} n/a`;
    const policy = result.arms[0].stats[c].median;
    const change = sketches[2 * cells + c].quantile(0.5);
    const cf = result.arms[1].stats[c].median;
    return `${commodity} ${fmt(policy / 1000)} t (median change ${change >= 0 ? '+' : ''}${fmt(change / 1000)} t, ${cf > 0 ? `${((change / cf) * 100).toFixed(1)}%` : 'n/a'})`;
  };
  const risk = (outcome: string, label: string) => {
    const c = at(outcome);
    if (c < 0) return undefined;
    const s = sketches[c];
    const f = /USD/.test(layout.info.get(outcome)?.unit ?? '') ? usd : fmt;
    return `${label} ${f(s.quantile(0.5))} (${f(s.quantile(lo))} .. ${f(s.quantile(hi))})`;
  };
  // Every outcome declared as a risk, in declaration order (keyed breakdowns such as strikes by
  // sovereignty are left to the JSON).
  const risks = layout.annualLeaves
    .filter((leaf) => layout.info.get(leaf)?.risk)
    .map((leaf) => risk(leaf, layout.info.get(leaf)?.label ?? leaf))
    .filter((x): x is string => x !== undefined);
  return [
    `Drug reaching the US (policy arm, vs no new policy): ${COMMODITIES.map(flow).join('; ')}.`,
    `Risks recorded (levels in the policy arm, not changes; the changes are in the harm line and the action table): ${risks.join('; ')}.`,
  ];
}
