/**
 * An ensemble as a command runs it (Node only): choose the executor, show progress, stream
 * per-replicate rows to a file written atomically, and on Ctrl-C stop the workers and remove every
 * temporary file before the process exits (so no half-written output is ever left behind).
 */

import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Policy, Scenario } from '../scenario/schema.js';
import { loadAcceptedSets } from './accepted-file.js';
import { type EnsembleResult, type EnsembleSpec, runEnsemble } from './ensemble.js';
import { type Executor, InterruptedError } from './executor.js';
import { AtomicFile, abortPendingFiles } from './output.js';
import { csvToParquet, loadDuckDb, rowsFormatOf } from './parquet.js';
import { type Progress, progressFor, silentProgress } from './progress.js';
import { csvField, toCsv } from './report.js';
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
  const parquet = target !== undefined && rowsFormatOf(target) === 'parquet';
  // Parquet needs DuckDB: load it now, so a missing package fails before the runs, not after them.
  if (parquet) await loadDuckDb('--replicates-file', target);
  const executor = options.executor ?? executorFor(options.threads ?? defaultThreads(runs));
  const controller = new AbortController();
  const progress: Progress = options.progress === false ? silentProgress : progressFor(options.label);
  // For Parquet the rows stream to a CSV in a private temporary directory under a plain name (so
  // DuckDB's reader never meets the user's path, where `*`, `?` or `[` could read as a pattern), and
  // the Parquet's own temporary file is opened in the target's directory now, so an unwritable target
  // fails before the runs.
  const parquetFile = parquet ? AtomicFile.open(target, '--replicates-file') : null;
  let rowsDir: string | null = null;
  try {
    if (parquet) rowsDir = mkdtempSync(join(tmpdir(), 'crossroads-rows-'));
  } catch (err) {
    parquetFile?.abort();
    throw err;
  }
  const rowsFile = target
    ? AtomicFile.open(rowsDir ? join(rowsDir, 'rows.csv') : target, '--replicates-file')
    : null;
  // Runs before any other SIGINT listener (e.g. one that exits with 130): stop workers, drop temp files.
  const onSigint = (): void => {
    controller.abort();
    progress.stop();
    abortPendingFiles();
  };
  process.prependListener('SIGINT', onSigint);
  process.on('exit', abortPendingFiles);
  let header: string[] | null = null;
  try {
    const result = await runEnsemble(
      { ...spec, replicateRows: rowsFile !== null },
      {
        executor,
        signal: controller.signal,
        onProgress: (done, total) => progress.update(done, total),
        onReplicates: rowsFile
          ? (block) => {
              if (!header) {
                header = ['replicate', ...block.columns];
                rowsFile.write(`${header.map(csvField).join(',')}\n`);
              }
              const w = block.columns.length;
              let text = '';
              for (let r = block.start; r < block.end; r++) {
                const o = (r - block.start) * w;
                text += String(r);
                for (let k = 0; k < w; k++) text += `,${block.rows[o + k]}`;
                text += '\n';
              }
              rowsFile.write(text);
            }
          : undefined,
      },
    );
    progress.stop();
    if (rowsFile && parquetFile && target) {
      rowsFile.close();
      try {
        await csvToParquet(rowsFile.tempPath, parquetFile.tempPath, header ?? ['replicate']);
      } catch (err) {
        // Keep the rows: the runs are done and may have taken a long time.
        const kept = `${target}.csv`;
        copyFileSync(rowsFile.tempPath, kept);
        const msg = err instanceof Error ? err.message : String(err);
        throw new Error(`${msg}\n(the per-replicate rows are kept as CSV in ${kept})`);
      }
      if (controller.signal.aborted) throw new InterruptedError();
      parquetFile.commit();
      rowsFile.abort();
    } else rowsFile?.commit();
    return result;
  } catch (err) {
    progress.stop();
    rowsFile?.abort();
    parquetFile?.abort();
    throw controller.signal.aborted && !(err instanceof InterruptedError) ? new InterruptedError() : err;
  } finally {
    process.removeListener('SIGINT', onSigint);
    process.removeListener('exit', abortPendingFiles);
    if (rowsDir) rmSync(rowsDir, { recursive: true, force: true });
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
      { ...args, accepted: loaded.accepted, acceptedSource: loaded.source },
      { executor },
    );
    return args.format === 'json'
      ? intervalJson(r)
      : args.format === 'csv'
        ? toCsv(r.result)
        : intervalTable(r);
  } finally {
    await executor.close();
  }
}
