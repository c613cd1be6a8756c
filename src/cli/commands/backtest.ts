/** `crossroads backtest`: forecasts from a refit on deaths up to an origin year, against what happened. */

import type { Command } from 'commander';
import { calibrateHealth, DEFAULTS, type HealthFit } from '../../calibration/calibrate.js';
import { fitScenario } from '../../calibration/chains.js';
import {
  BACKTEST_MODES,
  type BacktestMode,
  type BacktestRow,
  backtestRows,
} from '../../calibration/summary.js';
import { CrossroadsError } from '../../core/errors.js';
import { readBacktests } from '../calibration-files.js';
import { choiceOption, intOption } from '../options.js';

const int = (x: number) => Math.round(x).toLocaleString('en-US');

/** Register the command. */
export function registerBacktest(program: Command): void {
  program
    .command('backtest')
    .description(
      'refit with deaths up to --origin only (same structure and priors) and forecast the following years through 2024, against CDC/NCHS and persistence',
    )
    .requiredOption(
      '--origin <year>',
      `last year of deaths used (shipped refits: ${DEFAULTS.origins.join(', ')})`,
    )
    .option('--mode <mode>', 'real-time (signals frozen at the origin) | signals-known | both', 'both')
    .option('--format <format>', 'table | json', 'table')
    .option('--refit', 'recompute the refit now (shorter chains) instead of using the shipped one')
    .option('--threads <n>', 'worker threads for --refit', String(DEFAULTS.threads))
    .action(
      async (opts: { origin: string; mode?: string; format?: string; refit?: boolean; threads?: string }) => {
        const origin = intOption('--origin', opts.origin, 2023, 2016, 2023);
        const mode = choiceOption('--mode', opts.mode, [...BACKTEST_MODES, 'both'] as const, 'both');
        const format = choiceOption('--format', opts.format, ['table', 'json'] as const, 'table');
        const threads = intOption('--threads', opts.threads, DEFAULTS.threads, 0, 64);
        let refit: HealthFit | undefined;
        if (opts.refit) {
          const controller = new AbortController();
          const stop = () => controller.abort();
          process.once('SIGINT', stop);
          try {
            refit = await calibrateHealth(fitScenario(origin), {
              lastYear: origin,
              signalsTo: origin,
              iterations: DEFAULTS.refitIterations,
              keep: 200,
              threads,
              signal: controller.signal,
              log: (m) => process.stderr.write(`backtest: ${m}\n`),
            });
          } finally {
            process.off('SIGINT', stop);
          }
        } else {
          refit = readBacktests().find((r) => r.lastYear === origin);
          if (!refit)
            throw new CrossroadsError('cli', [
              {
                path: '--origin',
                value: origin,
                expected: `a shipped refit origin (${readBacktests()
                  .map((r) => r.lastYear)
                  .join(', ')}) or --refit`,
              },
            ]);
        }
        const modes: BacktestMode[] = mode === 'both' ? [...BACKTEST_MODES] : [mode];
        const rows: BacktestRow[] = modes.flatMap((m) => backtestRows(refit, m));
        if (format === 'json') {
          process.stdout.write(`${JSON.stringify({ rows }, null, 2)}\n`);
          return;
        }
        const worst = Math.max(...refit.diagnostics.map((d) => d.rhat));
        const lines = [
          `Backtest from origin ${origin}: refit on CDC/NCHS deaths 2015-${origin} (signals cut after ${origin}; ${refit.chains} chains x ${refit.iterations.toLocaleString('en-US')} iterations, largest R-hat ${worst.toFixed(3)}${worst > DEFAULTS.refitRhat ? ' - NOT converged by the refit threshold 1.1' : ''}).`,
          'All-drug total deaths. skill = 1 - |model error| / |persistence error| (persistence: the origin year repeated; > 0 beats it).',
          '',
          'mode           year  observed    median        p5       p95  persistence   skill',
          '-------------  ----  --------  --------  --------  --------  -----------  ------',
          ...rows.map(
            (r) =>
              `${r.mode.padEnd(13)}  ${r.year}  ${int(r.observed).padStart(8)}  ${int(r.median).padStart(8)}  ${int(r.p5).padStart(8)}  ${int(r.p95).padStart(8)}  ${int(r.persistence).padStart(11)}  ${Number.isNaN(r.skill) ? '   n/a' : r.skill.toFixed(2).padStart(6)}`,
          ),
          '',
          'The structure was chosen knowing 2023-2024: backtests from earlier origins test the fitting procedure, not the structure.',
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      },
    );
}
