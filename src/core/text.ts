/**
 * Text forms shared by every layer and command: the one CSV writer (RFC 4180), the one fixed-width table and
 * the number and money formats. Pure string functions.
 */

/** Quote a CSV field when it holds a comma, a quote, a line feed or a carriage return (RFC 4180). */
export function csvField(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** One CSV line (no line end). */
export function csvLine(fields: ReadonlyArray<string | number | boolean | null | undefined>): string {
  return fields.map(csvField).join(',');
}

/** A CSV document: the header, then the rows, each line ending in `\n`. */
export function csvDocument(
  header: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number | boolean | null | undefined>>,
): string {
  return `${[csvLine(header), ...rows.map(csvLine)].join('\n')}\n`;
}

/** An integer with thousands separators. */
export function fmtInt(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

/** A number for people: integers with separators from 100 up, three significant digits below. */
export function fmtNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 100) return Math.round(x).toLocaleString('en-US');
  if (x === 0) return '0';
  return Number(x.toPrecision(3)).toString();
}

/** US dollars, compactly: $2.07B, $350.0M, $6.3k, $47. */
export function fmtUsd(x: number): string {
  const a = Math.abs(x);
  if (a >= 1e9) return `$${(x / 1e9).toFixed(2)}B`;
  if (a >= 1e6) return `$${(x / 1e6).toFixed(1)}M`;
  if (a >= 1e3) return `$${(x / 1e3).toFixed(1)}k`;
  return `$${x.toFixed(0)}`;
}

/** A share as a whole percentage, `-` when there is none. */
export function fmtPercent(p: number | null | undefined): string {
  return p === null || p === undefined ? '-' : `${Math.round(p * 100)}%`;
}

const NUMBER = String.raw`[-+]?\$?[\d.,]+(?:e[-+]?\d+)?[kMB%]?`;
const NUMERIC_CELL = new RegExp(`^(?:${NUMBER}(?: \\.\\. ${NUMBER})?|-|n/a|NaN|-?Infinity)$`);

/**
 * A fixed-width text table: header, a rule, the rows. The first column and text columns are
 * left-aligned; columns of numbers (and `a .. b` ranges, `-`, `n/a`) are right-aligned.
 */
export function textTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const right = header.map((_, i) => i > 0 && rows.every((r) => NUMERIC_CELL.test(r[i] ?? '')));
  const line = (cells: readonly string[]) =>
    header
      .map((_, i) => (right[i] ? (cells[i] ?? '').padStart(widths[i]) : (cells[i] ?? '').padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
