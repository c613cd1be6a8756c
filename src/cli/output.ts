/** Writing results: to stdout, or atomically to a file (temporary name in the same directory, then rename). */

import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Write text to `out` atomically, or to stdout when `out` is undefined. */
export function writeOutput(text: string, out?: string): void {
  if (!out) {
    process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    return;
  }
  const tmp = join(dirname(out), `.crossroads-tmp-${process.pid}-${basename(out)}`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, out);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Format a number with thousands separators. */
export function fmtInt(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

/** Format US dollars compactly ($1.2B, $350M). */
export function fmtUsd(x: number): string {
  const a = Math.abs(x);
  if (a >= 1e9) return `$${(x / 1e9).toFixed(2)}B`;
  if (a >= 1e6) return `$${(x / 1e6).toFixed(1)}M`;
  if (a >= 1e3) return `$${(x / 1e3).toFixed(1)}k`;
  return `$${x.toFixed(0)}`;
}

/** Render rows as a fixed-width text table (numeric columns right-aligned, text left-aligned). */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const numeric = header.map(
    (_, i) => i > 0 && rows.every((r) => /^([-+$]?[\d.,]+[kMB%]?|-|n\/a)$/.test(r[i])),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Quote a CSV cell when needed. */
export function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
