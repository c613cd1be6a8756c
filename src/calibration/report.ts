/** Text form of a calibration fit report (Markdown tables). */

import type { CalibrationResult } from './calibrate.js';

const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
const int = (x: number) => Math.round(x).toLocaleString('en-US');

/** Render one fit as Markdown. */
export function fitReportMarkdown(title: string, r: CalibrationResult): string {
  const lines = [
    `### ${title}`,
    '',
    `Fitted on ${r.fitYears[0]}-${r.fitYears[1]}; ${r.free.length} free parameters; ${r.evaluations} model evaluations; weighted loss ${r.loss.toFixed(2)}.`,
    '',
    '| year | sample | total observed | total model | error | synthetic observed | synthetic model | error |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
    ...r.rows.map(
      (x) =>
        `| ${x.year} | ${x.inSample ? 'in' : '**out**'} | ${int(x.totalObserved)} | ${int(x.totalModel)} | ${pct(x.totalError)} | ${int(x.syntheticObserved)} | ${int(x.syntheticModel)} | ${pct(x.syntheticError)} |`,
    ),
    '',
    `Cumulative total ${r.cumulative.years[0]}-${r.cumulative.years[1]}: observed ${int(r.cumulative.observed)}, model ${int(r.cumulative.model)} (${pct(r.cumulative.error)}). Acceptance bounds (each in-sample year ±10%, cumulative ±5%): ${r.withinBounds ? 'met' : '**not met**'}.`,
  ];
  const out = r.rows.filter((x) => !x.inSample);
  if (out.length) {
    const mape = out.reduce((a, x) => a + Math.abs(x.totalError), 0) / out.length;
    lines.push(
      '',
      `Out of sample (${out[0].year}-${out[out.length - 1].year}): mean absolute error of totals ${(mape * 100).toFixed(1)}%.`,
    );
  }
  lines.push(
    '',
    '| parameter | fitted value |',
    '|---|---:|',
    ...r.free.map((id) => `| ${id} | ${Number(r.values[id].toPrecision(4))} |`),
    '',
    `Posterior sample: ${r.accepted.proposals} Metropolis proposals, acceptance ${(r.accepted.acceptanceRate * 100).toFixed(0)}%; ${(r.accepted.withinBoundsShare * 100).toFixed(0)}% of thinned draws met the bounds; ${r.accepted.sets.length} kept.`,
    '',
    'Secondary groups (fitted with wider tolerances; NCHS groups overlap):',
    '',
    '| group | year | observed | model | error |',
    '|---|---|---:|---:|---:|',
    ...r.groups.map(
      (g) =>
        `| ${g.group} | ${g.year} | ${int(g.observed)} | ${int(g.model)} | ${pct(g.model / g.observed - 1)} |`,
    ),
  );
  return `${lines.join('\n')}\n`;
}
