/** Parsing of shared CLI option values, with errors naming the flag, the value and the expectation. */

import { CrossroadsError } from '../core/errors.js';

/** Parse an integer flag within [min, max]. */
export function intOption(
  flag: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new CrossroadsError('cli', [
      { path: flag, value, expected: `an integer between ${min} and ${max}` },
    ]);
  }
  return n;
}

/** Parse an enumerated flag. */
export function choiceOption<T extends string>(
  flag: string,
  value: string | undefined,
  choices: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value)) {
    throw new CrossroadsError('cli', [{ path: flag, value, expected: `one of ${choices.join(', ')}` }]);
  }
  return value as T;
}

/** Largest seed accepted (2^53 - 1). */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;
