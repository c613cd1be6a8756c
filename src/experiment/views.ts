/**
 * Views of an ensemble result in the shapes people load: nested records shaped like the model's own
 * annual record (`annual[i].deaths.total` is the median, `annual[i].bands.deaths.total` its band),
 * summary lists, and a tidy long table (one row per arm x period x outcome) for CSV.
 */

import type { CellStats, EnsembleResult } from './ensemble.js';
import { outcomeInfo } from './outcomes.js';

/** `p5` for 0.05, `p2.5` for 0.025, `p50` for 0.5. */
export function bandKey(q: number): string {
  return `p${Number((q * 100).toPrecision(12))}`;
}

/** A band as an object keyed by `bandKey`. */
export function bandObject(stats: CellStats, quantiles: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {};
  quantiles.forEach((q, i) => {
    out[bandKey(q)] = stats.q[i];
  });
  return out;
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let o = obj;
  for (let i = 0; i < keys.length - 1; i++) {
    o[keys[i]] ??= {};
    o = o[keys[i]] as Record<string, unknown>;
  }
  o[keys[keys.length - 1]] = value;
}

/** Which statistics a view shows: an arm by index, or the paired difference. */
export type Which = number | 'difference';

function statsOf(result: EnsembleResult, which: Which): CellStats[] {
  if (which === 'difference') {
    if (!result.difference) throw new Error('experiment/views: this ensemble is not paired');
    return result.difference.stats;
  }
  return result.arms[which].stats;
}

/** One period of a view: medians in the model's shape, `bands` beside, `pBeats` for the difference. */
export type PeriodView = Record<string, unknown>;

/** Annual records: medians at the model's paths, bands under `bands`, P(A beats B) under `pBeats`. */
export function annualView(result: EnsembleResult, which: Which): PeriodView[] {
  const { layout } = result;
  const stats = statsOf(result, which);
  const nA = layout.annualLeaves.length;
  return layout.years.map((year, y) =>
    periodView(result, which, stats, y * nA, layout.annualLeaves, { year }),
  );
}

/** Monthly records (empty unless the ensemble was run with `monthly`). */
export function monthlyView(result: EnsembleResult, which: Which): PeriodView[] {
  const { layout } = result;
  const stats = statsOf(result, which);
  const nM = layout.monthlyLeaves.length;
  const base = layout.years.length * layout.annualLeaves.length;
  return layout.months.map((month, t) =>
    periodView(result, which, stats, base + t * nM, layout.monthlyLeaves, { month }),
  );
}

function periodView(
  result: EnsembleResult,
  which: Which,
  stats: CellStats[],
  base: number,
  leaves: readonly string[],
  head: Record<string, unknown>,
): PeriodView {
  const rec: Record<string, unknown> = { ...head };
  const bands: Record<string, unknown> = {};
  const pBeats: Record<string, unknown> = {};
  leaves.forEach((leaf, k) => {
    const s = stats[base + k];
    setPath(rec, leaf, s.median);
    setPath(bands, leaf, { mean: s.mean, ...bandObject(s, result.quantiles) });
    if (which === 'difference') {
      const p = result.difference?.pBeats[base + k];
      if (p !== null && p !== undefined) setPath(pBeats, leaf, p);
    }
  });
  rec.bands = bands;
  if (which === 'difference') rec.pBeats = pBeats;
  return rec;
}

/** One summary outcome's statistics. */
export interface SummaryView {
  id: string;
  outcome: string;
  statistic: string;
  years: [number, number];
  direction: string;
  label: string;
  median: number;
  mean: number;
  bands: Record<string, number>;
  /** Difference only: P(first arm beats second), by the outcome's direction. */
  pBeats?: number | null;
}

/** Summary outcomes (e.g. deaths over the projection window). */
export function summaryView(result: EnsembleResult, which: Which): SummaryView[] {
  const { layout } = result;
  const stats = statsOf(result, which);
  const base = layout.cells - layout.summaries.length;
  return layout.summaries.map((s, k) => {
    const st = stats[base + k];
    const v: SummaryView = {
      id: s.id,
      outcome: s.outcome,
      statistic: s.statistic,
      years: s.years,
      direction: s.direction,
      label: s.label,
      median: st.median,
      mean: st.mean,
      bands: bandObject(st, result.quantiles),
    };
    if (which === 'difference') v.pBeats = result.difference?.pBeats[base + k] ?? null;
    return v;
  });
}

/** One row of the tidy table. */
export interface TidyRow {
  section: 'annual' | 'monthly' | 'summary';
  arm: string;
  period: string;
  outcome: string;
  statistic: string;
  direction: string;
  mean: number;
  min: number;
  max: number;
  q: number[];
  pBeats: number | null;
}

/** Every cell of every arm (and the difference) as tidy rows; `outcomes` filters by name. */
export function tidyRows(result: EnsembleResult, outcomes?: readonly string[]): TidyRow[] {
  const { layout } = result;
  const keep = (leaf: string): boolean => !outcomes || outcomes.includes(leaf);
  const targets: { arm: string; which: Which }[] = result.arms.map((a, i) => ({ arm: a.name, which: i }));
  if (result.difference) targets.push({ arm: 'difference', which: 'difference' });
  const rows: TidyRow[] = [];
  for (const { arm, which } of targets) {
    const stats = statsOf(result, which);
    const p = (c: number): number | null =>
      which === 'difference' ? (result.difference?.pBeats[c] ?? null) : null;
    const row = (
      section: TidyRow['section'],
      c: number,
      period: string,
      outcome: string,
      statistic: string,
    ): TidyRow => {
      const s = stats[c];
      return {
        section,
        arm,
        period,
        outcome,
        statistic,
        direction: outcomeInfo(layout, outcome).direction,
        mean: s.mean,
        min: s.min,
        max: s.max,
        q: s.q,
        pBeats: p(c),
      };
    };
    let c = 0;
    for (const y of layout.years) {
      for (const leaf of layout.annualLeaves) {
        if (keep(leaf)) rows.push(row('annual', c, String(y), leaf, 'value'));
        c++;
      }
    }
    for (const m of layout.months) {
      for (const leaf of layout.monthlyLeaves) {
        if (keep(leaf)) rows.push(row('monthly', c, m, leaf, 'value'));
        c++;
      }
    }
    for (const s of layout.summaries) {
      if (keep(s.outcome))
        rows.push(row('summary', c, `${s.years[0]}-${s.years[1]}`, s.outcome, s.statistic));
      c++;
    }
  }
  return rows;
}
