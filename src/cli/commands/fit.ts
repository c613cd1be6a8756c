/** `crossroads fit`: the shipped health fit, year by year and group by group, with its diagnostics. */

import type { Command } from 'commander';
import { DEFAULTS } from '../../calibration/calibrate.js';
import { fitSummary } from '../../calibration/summary.js';
import { readHealthFit } from '../calibration-files.js';
import { choiceOption } from '../options.js';

const int = (x: number) => Math.round(x).toLocaleString('en-US');
const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;

/** Register the command. */
export function registerFit(program: Command): void {
  program
    .command('fit')
    .description(
      'the health calibration as shipped: CDC/NCHS deaths 2015-2024 by group beside the posterior median and 90% band, coverage, and per-parameter diagnostics',
    )
    .option('--format <format>', 'table | json', 'table')
    .action((opts: { format?: string }) => {
      const format = choiceOption('--format', opts.format, ['table', 'json'] as const, 'table');
      const s = fitSummary(readHealthFit());
      if (format === 'json') {
        process.stdout.write(
          `${JSON.stringify(
            {
              rows: s.rows.map(({ year, group, observed, median, p5, p95 }) => ({
                year,
                group,
                observed,
                median,
                p5,
                p95,
              })),
              coverage90: s.coverage90,
              withoutOpioids: s.withoutOpioids.map(({ year, group, observed, median, p5, p95 }) => ({
                year,
                group,
                observed,
                median,
                p5,
                p95,
              })),
              diagnostics: s.diagnostics.map(({ id, rhat, ess, onBound }) => ({ id, rhat, ess, onBound })),
            },
            null,
            2,
          )}\n`,
        );
        return;
      }
      const lines: string[] = [
        `Health fit ${s.fitYears[0]}-${s.fitYears[1]}: CDC/NCHS deaths (* = estimate: final 2023 count x published 2023-24 rate change) vs posterior median and 90% band (parameter, structural and observation error).`,
        '',
        'year  group             observed    median        p5       p95    error  in band',
        '----  ----------------  --------  --------  --------  --------  -------  -------',
      ];
      for (const r of s.rows) {
        lines.push(
          `${r.year}  ${r.group.padEnd(16)}  ${(int(r.observed) + (r.estimate ? '*' : '')).padStart(8)}  ${int(r.median).padStart(8)}  ${int(r.p5).padStart(8)}  ${int(r.p95).padStart(8)}  ${pct(r.error).padStart(7)}  ${r.observed >= r.p5 && r.observed <= r.p95 ? 'yes' : 'NO'}`,
        );
      }
      lines.push(
        '',
        `MAPE of the medians: ${Object.entries(s.mape)
          .map(([g, m]) => `${g} ${(m * 100).toFixed(1)}%`)
          .join(', ')}.`,
        `90% band coverage: ${(s.coverage90 * 100).toFixed(0)}% of ${s.rows.length} year-group points (target >= 80%).`,
        '',
        'Deaths involving a stimulant and no opioid (fitted; CDC/NCHS group count x (1 - published share with an opioid)):',
        '',
        'year  series                          observed    median        p5       p95    error  in band',
        '----  ------------------------------  --------  --------  --------  --------  -------  -------',
        ...s.withoutOpioids.map(
          (r) =>
            `${r.year}  ${r.group.padEnd(30)}  ${int(r.observed).padStart(8)}  ${int(r.median).padStart(8)}  ${int(r.p5).padStart(8)}  ${int(r.p95).padStart(8)}  ${pct(r.error).padStart(7)}  ${r.observed >= r.p5 && r.observed <= r.p95 ? 'yes' : 'NO'}`,
        ),
        '',
        `Diagnostics (${s.chains} chains x ${s.iterations.toLocaleString('en-US')} iterations, second halves kept; thresholds R-hat <= ${DEFAULTS.rhat}, ESS >= ${DEFAULTS.ess}):`,
        '',
        'parameter                                     R-hat     ESS  on bound  median (p5-p95)',
        '--------------------------------------------  -----  ------  --------  ---------------',
      );
      for (const d of s.diagnostics) {
        const flag = d.rhat > DEFAULTS.rhat || d.ess < DEFAULTS.ess ? ' !' : '';
        lines.push(
          `${d.id.padEnd(44)}  ${d.rhat.toFixed(3)}  ${d.ess.toFixed(0).padStart(6)}  ${(d.onBound ? 'YES' : 'no').padEnd(8)}  ${d.median.toPrecision(3)} (${d.p5.toPrecision(3)}-${d.p95.toPrecision(3)})${flag}`,
        );
      }
      const bad = s.diagnostics.filter((d) => d.rhat > DEFAULTS.rhat || d.ess < DEFAULTS.ess);
      lines.push(
        '',
        bad.length
          ? `NOT CONVERGED by these thresholds: ${bad.map((d) => d.id).join(', ')}.`
          : 'Every sampled parameter meets both thresholds.',
      );
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
