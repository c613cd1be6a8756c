/**
 * An ensemble's per-replicate table: the parameter draws and each arm's summary outcomes, one row per
 * replicate in replicate order (from `runEnsemble`'s replicate blocks, so any executor gives the same
 * table). Scenario discovery and robustness read it; it is what `--replicates-file` writes.
 */

import { fail } from '../core/errors.js';
import { type EnsembleResult, type EnsembleSpec, type RunEnsembleOptions, runEnsemble } from './ensemble.js';

/** Rows of one ensemble. */
export interface ReplicateTable {
  n: number;
  columns: string[];
  /** Row-major, `columns.length` values per replicate. */
  rows: Float64Array;
  /** Names of the parameter columns (the first columns). */
  inputs: string[];
  result: EnsembleResult;
}

/** Run an ensemble and keep its per-replicate rows. */
export async function replicateTable(
  spec: EnsembleSpec,
  options: Omit<RunEnsembleOptions, 'onReplicates'> = {},
): Promise<ReplicateTable> {
  let rows: Float64Array | null = null;
  let columns: string[] = [];
  let next = 0;
  const result = await runEnsemble(
    { ...spec, replicateRows: true },
    {
      ...options,
      onReplicates: (block) => {
        if (!rows) {
          columns = block.columns;
          rows = new Float64Array(spec.n * columns.length);
        }
        if (block.start !== next)
          throw new Error(`experiment/replicate-table: block ${block.start} arrived out of order`);
        rows.set(block.rows, block.start * columns.length);
        next = block.end;
      },
    },
  );
  if (!rows || next !== spec.n)
    throw new Error('experiment/replicate-table: not every replicate returned its row');
  const summaries = result.layout.summaries.length * spec.arms.length;
  return { n: spec.n, columns, rows, inputs: columns.slice(0, columns.length - summaries), result };
}

/** The values of one column. */
export function column(
  t: Pick<ReplicateTable, 'n' | 'columns' | 'rows' | 'inputs'>,
  name: string,
  flag = 'column',
): Float64Array {
  const k = t.columns.indexOf(name);
  if (k < 0)
    fail('experiment/replicate-table', flag, name, `one of ${t.columns.slice(t.inputs.length).join(', ')}`);
  const w = t.columns.length;
  const out = new Float64Array(t.n);
  for (let i = 0; i < t.n; i++) out[i] = t.rows[i * w + k];
  return out;
}

/** The parameter columns as an n x inputs matrix (row-major). */
export function inputMatrix(t: ReplicateTable): Float64Array {
  const w = t.columns.length;
  const d = t.inputs.length;
  const out = new Float64Array(t.n * d);
  for (let i = 0; i < t.n; i++) out.set(t.rows.subarray(i * w, i * w + d), i * d);
  return out;
}

/** Resolve an outcome name to a summary id: a summary id as is, or a leaf that has a summary. */
export function summaryId(result: EnsembleResult, name: string, flag = '--outcome'): string {
  const s = result.layout.summaries;
  const hit = s.find((x) => x.id === name) ?? s.find((x) => x.outcome === name);
  if (!hit)
    fail('experiment/replicate-table', flag, name, `a summary outcome: ${s.map((x) => x.id).join(', ')}`);
  return hit.id;
}
