/** `crossroads calibrate`: sample the health posterior (2015-2024) and the backtest refits; write them. */

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { acceptedSets, calibrateHealth, DEFAULTS, type HealthFit } from '../../calibration/calibrate.js';
import { fitScenario } from '../../calibration/chains.js';
import { fitReportMarkdown } from '../../calibration/report.js';
import { BACKTESTS_FILE, CALIBRATION_DIR, HEALTH_FIT_FILE, readBacktests } from '../calibration-files.js';
import { intOption } from '../options.js';
import { writeOutput } from '../output.js';

/** The refits already written in `dir` (none if there is no backtests file). */
function existingRefits(dir: string): HealthFit[] {
  return existsSync(join(dir, BACKTESTS_FILE)) ? readBacktests(dir) : [];
}

/** Register the command. */
export function registerCalibrate(program: Command): void {
  program
    .command('calibrate')
    .description(
      'sample the health posterior on CDC/NCHS deaths 2015-2024 (several chains on worker threads) and the backtest refits; write fitted.json, accepted.json, health-fit.json, backtests.json and fit-report.md',
    )
    .option('--out-dir <dir>', 'where to write the calibration files', CALIBRATION_DIR)
    .option('--seed <n>', 'seed of the starts and the chains', String(DEFAULTS.seed))
    .option('--iterations <n>', 'iterations per chain of the shipped fit', String(DEFAULTS.iterations))
    .option(
      '--refit-iterations <n>',
      'iterations per chain of each backtest refit',
      String(DEFAULTS.refitIterations),
    )
    .option('--threads <n>', 'worker threads', String(DEFAULTS.threads))
    .option(
      '--no-backtests',
      'skip the backtest refits (backtests.json is not written; the refits already in --out-dir, if any, are reported)',
    )
    .action(
      async (opts: {
        outDir: string;
        seed: string;
        iterations: string;
        refitIterations: string;
        threads: string;
        backtests: boolean;
      }) => {
        const seed = intOption('--seed', opts.seed, DEFAULTS.seed, 0, 2 ** 31 - 1);
        const iterations = intOption('--iterations', opts.iterations, DEFAULTS.iterations, 1000, 100_000_000);
        const refitIterations = intOption(
          '--refit-iterations',
          opts.refitIterations,
          DEFAULTS.refitIterations,
          1000,
          100_000_000,
        );
        const threads = intOption('--threads', opts.threads, DEFAULTS.threads, 0, 64);
        const log = (m: string) => process.stderr.write(`calibrate: ${m}\n`);
        const controller = new AbortController();
        const stop = () => controller.abort();
        process.once('SIGINT', stop);
        const t0 = performance.now();
        let shipped: HealthFit;
        const refits: HealthFit[] = [];
        try {
          log(
            `fitting 2015-2024 (${DEFAULTS.chains} chains x ${iterations} iterations, ${threads} threads)...`,
          );
          shipped = await calibrateHealth(fitScenario(null), {
            lastYear: 2024,
            signalsTo: null,
            seed,
            iterations,
            threads,
            signal: controller.signal,
            log,
          });
          if (opts.backtests) {
            for (const origin of DEFAULTS.origins) {
              log(`backtest refit: deaths 2015-${origin}, signals cut after ${origin}...`);
              refits.push(
                await calibrateHealth(fitScenario(origin), {
                  lastYear: origin,
                  signalsTo: origin,
                  seed,
                  iterations: refitIterations,
                  keep: 200,
                  threads,
                  signal: controller.signal,
                  log,
                }),
              );
            }
          }
        } finally {
          process.off('SIGINT', stop);
        }
        // Everything computed: write (each file atomically).
        mkdirSync(opts.outDir, { recursive: true });
        const stamp = 'Written by `crossroads calibrate`. Do not edit by hand.';
        writeOutput(
          `${JSON.stringify({ $comment: `${stamp} The point fit (2015-2024): the accepted set whose annual totals lie closest to the posterior median; the default scenario runs on it.`, fitYears: [2015, 2024], seed, values: shipped.best }, null, 2)}\n`,
          join(opts.outDir, 'fitted.json'),
        );
        writeOutput(
          `${JSON.stringify({ $comment: `${stamp} Posterior parameter sets spread over all chains, then the other history-shaping parameters held at their declared values; ensembles draw these parameters jointly from these rows.`, ...acceptedSets(shipped, fitScenario(null)) }, null, 1)}\n`,
          join(opts.outDir, 'accepted.json'),
        );
        writeOutput(
          `${JSON.stringify({ $comment: stamp, ...shipped })}\n`,
          join(opts.outDir, HEALTH_FIT_FILE),
        );
        if (opts.backtests)
          writeOutput(`${JSON.stringify({ $comment: stamp, refits })}\n`, join(opts.outDir, BACKTESTS_FILE));
        const kept = opts.backtests ? refits : existingRefits(opts.outDir);
        const report = fitReportMarkdown(shipped, kept);
        writeOutput(report, join(opts.outDir, 'fit-report.md'));
        log(
          `done in ${((performance.now() - t0) / 1000).toFixed(0)} s; wrote ${opts.outDir}; rebuild (npm run build) so that run and ensemble use the new fit`,
        );
      },
    );
}
