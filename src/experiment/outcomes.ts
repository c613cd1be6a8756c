/**
 * Outcomes as ensembles see them: every numeric leaf of a run's annual record (walked, not listed, so
 * outcomes a module adds get bands automatically), every numeric monthly series, and the summary
 * outcomes over the projection window. Directions (minimise / maximise / info) and summaries are
 * declared here by path prefix, longest prefix first; an undeclared leaf is `info` with no summary.
 * This is the outcome declaration until the model carries its own; it is read by ensembles, paired
 * comparisons and `run`.
 */

import { fail } from '../core/errors.js';
import type { AnnualRecord, MonthlySeries, RunOutput } from '../engine/run.js';

/** Whether smaller or larger is better, or neither. */
export type Direction = 'minimise' | 'maximise' | 'info';

/** How an annual outcome is summarised over the projection window. */
export type SummaryStatistic = 'sum' | 'last';

/** An outcome declaration, matched by dotted-path prefix (a whole path segment at a time). */
export interface OutcomeRule {
  prefix: string;
  direction: Direction;
  summary?: SummaryStatistic;
  /** Why this direction (shown in `--help`-style listings). */
  note?: string;
}

/** The declarations. Add a rule here when a module adds an outcome that has a direction. */
export const OUTCOME_RULES: readonly OutcomeRule[] = [
  { prefix: 'deaths', direction: 'minimise', summary: 'sum', note: 'overdose deaths by involvement' },
  { prefix: 'opioidDeaths', direction: 'minimise', summary: 'sum', note: 'deaths involving any opioid' },
  { prefix: 'costUsd', direction: 'minimise', summary: 'sum', note: 'policy cost, USD 2024, undiscounted' },
  { prefix: 'population.oudUntreated', direction: 'minimise', summary: 'last' },
  { prefix: 'population.oudInTreatment', direction: 'info', summary: 'last' },
  { prefix: 'population.deadOverdose', direction: 'minimise' },
  { prefix: 'population', direction: 'info' },
  { prefix: 'overdoseRatePer1000', direction: 'minimise' },
  { prefix: 'streetSupply', direction: 'info' },
  { prefix: 'flow', direction: 'minimise', summary: 'sum', note: 'drug flow reaching the US, kg' },
  {
    prefix: 'supply.deathsAboardStruckVessels',
    direction: 'minimise',
    summary: 'sum',
    note: 'people killed in strikes at sea',
  },
  {
    prefix: 'supply.strikes',
    direction: 'minimise',
    summary: 'sum',
    note: 'strikes by setting and sovereignty (risk exposure)',
  },
  {
    prefix: 'supply.leadershipLosses',
    direction: 'info',
    summary: 'sum',
    note: 'abstract leadership losses',
  },
  // Monthly series.
  { prefix: 'deathsTotal', direction: 'minimise' },
  { prefix: 'syntheticOpioids', direction: 'minimise' },
];

/** The declaration that applies to a dotted path (longest matching prefix), or `info`. */
export function outcomeRule(path: string): OutcomeRule {
  let best: OutcomeRule | undefined;
  for (const r of OUTCOME_RULES) {
    if (
      (path === r.prefix || path.startsWith(`${r.prefix}.`)) &&
      (!best || r.prefix.length > best.prefix.length)
    ) {
      best = r;
    }
  }
  return best ?? { prefix: path, direction: 'info' };
}

/** Dotted paths of the numeric leaves of an object, in key order (`skip` names root keys to leave out). */
export function numericLeaves(obj: unknown, skip: readonly string[] = []): string[] {
  const out: string[] = [];
  const walk = (v: unknown, prefix: string): void => {
    if (typeof v === 'number') out.push(prefix);
    else if (v && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v)) {
      for (const [k, c] of Object.entries(v)) {
        if (prefix === '' && skip.includes(k)) continue;
        walk(c, prefix === '' ? k : `${prefix}.${k}`);
      }
    }
  };
  walk(obj, '');
  return out;
}

/** Read the number at a dotted path (compiled once into key lists for the hot loop). */
export function compilePaths(
  paths: readonly string[],
): (obj: unknown, out: Float64Array, offset: number) => void {
  const keys = paths.map((p) => p.split('.'));
  return (obj, out, offset) => {
    for (let i = 0; i < keys.length; i++) {
      let v: unknown = obj;
      for (const k of keys[i]) v = (v as Record<string, unknown>)[k];
      out[offset + i] = v as number;
    }
  };
}

/** One summary outcome: an annual leaf summed (or taken last) over the projection years. */
export interface SummaryOutcome {
  /** Stable id, e.g. `deaths.total:sum:2026-2035`. */
  id: string;
  outcome: string;
  statistic: SummaryStatistic;
  years: [number, number];
  direction: Direction;
  label: string;
}

/** Where each value of a run goes in the flat vector ensembles accumulate. */
export interface OutcomeLayout {
  years: number[];
  annualLeaves: string[];
  months: string[];
  monthlyLeaves: string[];
  summaries: SummaryOutcome[];
  /** First year of the projection window (the policy start's year). */
  windowStart: number;
  /** Cells: years x annualLeaves, then months x monthlyLeaves, then summaries. */
  cells: number;
}

/** Build the layout from one run of the model (a probe run) and the projection's first year. */
export function outcomeLayout(run: RunOutput, windowStart: number): OutcomeLayout {
  const years = run.annual.map((r) => r.year);
  const annualLeaves = run.annual.length ? numericLeaves(run.annual[0], ['year']) : [];
  const months = run.monthly?.month ?? [];
  const monthlyLeaves = run.monthly ? monthlySeriesKeys(run.monthly) : [];
  const last = years[years.length - 1];
  const first = Math.min(Math.max(windowStart, years[0]), last);
  const summaries: SummaryOutcome[] = [];
  for (const leaf of annualLeaves) {
    const rule = outcomeRule(leaf);
    if (!rule.summary) continue;
    const yrs: [number, number] = rule.summary === 'sum' ? [first, last] : [last, last];
    summaries.push({
      id: `${leaf}:${rule.summary}:${yrs[0]}-${yrs[1]}`,
      outcome: leaf,
      statistic: rule.summary,
      years: yrs,
      direction: rule.direction,
      label: rule.summary === 'sum' ? `${leaf}, ${yrs[0]}-${yrs[1]} cumulative` : `${leaf}, end of ${yrs[1]}`,
    });
  }
  return {
    years,
    annualLeaves,
    months,
    monthlyLeaves,
    summaries,
    windowStart: first,
    cells: years.length * annualLeaves.length + months.length * monthlyLeaves.length + summaries.length,
  };
}

/** Keys of the numeric monthly series (every array of numbers except the labels). */
export function monthlySeriesKeys(m: MonthlySeries): string[] {
  return Object.entries(m)
    .filter(([k, v]) => k !== 'month' && Array.isArray(v))
    .map(([k]) => k);
}

/** Fills a cell vector from one run; built once per layout. */
export function makeFlattener(layout: OutcomeLayout): (run: RunOutput, out: Float64Array) => void {
  const readAnnual = compilePaths(layout.annualLeaves);
  const nA = layout.annualLeaves.length;
  const nM = layout.monthlyLeaves.length;
  const monthlyBase = layout.years.length * nA;
  const summaryBase = monthlyBase + layout.months.length * nM;
  const summaryIdx = layout.summaries.map((s) => ({
    leaf: layout.annualLeaves.indexOf(s.outcome),
    from: layout.years.indexOf(s.years[0]),
    to: layout.years.indexOf(s.years[1]),
  }));
  return (run, out) => {
    const annual: AnnualRecord[] = run.annual;
    if (annual.length !== layout.years.length) {
      fail(
        'experiment/outcomes',
        'annual.length',
        annual.length,
        `${layout.years.length} years as in the layout`,
      );
    }
    for (let y = 0; y < annual.length; y++) readAnnual(annual[y], out, y * nA);
    if (nM > 0) {
      const m = run.monthly as unknown as Record<string, number[]>;
      for (let k = 0; k < nM; k++) {
        const series = m[layout.monthlyLeaves[k]];
        for (let t = 0; t < layout.months.length; t++) out[monthlyBase + t * nM + k] = series[t];
      }
    }
    for (let s = 0; s < summaryIdx.length; s++) {
      const { leaf, from, to } = summaryIdx[s];
      let acc = 0;
      for (let y = from; y <= to; y++) acc += out[y * nA + leaf];
      out[summaryBase + s] = acc;
    }
  };
}

/** Every outcome name a user may select: annual leaves, monthly series and summary outcome names. */
export function outcomeNames(layout: OutcomeLayout): string[] {
  return [...new Set([...layout.annualLeaves, ...layout.monthlyLeaves])];
}

/** Check a user's outcome selection; an unknown name is an error naming the flag. */
export function selectOutcomes(
  layout: OutcomeLayout,
  names: readonly string[],
  flag = '--outcomes',
): string[] {
  const known = new Set(outcomeNames(layout));
  // A prefix selects every leaf under it (e.g. `deaths` selects deaths.total, deaths.cocaine, ...).
  const out: string[] = [];
  for (const name of names) {
    const matches = [...known].filter((k) => k === name || k.startsWith(`${name}.`));
    if (matches.length === 0) {
      fail('experiment/outcomes', flag, name, `an outcome name or prefix, one of ${[...known].join(', ')}`);
    }
    for (const m of matches) if (!out.includes(m)) out.push(m);
  }
  return out;
}
