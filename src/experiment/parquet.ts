/**
 * Per-replicate rows as Parquet, for analysts who load them into DuckDB, Arrow, pandas or R without
 * parsing text. Rows are streamed to a temporary CSV (memory stays flat however many replicates) and
 * converted at the end by DuckDB's `COPY ... (FORMAT parquet)`: the replicate index as BIGINT, every
 * other column as DOUBLE, zstd-compressed. DuckDB (`@duckdb/node-api`) is an optional dependency,
 * loaded only here and only when Parquet is asked for; when it is missing the error says so. The
 * numbers round-trip exactly: the CSV holds JavaScript's shortest round-trip decimal form and DuckDB
 * parses decimals with correct rounding (tested).
 */

import { fail } from '../core/errors.js';

const MODULE = 'experiment/parquet';

/** Output formats of the per-replicate file, chosen by its extension. */
export type RowsFormat = 'csv' | 'parquet';

/** The per-replicate file's format from its name: `.parquet` is Parquet, anything else CSV. */
export function rowsFormatOf(path: string): RowsFormat {
  return /\.parquet$/i.test(path) ? 'parquet' : 'csv';
}

/** A string literal in DuckDB SQL. */
function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

interface DuckModule {
  DuckDBInstance: {
    create(path: string): Promise<{
      connect(): Promise<{ run(sql: string): Promise<unknown>; closeSync?: () => void }>;
      closeSync?: () => void;
    }>;
  };
}

/** Load DuckDB, or fail with an error naming the flag and the file. */
export async function loadDuckDb(flag: string, path: string): Promise<DuckModule> {
  try {
    // A variable specifier: the package is optional, so the build must not depend on its types.
    const name = '@duckdb/node-api';
    return (await import(name)) as DuckModule;
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return fail(
      MODULE,
      flag,
      path,
      `a .csv file, or Parquet with the optional package @duckdb/node-api installed (npm install @duckdb/node-api; loading it failed: ${msg})`,
    );
  }
}

/**
 * Convert `csvPath` (a header row; column `replicate` holds integers, the others numbers) into a
 * Parquet file at `parquetPath` (overwritten). `columns` are the header's names in order.
 */
export async function csvToParquet(
  csvPath: string,
  parquetPath: string,
  columns: readonly string[],
  flag = '--replicates-file',
): Promise<void> {
  const duck = await loadDuckDb(flag, parquetPath);
  const types = columns
    .map((c) => `${sqlString(c)}: ${c === 'replicate' ? "'BIGINT'" : "'DOUBLE'"}`)
    .join(', ');
  const sql =
    `COPY (SELECT * FROM read_csv(${sqlString(csvPath)}, header = true, delim = ',', quote = '"', ` +
    `escape = '"', columns = {${types}})) TO ${sqlString(parquetPath)} (FORMAT parquet, COMPRESSION zstd)`;
  const db = await duck.DuckDBInstance.create(':memory:');
  const con = await db.connect();
  try {
    await con.run(sql);
  } finally {
    con.closeSync?.();
    db.closeSync?.();
  }
}
