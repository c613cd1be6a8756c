/**
 * An ensemble as a command runs it (Node only): choose the executor, show progress, stream
 * per-replicate rows to a file written atomically, and on Ctrl-C stop the workers and remove every
 * temporary file before the process exits (so no half-written output is ever left behind).
 */

import { join } from 'node:path';
import { csvLine } from '../core/text.js';
import type { Policy, Scenario } from '../spec/scenario.js';
import { loadAcceptedSets, loadErrorSigmas } from './accepted-file.js';
import { type EnsembleResult, type EnsembleSpec, runEnsemble } from './ensemble.js';
import { type Executor, InterruptedError } from './executor.js';
import {
  abortPendingFiles,
  checkOutputTarget,
  commitFileAtomic,
  privateTempDir,
  removePrivateDir,
  StreamFile,
} from './output.js';
import { csvToParquet, loadDuckDb, rowsFormatOf } from './parquet.js';
import { type Progress, progressFor, silentProgress } from './progress.js';
import { toCsv } from './report.js';
import { intervalJson, intervalTable, runPolicyInterval } from './run-interval.js';
import { defaultThreads, executorFor } from './worker-executor.js';

/** How a command runs an ensemble. */
export interface SessionOptions {
  /** Threads (1 = in-process); default: in-process for small jobs, all cores otherwise. */
  threads?: number;
  /** An executor to use instead (e.g. Redis); the session closes it. */
  executor?: Executor;
  /** Label of progress output; none when `progress` is false. */
  label: string;
  progress?: boolean;
  /** Write per-replicate rows here: Parquet when the name ends in `.parquet`, else CSV. */
  replicatesFile?: string;
}

/** Run an ensemble for a command. Throws InterruptedError on Ctrl-C (after cleaning up). */
export async function runSession(spec: EnsembleSpec, options: SessionOptions): Promise<EnsembleResult> {
  const runs = spec.n * spec.arms.length;
  const target = options.replicatesFile;
  const flag = '--replicates-file';
  const parquet = target !== undefined && rowsFormatOf(target) === 'parquet';
  // Checked before the runs: a bad target fails at once, not after them.
  if (target !== undefined) checkOutputTarget(target, flag);
  // Parquet needs DuckDB: load it now, so a missing package fails before the runs, not after them.
  if (parquet) await loadDuckDb(flag, target);
  // Rows stream into a private temporary directory under a plain name (so a killed run leaves nothing
  // beside the target, and DuckDB's reader never meets the user's path, where `*`, `?` or `[` could
  // read as a pattern); the finished file is moved into place at the end.
  const rowsDir = target !== undefined ? privateTempDir() : null;
  const executor = options.executor ?? executorFor(options.threads ?? defaultThreads(runs));
  const controller = new AbortController();
  const progress: Progress = options.progress === false ? silentProgress : progressFor(options.label);
  let rowsFile: StreamFile | null = null;
  // Runs before any other SIGINT listener (e.g. one that exits with 130): stop workers, drop temp files.
  const onSigint = (): void => {
    controller.abort();
    progress.stop();
    rowsFile?.close();
    if (rowsDir) removePrivateDir(rowsDir);
    abortPendingFiles();
  };
  process.prependListener('SIGINT', onSigint);
  let header: string[] | null = null;
  try {
    rowsFile = rowsDir && target ? new StreamFile(join(rowsDir, 'rows.csv'), flag, target) : null;
    const rows = rowsFile;
    const result = await runEnsemble(
      { ...spec, replicateRows: rows !== null },
      {
        executor,
        signal: controller.signal,
        onProgress: (done, total) => progress.update(done, total),
        onReplicates: rows
          ? (block) => {
              if (!header) {
                header = ['replicate', ...block.columns];
                rows.write(`${csvLine(header)}\n`);
              }
              const w = block.columns.length;
              let text = '';
              for (let r = block.start; r < block.end; r++) {
                const o = (r - block.start) * w;
                text += String(r);
                for (let k = 0; k < w; k++) text += `,${block.rows[o + k]}`;
                text += '\n';
              }
              rows.write(text);
            }
          : undefined,
      },
    );
    progress.stop();
    if (rows && rowsDir && target) {
      rows.close();
      if (parquet) {
        const converted = join(rowsDir, 'rows.parquet');
        try {
          await csvToParquet(rows.path, converted, header ?? ['replicate']);
        } catch (err) {
          // Keep the rows: the runs are done and may have taken a long time.
          const kept = `${target}.csv`;
          commitFileAtomic(rows.path, kept, flag);
          const msg = err instanceof Error ? err.message : String(err);
          throw new Error(`${msg}\n(the per-replicate rows are kept as CSV in ${kept})`);
        }
        if (controller.signal.aborted) throw new InterruptedError();
        commitFileAtomic(converted, target, flag);
      } else {
        if (controller.signal.aborted) throw new InterruptedError();
        commitFileAtomic(rows.path, target, flag);
      }
    }
    return result;
  } catch (err) {
    progress.stop();
    throw controller.signal.aborted && !(err instanceof InterruptedError) ? new InterruptedError() : err;
  } finally {
    process.removeListener('SIGINT', onSigint);
    rowsFile?.close();
    if (rowsDir) removePrivateDir(rowsDir);
    await executor.close();
  }
}

/** The interval form of `crossroads run` as text in a format (json | csv | table). */
export async function intervalRunText(args: {
  scenario: Scenario;
  policy: Policy;
  n: number;
  seed: number;
  format: 'table' | 'json' | 'csv';
}): Promise<string> {
  const loaded = loadAcceptedSets();
  const executor = executorFor(defaultThreads(2 * args.n));
  try {
    const r = await runPolicyInterval(
      {
        ...args,
        accepted: loaded.accepted,
        acceptedSource: loaded.source,
        acceptedHash: loaded.sha256,
        errorSigmas: loadErrorSigmas(),
      },
      { executor },
    );
    return args.format === 'json'
      ? intervalJson(r)
      : args.format === 'csv'
        ? toCsv(r.result)
        : intervalTable(r, Number(args.scenario.policyStart.slice(0, 4)));
  } finally {
    await executor.close();
  }
}
