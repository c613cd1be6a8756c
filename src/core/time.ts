/**
 * Calendar helpers. The model steps monthly; month index 0 is January of the start year.
 * Months are written `YYYY-MM` in files.
 */

import { fail } from './errors.js';

const MONTH_RE = /^(\d{4})-(\d{2})$/;

/** Parse `YYYY-MM` into an absolute month count (year * 12 + month - 1). */
export function parseMonth(text: string, path = 'month'): number {
  const m = MONTH_RE.exec(text);
  if (!m) return fail('core/time', path, text, 'a month written YYYY-MM, e.g. 2026-01');
  const year = Number(m[1]);
  const month = Number(m[2]);
  if (month < 1 || month > 12) return fail('core/time', path, text, 'a month number between 01 and 12');
  return year * 12 + month - 1;
}

/** Format an absolute month count as `YYYY-MM`. */
export function formatMonth(abs: number): string {
  const year = Math.floor(abs / 12);
  const month = abs - year * 12 + 1;
  return `${year}-${String(month).padStart(2, '0')}`;
}

/** A monthly time axis from `start` to `end` inclusive. */
export interface TimeAxis {
  /** Absolute month of step 0. */
  start: number;
  /** Number of monthly steps. */
  steps: number;
  /** First calendar year. */
  firstYear: number;
  /** Number of calendar years covered (whole years). */
  years: number;
}

/** Build a time axis; both ends must be whole years (January to December). */
export function makeTimeAxis(start: string, end: string): TimeAxis {
  const s = parseMonth(start, 'horizon.start');
  const e = parseMonth(end, 'horizon.end');
  if (s % 12 !== 0) fail('core/time', 'horizon.start', start, 'a January (YYYY-01)');
  if (e % 12 !== 11) fail('core/time', 'horizon.end', end, 'a December (YYYY-12)');
  if (e <= s) fail('core/time', 'horizon.end', end, `a month after ${start}`);
  const steps = e - s + 1;
  return { start: s, steps, firstYear: s / 12, years: steps / 12 };
}

/** Calendar year of step `t` on an axis. */
export function yearOf(axis: TimeAxis, t: number): number {
  return axis.firstYear + Math.floor(t / 12);
}
