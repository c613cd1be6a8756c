/** `crossroads calibrate`: sample the health posterior (2015-2024) and the backtest refits; write them. */

import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { acceptedSets, calibrateHealth, DEFAULTS, type HealthFit } from '../../calibration/calibrate.js';
import { fitScenario } from '../../calibration/chains.js';
import { fitReportMarkdown } from '../../calibration/report.js';
import { fail } from '../../core/errors.js';
import { checkOutputTarget, outputError, writeFileAtomic } from '../../experiment/output.js';
import { BACKTESTS_FILE, CALIBRATION_DIR, HEALTH_FIT_FILE, readBacktests } from '../calibration-files.js';
import { intOption } from '../options.js';

/** The files `calibrate` writes. */
const FILES = ['fitted.json', 'accepted.json', HEALTH_FIT_FILE, BACKTESTS_FILE, 'fit-report.md'] as const;

/** Check the output directory before fitting: an existing directory's files, or a creatable one. */
function checkOutDir(dir: string, flag: string): void {
  let st: ReturnType<typeof statSync> | null = null;
  try {
    st = statSync(dir);
  } catch {
    st = null;
  }
  if (st && !st.isDirectory()) fail('cli', flag, dir, 'a directory (this is not one)');
  // A directory that does not exist yet is made at the end; its parent must take it.
  if (!st) checkOutputTarget(dir, flag);
  else for (const f of FILES) checkOutputTarget(join(dir, f), flag);
}

/** The refits already written in `dir` (none if there is no backtests file). */
function existingRefits(dir: string): HealthFit[] {
  return existsSync(join(dir, BACKTESTS_FILE)) ? readBacktests(dir) : [];
}

/** Register the command. */
export function registerCalibrate(program: Command): void {
  program
    .command('calibrate')
    .description(
      'sample the health posterior on CDC/NCHS deaths 2015-2024 (several chains on worker threads) and the backtest refits; write fitted.json, accepted.json, health-fit.json, backtests.json and fit-report.md; needs --out-dir DIR or --update-shipped',
    )
    .option('--out-dir <dir>', 'write the calibration files into this directory')
    .option(
      '--update-shipped',
      "write them into the package's data/calibration/ (replaces the shipped calibration; then npm run build)",
    )
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
        outDir?: string;
        updateShipped?: boolean;
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
        if (opts.outDir !== undefined && opts.updateShipped) {
          fail('cli', '--out-dir', opts.outDir, 'either --out-dir DIR or --update-shipped, not both');
        }
        if (opts.outDir === undefined && !opts.updateShipped) {
          fail(
            'cli',
            '--out-dir',
            undefined,
            `a directory for the results, or --update-shipped to replace the shipped calibration in ${CALIBRATION_DIR}`,
          );
        }
        const flag = opts.updateShipped ? '--update-shipped' : '--out-dir';
        const outDir = opts.outDir ?? CALIBRATION_DIR;
        checkOutDir(outDir, flag);
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
        try {
          mkdirSync(outDir, { recursive: true });
        } catch (err) {
          throw outputError(flag, outDir, err);
        }
        const write = (name: string, text: string) => writeFileAtomic(join(outDir, name), text, flag);
        const stamp = 'Written by `crossroads calibrate`. Do not edit by hand.';
        write(
          'fitted.json',
          `${JSON.stringify({ $comment: `${stamp} The point fit (2015-2024): the accepted set whose annual totals lie closest to the posterior median; the default scenario runs on it.`, fitYears: [2015, 2024], seed, values: shipped.best }, null, 2)}\n`,
        );
        write(
          'accepted.json',
          `${JSON.stringify({ $comment: `${stamp} Posterior parameter sets spread over all chains, then the other history-shaping parameters held at their declared values; ensembles draw these parameters jointly from these rows.`, ...acceptedSets(shipped, fitScenario(null)) }, null, 1)}\n`,
        );
        write(HEALTH_FIT_FILE, `${JSON.stringify({ $comment: stamp, ...shipped })}\n`);
        if (opts.backtests) write(BACKTESTS_FILE, `${JSON.stringify({ $comment: stamp, refits })}\n`);
        const kept = opts.backtests ? refits : existingRefits(outDir);
        const report = fitReportMarkdown(shipped, kept);
        write('fit-report.md', report);
        log(
          `done in ${((performance.now() - t0) / 1000).toFixed(0)} s; wrote ${outDir}; rebuild (npm run build) so that run and ensemble use the new fit`,
        );
      },
    );
}
