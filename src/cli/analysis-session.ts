/**
 * Running an analysis from a command: the executor (threads), progress on stderr, and Ctrl-C that
 * stops the workers and ends with exit 130. Shared by `sensitivity`, `discover` and `robust`.
 */

import { type Executor, InterruptedError } from '../experiment/executor.js';
import { progressFor, silentProgress } from '../experiment/progress.js';
import { checkThreads, defaultThreads, executorFor } from '../experiment/worker-executor.js';
import { intOption } from './options.js';

/** What the analysis gets. */
export interface AnalysisRun {
  executor: Executor;
  signal: AbortSignal;
  onProgress: (done: number, total: number) => void;
}

/** Run `fn` with an executor for about `runs` model runs; `threads` is the raw --threads flag. */
export async function withExecutor<T>(
  label: string,
  runs: number,
  threads: string | undefined,
  progressOn: boolean,
  fn: (run: AnalysisRun) => Promise<T>,
): Promise<T> {
  const t =
    threads === undefined
      ? defaultThreads(runs)
      : checkThreads(intOption('--threads', threads, 1, 1, Number.MAX_SAFE_INTEGER), '--threads');
  const executor = executorFor(t);
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
