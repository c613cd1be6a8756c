/**
 * `--experiments FILE` of the analyses: every run's sampled inputs, package and outcomes, as CSV,
 * Parquet (via DuckDB, as `--replicates-file`) or the EMA Workbench's results archive (`.tar.gz`).
 * CSV and Parquet are wide (one row per world: `replicate`, the inputs, then `PACKAGE:OUTCOME` per
 * package); the archive is long (one experiment per world and package), as the Workbench stores it.
 */

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CrossroadsError } from '../core/errors.js';
import { emaArchive } from '../experiment/ema-archive.js';
import {
  checkOutputTarget,
  commitFileAtomic,
  privateTempDir,
  removePrivateDir,
  writeFileAtomic,
} from '../experiment/output.js';
import { csvToParquet, loadDuckDb } from '../experiment/parquet.js';
import { column } from '../experiment/replicate-table.js';

/** The formats, by file name. */
export type ExperimentsFormat = 'csv' | 'parquet' | 'ema';

/** The format a name asks for (checked before any run). */
export function experimentsFormat(path: string, flag = '--experiments'): ExperimentsFormat {
  if (/\.(tar\.gz|tgz)$/i.test(path)) return 'ema';
  if (/\.parquet$/i.test(path)) return 'parquet';
  if (/\.csv$/i.test(path)) return 'csv';
  throw new CrossroadsError('cli', [
    {
      path: flag,
      value: path,
      expected: 'a file name ending in .csv, .parquet or .tar.gz (EMA Workbench archive)',
    },
  ]);
}

/** Check the format, the target, and for Parquet that DuckDB loads, before the runs. */
export async function checkExperimentsFile(path: string, flag = '--experiments'): Promise<void> {
  const format = experimentsFormat(path, flag);
  checkOutputTarget(path, flag);
  if (format === 'parquet') await loadDuckDb(flag, path);
}

/** Write a file made in a private temporary directory, then move it into place atomically. */
async function viaPrivateDir(path: string, flag: string, make: (dir: string) => Promise<string> | string) {
  const dir = privateTempDir();
  try {
    commitFileAtomic(await make(dir), path, flag);
  } finally {
    removePrivateDir(dir);
  }
}

/** Per-run rows: the inputs first, then outcome columns named `ARM:OUTCOME`. */
export interface ExperimentsTable {
  n: number;
  columns: string[];
  rows: Float64Array;
  inputs: string[];
}

/** One package's worlds: the table and the arm name its columns carry. */
export interface ExperimentsPart {
  arm: string;
  /** The package's name as written to the file. */
  label: string;
  table: ExperimentsTable;
}

/** Write the experiments of `parts` (all on the same worlds), outcomes `ids`, to `path`. */
export async function writeExperiments(
  path: string,
  parts: ExperimentsPart[],
  ids: string[],
  flag = '--experiments',
): Promise<void> {
  const format = experimentsFormat(path, flag);
  const first = parts[0].table;
  const inputs = first.inputs;
  const n = first.n;
  if (format === 'ema') {
    const experiments = parts.flatMap((p) =>
      Array.from({ length: n }, (_, i) => ({
        scenario: i,
        policy: p.label,
        values: p.table.rows.subarray(i * p.table.columns.length, i * p.table.columns.length + inputs.length),
      })),
    );
    const outcomes = ids.map((id) => {
      const data = new Float64Array(parts.length * n);
      parts.forEach((p, k) => {
        data.set(column(p.table, `${p.arm}:${id}`), k * n);
      });
      return { name: id, columns: 1, data };
    });
    await viaPrivateDir(path, flag, (dir) => {
      const file = join(dir, 'experiments.tar.gz');
      writeFileSync(file, emaArchive({ inputs, experiments, outcomes }));
      return file;
    });
    return;
  }
  const header = ['replicate', ...inputs, ...parts.flatMap((p) => ids.map((id) => `${p.label}:${id}`))];
  const cols = parts.flatMap((p) => ids.map((id) => column(p.table, `${p.arm}:${id}`)));
  const quote = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  let text = `${header.map(quote).join(',')}\n`;
  const w = first.columns.length;
  for (let i = 0; i < n; i++) {
    let line = String(i);
    for (let j = 0; j < inputs.length; j++) line += `,${first.rows[i * w + j]}`;
    for (const c of cols) line += `,${c[i]}`;
    text += `${line}\n`;
  }
  if (format === 'csv') {
    writeFileAtomic(path, text, flag);
    return;
  }
  await viaPrivateDir(path, flag, async (dir) => {
    const csv = join(dir, 'experiments.csv');
    const parquet = join(dir, 'experiments.parquet');
    writeFileSync(csv, text);
    await csvToParquet(csv, parquet, header, flag);
    return parquet;
  });
}
