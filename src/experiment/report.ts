/**
 * Text, CSV and JSON renderings of ensembles and paired comparisons. CSV is tidy (one row per arm x
 * period x outcome), which pandas, R, DuckDB and spreadsheets load without reshaping. Pure string
 * functions: writing files is the caller's job.
 */

import rand from '../../data/targets/supply.json' with { type: 'json' };
import { DEFAULTS as SKETCH } from '../analysis/quantile-sketch.js';
import { csvLine, fmtNumber, fmtPercent, textTable } from '../core/text.js';
import { costPerPercentCut } from './cost-per-cut.js';
import type { EnsembleManifest, EnsembleResult } from './ensemble.js';
import { armView } from './paired.js';
import { bandKey, tidyRows } from './views.js';

/** Output formats. */
export const FORMATS = ['table', 'json', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

/** Outcomes a table shows when none are selected. */
export const TABLE_DEFAULT_OUTCOMES = ['deaths.total', 'costUsd'] as const;

/** The JSON document of an ensemble (one arm) or a paired comparison (a, b, difference). */
export function ensembleDocument(result: EnsembleResult): Record<string, unknown> {
  const monthly = result.layout.months.length > 0;
  const view = (w: number | 'difference') => {
    const v = armView(result, w);
    return monthly ? v : { name: v.name, annual: v.annual, summary: v.summary };
  };
  if (!result.difference) {
    const v = view(0);
    return { manifest: result.manifest, quantiles: result.quantiles, ...v };
  }
  return {
    manifest: result.manifest,
    quantiles: result.quantiles,
    a: view(0),
    b: view(1),
    difference: view('difference'),
    costPerPercentCut: costPerPercentCut(result),
  };
}

/** JSON text (2-space indent, trailing newline). */
export function toJson(result: EnsembleResult): string {
  return `${JSON.stringify(ensembleDocument(result), null, 2)}\n`;
}

/** Tidy CSV of every cell; `outcomes` filters by outcome name. */
export function toCsv(result: EnsembleResult, outcomes?: readonly string[]): string {
  const qCols = result.quantiles.map(bandKey);
  const header = [
    'section',
    'arm',
    'period',
    'outcome',
    'statistic',
    'direction',
    'mean',
    'min',
    'max',
    ...qCols,
  ];
  if (result.difference) header.push('p_a_beats_b');
  const lines = [csvLine(header)];
  for (const r of tidyRows(result, outcomes)) {
    const f = [r.section, r.arm, r.period, r.outcome, r.statistic, r.direction, r.mean, r.min, r.max, ...r.q];
    if (result.difference) f.push(r.pBeats as number);
    lines.push(csvLine(f as (string | number | null)[]));
  }
  return `${lines.join('\n')}\n`;
}

const fmt = fmtNumber;
const pct = fmtPercent;
const table = textTable;

/** P(A beats B) for a table cell; "-" when A and B tie in every replicate (nothing to rank). */
function beats(d: NonNullable<EnsembleResult['difference']>, c: number): string {
  const s = d.stats[c];
  return s.min === 0 && s.max === 0 ? '-' : pct(d.pBeats[c]);
}

function headerLines(m: EnsembleManifest): string[] {
  const arms = m.arms.map((a) => `"${a.name}"`).join(' vs ');
  const lines = [
    `${m.kind === 'paired' ? 'Paired comparison' : 'Ensemble'}: scenario ${m.scenario.name}, ${arms}, N = ${m.n.toLocaleString('en-US')} replicates (seed ${m.seed}, ${m.design})`,
    `Bands: quantiles of the ${m.n.toLocaleString('en-US')} replicates; ${m.n <= SKETCH.exactCap ? 'exact quantiles' : `each value within ±${m.bands.alpha * 100}% of the exact quantile (DDSketch)`}.`,
  ];
  for (const n of m.parameters.notes) lines.push(`Note: ${n}.`);
  return lines;
}

/** Human-readable tables of the selected outcomes (default deaths.total and costUsd) and all summaries. */
export function toTable(result: EnsembleResult, outcomes?: readonly string[]): string {
  const sel = outcomes ?? TABLE_DEFAULT_OUTCOMES;
  const { layout, quantiles } = result;
  const qHead = quantiles.map(bandKey);
  const out = headerLines(result.manifest);
  const base = layout.cells - layout.summaries.length;
  const summaries = layout.summaries
    .map((s, k) => ({ s, c: base + k }))
    .filter(({ s }) => !outcomes || sel.includes(s.outcome));
  const nA = layout.annualLeaves.length;
  const leaves = layout.annualLeaves.filter((l) => sel.includes(l));

  if (!result.difference) {
    const stats = result.arms[0].stats;
    if (summaries.length) {
      out.push(
        '',
        table(
          ['summary', 'mean', ...qHead],
          summaries.map(({ s, c }) => [s.label, fmt(stats[c].mean), ...stats[c].q.map(fmt)]),
        ),
      );
    }
    for (const leaf of leaves) {
      const k = layout.annualLeaves.indexOf(leaf);
      out.push(
        '',
        table(
          [leaf, 'mean', ...qHead],
          layout.years.map((y, i) => [
            String(y),
            fmt(stats[i * nA + k].mean),
            ...stats[i * nA + k].q.map(fmt),
          ]),
        ),
      );
    }
    return `${out.join('\n')}\n`;
  }

  const [a, b] = result.arms;
  const d = result.difference;
  const lo = 0;
  const hi = quantiles.length - 1;
  const band = `A-B ${bandKey(quantiles[lo])}..${bandKey(quantiles[hi])}`;
  out.push(
    `A = "${a.name}", B = "${b.name}". P(A beats B) counts replicates where A is better by the outcome's direction (ties half); "-" where A and B are identical in every replicate (e.g. history years) or the outcome has no better direction (information only).`,
  );
  if (summaries.length) {
    out.push(
      '',
      table(
        ['summary', 'A median', 'B median', 'A-B median', band, 'P(A beats B)'],
        summaries.map(({ s, c }) => [
          s.label,
          fmt(a.stats[c].median),
          fmt(b.stats[c].median),
          fmt(d.stats[c].median),
          `${fmt(d.stats[c].q[lo])} .. ${fmt(d.stats[c].q[hi])}`,
          beats(d, c),
        ]),
      ),
    );
  }
  const cut = costPerPercentCut(result);
  if (cut) {
    const usdM = (x: number | null) => (x === null ? 'n/a (no cut)' : `$${fmt(x / 1e6)}M`);
    const r = rand.randCostPerPercentCut;
    out.push(
      '',
      `Cost of a 1% cut in annual US consumption, ${cut.window[0]}-${cut.window[1]} (A's extra cost a year / mean % cut; RAND 1994 for cocaine, 2024 $: treatment ${usdM(r.treatment)}, domestic enforcement ${usdM(r.domesticEnforcement)}, interdiction ${usdM(r.interdiction)}, source-country control ${usdM(r.sourceCountryControl)}):`,
      table(
        ['commodity', 'mean cut in consumption', 'extra cost a year', 'cost per 1% cut'],
        (['cocaine', 'fentanyl'] as const).map((c) => [
          c,
          `${cut[c].meanCutPercent.toFixed(2)}%`,
          usdM(cut[c].costUsdPerYear),
          usdM(cut[c].costPerPercentCutUsd),
        ]),
      ),
    );
  }
  for (const leaf of leaves) {
    const k = layout.annualLeaves.indexOf(leaf);
    out.push(
      '',
      table(
        [leaf, 'A median', 'B median', 'A-B median', band, 'P(A beats B)'],
        layout.years.map((y, i) => {
          const c = i * nA + k;
          return [
            String(y),
            fmt(a.stats[c].median),
            fmt(b.stats[c].median),
            fmt(d.stats[c].median),
            `${fmt(d.stats[c].q[lo])} .. ${fmt(d.stats[c].q[hi])}`,
            beats(d, c),
          ];
        }),
      ),
    );
  }
  return `${out.join('\n')}\n`;
}

/** Render in a format. */
export function render(result: EnsembleResult, format: Format, outcomes?: readonly string[]): string {
  if (format === 'json') return toJson(result);
  if (format === 'csv') return toCsv(result, outcomes);
  return toTable(result, outcomes);
}
