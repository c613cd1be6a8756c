/**
 * Running an analysis from a command: the executor (threads), progress on stderr, and Ctrl-C that
 * stops the workers and ends with exit 130. Shared by `sensitivity`, `discover` and `robust`.
 */

import type { Command } from 'commander';
import { CrossroadsError } from '../core/errors.js';
import { type Executor, InterruptedError } from '../experiment/executor.js';
import { progressFor, silentProgress } from '../experiment/progress.js';
import { checkRedisUrl, RedisExecutor } from '../experiment/redis-executor.js';
import { checkThreads, defaultThreads, executorFor } from '../experiment/worker-executor.js';
import { intOption } from './options.js';

/** What the analysis gets. */
export interface AnalysisRun {
  executor: Executor;
  signal: AbortSignal;
  onProgress: (done: number, total: number) => void;
}

/** The executor flags every analysis takes. */
export interface ExecutorFlags {
  threads?: string;
  executor?: string;
  redis?: string;
  workers?: string;
}

/** Help texts of `--executor local|redis`, `--redis URL` and `--workers N`. */
export const EXECUTOR_HELP = {
  executor: 'local (this machine: in-process or --threads) | redis (crossroads worker processes)',
  redis: 'with --executor redis: the Redis server, e.g. redis://127.0.0.1:6379',
  workers: 'with --executor redis: workers expected (sizes the chunks; results do not depend on it)',
} as const;

/** The flags `worldOptions` adds (with the executor's). */
export interface WorldFlags extends ExecutorFlags {
  format: string;
  out?: string;
  threads?: string;
  accepted?: string;
  assumptions?: string;
  experiments?: string;
  progress: boolean;
}

/**
 * The options the ensemble-based analyses share (`discover`, `robust`): format, output file, threads,
 * accepted sets, assumptions, the experiments file, progress and the executor, in that order.
 */
export function worldOptions(cmd: Command, formats: readonly string[], experimentsHelp: string): Command {
  return executorOptions(
    cmd
      .option('-f, --format <format>', formats.join(' | '), 'table')
      .option('-o, --out <file>', 'write to a file (atomically) instead of stdout')
      .option('-t, --threads <n>', 'worker threads, 1 = in-process (default: all cores for large ensembles)')
      .option('--accepted <file>', 'accepted calibration sets (default: data/calibration/accepted.json)')
      .option('-a, --assumptions <name|file>', 'alternative assumption set or an overlay file')
      .option('--experiments <file>', experimentsHelp)
      .option('--no-progress', 'no progress output on stderr'),
  );
}

/** Add the executor options to a command. */
export function executorOptions(cmd: Command): Command {
  return cmd
    .option('--executor <kind>', EXECUTOR_HELP.executor, 'local')
    .option('--redis <url>', EXECUTOR_HELP.redis)
    .option('--workers <n>', EXECUTOR_HELP.workers, '4');
}

/** The executor the flags ask for, for about `runs` model runs (checked before any run). */
export function executorFromFlags(flags: ExecutorFlags, runs: number): Executor {
  const kind = flags.executor ?? 'local';
  if (kind === 'redis') {
    if (!flags.redis) {
      throw new CrossroadsError('cli', [
        { path: '--redis', value: undefined, expected: 'a Redis URL with --executor redis' },
      ]);
    }
    if (flags.threads !== undefined) {
      throw new CrossroadsError('cli', [
        {
          path: '--threads',
          value: flags.threads,
          expected: 'no --threads with --executor redis (start more workers)',
        },
      ]);
    }
    checkRedisUrl(flags.redis);
    return new RedisExecutor(flags.redis, intOption('--workers', flags.workers, 4, 1, 100_000));
  }
  if (kind !== 'local')
    throw new CrossroadsError('cli', [{ path: '--executor', value: kind, expected: 'local or redis' }]);
  if (flags.redis !== undefined) {
    throw new CrossroadsError('cli', [
      { path: '--redis', value: flags.redis, expected: 'only with --executor redis' },
    ]);
  }
  const t =
    flags.threads === undefined
      ? defaultThreads(runs)
      : checkThreads(intOption('--threads', flags.threads, 1, 1, Number.MAX_SAFE_INTEGER), '--threads');
  return executorFor(t);
}

/** Run `fn` with the executor the flags ask for, for about `runs` model runs. */
export async function withExecutor<T>(
  label: string,
  runs: number,
  flags: ExecutorFlags,
  progressOn: boolean,
  fn: (run: AnalysisRun) => Promise<T>,
): Promise<T> {
  const executor = executorFromFlags(flags, runs);
  const controller = new AbortController();
  const progress = progressOn ? progressFor(label) : silentProgress;
  const onSigint = (): void => {
    controller.abort();
    progress.stop();
  };
  process.prependListener('SIGINT', onSigint);
  try {
    const out = await fn({
      executor,
      signal: controller.signal,
      onProgress: (done, total) => progress.update(done, total),
    });
    progress.stop();
    return out;
  } catch (err) {
    progress.stop();
    throw controller.signal.aborted && !(err instanceof InterruptedError) ? new InterruptedError() : err;
  } finally {
    process.removeListener('SIGINT', onSigint);
    await executor.close();
  }
}
