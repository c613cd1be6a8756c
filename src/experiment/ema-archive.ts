/**
 * Experiments and outcomes in the EMA Workbench's results archive layout, so analysts can continue
 * in Python (`ema_workbench.load_results(FILE)`, or tarfile + pandas). The layout follows the
 * Workbench's `save_results` (ema_workbench/util/utilities.py, version 2.x): a gzipped tar holding
 * - `experiments.csv`: one row per experiment with a header: the inputs, then `scenario`, `policy`,
 *   `model` (here: the replicate index, the package, "crossroads");
 * - `experiments metadata.csv`: `name,dtype` per column (float64, int64, object);
 * - `outcomes metadata.csv`: `name,(rows,)` per scalar outcome, `name,(rows, columns)` per series;
 * - one `NAME.csv` per outcome: no header, no index, one row per experiment.
 * The tar is plain POSIX ustar with every timestamp 0, so the same results give the same bytes.
 */

import { gzipSync } from 'node:zlib';
import { fail } from '../core/errors.js';

const MODULE = 'experiment/ema-archive';

/** One experiment: a world (replicate) under a package. */
export interface ArchiveExperiment {
  scenario: number;
  policy: string;
  /** Input values, in `inputs` order. */
  values: ArrayLike<number>;
}

/** An outcome: `rows` (= experiments) x `columns` values, row-major; columns 1 for a scalar outcome. */
export interface ArchiveOutcome {
  name: string;
  columns: number;
  data: ArrayLike<number>;
}

/** What goes into an archive. */
export interface ArchiveContent {
  inputs: string[];
  experiments: ArchiveExperiment[];
  outcomes: ArchiveOutcome[];
}

function csvName(name: string, what: string): string {
  // Commas separate the metadata files' fields; slashes would make directories in the tar.
  if (name === '' || /[,\n"/\\]/.test(name))
    fail(MODULE, what, name, 'a name without commas, quotes, slashes or newlines');
  return name;
}

/** The archive's files (name and text), in the order `save_results` writes them. */
export function emaArchiveFiles(content: ArchiveContent): { name: string; text: string }[] {
  const { inputs, experiments, outcomes } = content;
  const columns = [...inputs, 'scenario', 'policy', 'model'];
  for (const c of columns) csvName(c, 'column');
  if (new Set(columns).size !== columns.length)
    fail(MODULE, 'inputs', inputs.join(','), 'distinct names, none of scenario, policy, model');
  const lines = [columns.join(',')];
  for (const e of experiments) {
    if (e.values.length !== inputs.length)
      fail(MODULE, 'experiment values', e.values.length, `${inputs.length} inputs`);
    csvName(e.policy, 'policy');
    lines.push([...Array.from(e.values, String), String(e.scenario), e.policy, 'crossroads'].join(','));
  }
  const files = [{ name: 'experiments.csv', text: `${lines.join('\n')}\n` }];
  files.push({
    name: 'experiments metadata.csv',
    text: `${[...inputs.map((i) => `${i},float64`), 'scenario,int64', 'policy,object', 'model,object'].join('\n')}\n`,
  });
  const n = experiments.length;
  const meta: string[] = [];
  const data: { name: string; text: string }[] = [];
  for (const o of outcomes) {
    csvName(o.name, 'outcome');
    if (!(Number.isSafeInteger(o.columns) && o.columns >= 1) || o.data.length !== n * o.columns) {
      fail(MODULE, `outcome ${o.name}`, o.data.length, `${n} experiments x ${o.columns} values`);
    }
    meta.push(o.columns === 1 ? `${o.name},(${n},)` : `${o.name},(${n}, ${o.columns})`);
    const rows: string[] = [];
    for (let i = 0; i < n; i++) {
      let row = String(o.data[i * o.columns]);
      for (let j = 1; j < o.columns; j++) row += `,${o.data[i * o.columns + j]}`;
      rows.push(row);
    }
    data.push({ name: `${o.name}.csv`, text: `${rows.join('\n')}\n` });
  }
  files.push({ name: 'outcomes metadata.csv', text: meta.join('\n') }, ...data);
  return files;
}

/** A POSIX ustar archive of the files (mode 0644, owner 0, time 0). */
export function tar(files: { name: string; text: string }[]): Buffer {
  const blocks: Buffer[] = [];
  for (const f of files) {
    const body = Buffer.from(f.text, 'utf8');
    const h = Buffer.alloc(512);
    const name = Buffer.from(f.name, 'utf8');
    if (name.length > 100) fail(MODULE, 'file name', f.name, 'at most 100 bytes');
    name.copy(h, 0);
    const octal = (v: number, width: number, at: number): void => {
      h.write(`${v.toString(8).padStart(width - 1, '0')}\0`, at, 'ascii');
    };
    octal(0o644, 8, 100);
    octal(0, 8, 108);
    octal(0, 8, 116);
    octal(body.length, 12, 124);
    octal(0, 12, 136);
    h.write('        ', 148, 'ascii');
    h.write('0', 156, 'ascii');
    h.write('ustar\0', 257, 'ascii');
    h.write('00', 263, 'ascii');
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
    blocks.push(h, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** The archive as gzipped tar bytes. */
export function emaArchive(content: ArchiveContent): Buffer {
  return gzipSync(tar(emaArchiveFiles(content)), { level: 9 });
}
