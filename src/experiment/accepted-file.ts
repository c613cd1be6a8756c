/**
 * Load the calibration's accepted parameter sets from disk (Node only; the sampling itself is pure).
 * The file is written by `crossroads calibrate`; while it is missing or empty, ensembles hold the
 * calibrated parameters at their declared values and their manifest says so.
 */

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CrossroadsError } from '../core/errors.js';
import { type AcceptedSets, checkAcceptedSets } from './sampling.js';

/** Path of the accepted sets relative to the package root. */
export const ACCEPTED_PATH = 'data/calibration/accepted.json';

/** The package root: the nearest directory above this module holding Crossroads' package.json. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'crossroads') return dir;
      } catch {
        // not ours; keep looking
      }
    }
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

/** What was loaded and from where. */
export interface LoadedAcceptedSets {
  accepted: AcceptedSets | null;
  /** The file read (or looked for). */
  source: string;
}

/** Read accepted sets from `file` (default: the package's data/calibration/accepted.json). */
export function loadAcceptedSets(file?: string): LoadedAcceptedSets {
  const source = resolve(file ?? join(packageRoot(), ACCEPTED_PATH));
  if (!existsSync(source)) {
    if (file)
      throw new CrossroadsError('experiment/accepted', [
        { path: source, value: undefined, expected: 'an accepted-sets file' },
      ]);
    return { accepted: null, source };
  }
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(source, 'utf8'));
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new CrossroadsError('experiment/accepted', [{ path: source, value: msg, expected: 'valid JSON' }]);
  }
  const accepted = checkAcceptedSets(data, ACCEPTED_PATH);
  return { accepted: accepted.sets.length > 0 ? accepted : null, source };
}
