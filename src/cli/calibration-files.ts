/** The health calibration's shipped files (written by `crossroads calibrate`, read by `fit` and `backtest`). */

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HealthFit } from '../calibration/calibrate.js';
import { CrossroadsError } from '../core/errors.js';
import { PACKAGE_ROOT } from './inputs.js';

/** Where the shipped calibration lives. */
export const CALIBRATION_DIR = join(PACKAGE_ROOT, 'data', 'calibration');
/** The shipped posterior (2015-2024). */
export const HEALTH_FIT_FILE = 'health-fit.json';
/** The backtest refits, one posterior per origin. */
export const BACKTESTS_FILE = 'backtests.json';

function read<T>(dir: string, name: string): T {
  const path = join(dir, name);
  if (!existsSync(path))
    throw new CrossroadsError('cli', [
      { path, value: 'missing', expected: 'a calibration file written by `crossroads calibrate`' },
    ]);
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** The shipped posterior. */
export function readHealthFit(dir = CALIBRATION_DIR): HealthFit {
  return read<HealthFit>(dir, HEALTH_FIT_FILE);
}

/** The shipped backtest refits. */
export function readBacktests(dir = CALIBRATION_DIR): HealthFit[] {
  return read<{ refits: HealthFit[] }>(dir, BACKTESTS_FILE).refits;
}
