/**
 * An ensemble as a command runs it (Node only): choose the executor, show progress, stream
 * per-replicate rows to a file written atomically, and on Ctrl-C stop the workers and remove every
 * temporary file before the process exits (so no half-written output is ever left behind).
 */

import type { Policy, Scenario } from '../scenario/schema.js';
import { loadAcceptedSets } from './accepted-file.js';
import { type EnsembleResult, type EnsembleSpec, runEnsemble } from './ensemble.js';
import { InterruptedError } from './executor.js';
import { AtomicFile, abortPendingFiles } from './output.js';
import { csvToParquet, rowsFormatOf } from './parquet.js';
import { type Progress, progressFor, silentProgress } from './progress.js';
import { csvField, toCsv } from './report.js';
import { intervalJson, intervalTable, runPolicyInterval } from './run-interval.js';
import { defaultThreads, executorFor } from './worker-executor.js';

/** How a command runs an ensemble. */
export interface SessionOptions {
  /** Threads (1 = in-process); default: in-process for small jobs, all cores otherwise. */
  threads?: number;
  /** Label of progress output; none when `progress` is false. */
  label: string;
  progress?: boolean;
  /** Write per-replicate rows here: Parquet when the name ends in `.parquet`, else CSV. */
  replicatesFile?: string;
}

/** Run an ensemble for a command. Throws InterruptedError on Ctrl-C (after cleaning up). */
export async function runSession(spec: EnsembleSpec, options: SessionOptions): Promise<EnsembleResult> {
  const runs = spec.n * spec.arms.length;
  const executor = executorFor(options.threads ?? defaultThreads(runs));
  const controller = new AbortController();
  const progress: Progress = options.progress === false ? silentProgress : progressFor(options.label);
  const rowsFile = options.replicatesFile
    ? AtomicFile.open(options.replicatesFile, '--replicates-file')
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
    if (rowsFile && options.replicatesFile && rowsFormatOf(options.replicatesFile) === 'parquet') {
      // The rows went to a temporary CSV; DuckDB writes the Parquet under a second temporary name,
      // renamed over the target only when complete.
      rowsFile.close();
      const parquet = AtomicFile.open(options.replicatesFile, '--replicates-file');
      try {
        await csvToParquet(rowsFile.tempPath, parquet.tempPath, header ?? ['replicate']);
        parquet.commit();
      } catch (err) {
        parquet.abort();
        throw err;
      } finally {
        rowsFile.abort();
      }
    } else rowsFile?.commit();
    return result;
  } catch (err) {
    progress.stop();
    rowsFile?.abort();
    throw controller.signal.aborted && !(err instanceof InterruptedError) ? new InterruptedError() : err;
  } finally {
    process.removeListener('SIGINT', onSigint);
    process.removeListener('exit', abortPendingFiles);
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
