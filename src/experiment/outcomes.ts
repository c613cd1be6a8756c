/**
 * Outcomes as ensembles see them: the outcomes the model declares (model/outcomes.ts; each with its
 * path, label, unit, direction and summary), every monthly series, and the summary outcomes over the
 * projection window. Nothing here lists outcomes by name: a module that declares an outcome gets its
 * bands, its direction in P(A beats B), its `--outcomes` name and its CSV rows.
 */

import { fail } from '../core/errors.js';
import type { MonthlySeries, RunOutput } from '../engine/run.js';
import type { Direction, SummaryStatistic } from '../model/outcomes.js';

export type { Direction, SummaryStatistic } from '../model/outcomes.js';

/** The declaration of an outcome, by its dotted path (annual leaf or monthly series name). */
export function outcomeInfo(layout: OutcomeLayout, path: string): OutcomeInfo {
  return layout.info.get(path) ?? { path, label: path, unit: '', direction: 'info' };
}

/** What the ensemble layer keeps of an outcome's declaration. */
export interface OutcomeInfo {
  path: string;
  label: string;
  unit: string;
  direction: Direction;
  summary?: SummaryStatistic;
  risk?: boolean;
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
  /** The declarations, by annual path and by monthly series name. */
  info: Map<string, OutcomeInfo>;
  /** Cells: years x annualLeaves, then months x monthlyLeaves, then summaries. */
  cells: number;
}

/** Build the layout from the outcomes a run declares (a probe run) and the projection's first year. */
export function outcomeLayout(run: RunOutput, windowStart: number): OutcomeLayout {
  const years = run.annual.map((r) => r.year);
  const info = new Map<string, OutcomeInfo>();
  for (const o of run.outcomes) {
    const i: OutcomeInfo = {
      path: o.path,
      label: o.label,
      unit: o.unit,
      direction: o.direction,
      summary: o.summary,
      risk: o.risk,
    };
    info.set(o.path, i);
    if (o.series) info.set(o.series, { ...i, path: o.series, summary: undefined });
  }
  const annualLeaves = run.outcomes.map((o) => o.path);
  const months = run.monthly?.month ?? [];
  const monthlyLeaves = run.monthly ? monthlySeriesKeys(run.monthly) : [];
  const last = years[years.length - 1];
  const first = Math.min(Math.max(windowStart, years[0]), last);
  const summaries: SummaryOutcome[] = [];
  for (const o of run.outcomes) {
    if (!o.summary) continue;
    const yrs: [number, number] = o.summary === 'sum' ? [first, last] : [last, last];
    summaries.push({
      id: `${o.path}:${o.summary}:${yrs[0]}-${yrs[1]}`,
      outcome: o.path,
      statistic: o.summary,
      years: yrs,
      direction: o.direction,
      label:
        o.summary === 'sum' ? `${o.path}, ${yrs[0]}-${yrs[1]} cumulative` : `${o.path}, end of ${yrs[1]}`,
    });
  }
  return {
    years,
    annualLeaves,
    months,
    monthlyLeaves,
    summaries,
    windowStart: first,
    info,
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
    if (run.annual.length !== layout.years.length || run.outcomes.length !== nA) {
      fail(
        'experiment/outcomes',
        'annual',
        `${run.annual.length} years x ${run.outcomes.length} outcomes`,
        `${layout.years.length} years x ${nA} outcomes as in the layout`,
      );
    }
    // The run's value rows are laid out as the layout's annual cells (years x declared outcomes).
    const values = run.values;
    const nAnnual = layout.years.length * nA;
    for (let c = 0; c < nAnnual; c++) out[c] = values[c];
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
