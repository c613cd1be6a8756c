/**
 * Load the calibration's accepted parameter sets from disk (Node only; the sampling itself is pure).
 * The file is written by `crossroads calibrate`; while it is missing or empty, ensembles hold the
 * calibrated parameters at their declared values and their manifest says so.
 */

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CrossroadsError } from '../core/errors.js';
import type { ErrorSigmas } from './run-interval.js';
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
  /**
   * The file read (or looked for), as a manifest records it: the package's file by its
   * repository-relative name, a user's file as they gave it, never the checkout's absolute path.
   */
  source: string;
  /** SHA-256 of the file's bytes (null when there is no file). */
  sha256: string | null;
}

/** Read accepted sets from `file` (default: the package's data/calibration/accepted.json). */
export function loadAcceptedSets(file?: string): LoadedAcceptedSets {
  const flag = '--accepted';
  const label = file ?? ACCEPTED_PATH;
  const path = resolve(file ?? join(packageRoot(), ACCEPTED_PATH));
  if (!existsSync(path)) {
    if (file)
      throw new CrossroadsError('experiment/accepted', [
        {
          path: flag,
          value: file,
          expected: 'an existing accepted-sets file (written by crossroads calibrate)',
        },
      ]);
    return { accepted: null, source: label, sha256: null };
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new CrossroadsError('experiment/accepted', [
      { path: flag, value: label, expected: `a readable file (${msg})` },
    ]);
  }
  let data: unknown;
  try {
    data = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new CrossroadsError('experiment/accepted', [
      { path: label, value: msg, expected: 'valid JSON (an accepted-sets file)' },
    ]);
  }
  const accepted = checkAcceptedSets(data, label);
  return {
    accepted: accepted.sets.length > 0 ? accepted : null,
    source: label,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
}

/** Path of the health posterior (with its error sigmas) relative to the package root. */
export const HEALTH_FIT_PATH = 'data/calibration/health-fit.json';

/**
 * The posterior's parameter sets and error sigmas from the package's health-fit.json (for the
 * observable band of `crossroads run`), or null when the file is missing or lacks them.
 */
export function loadErrorSigmas(): ErrorSigmas | null {
  const path = join(packageRoot(), HEALTH_FIT_PATH);
  if (!existsSync(path)) return null;
  try {
    const d = JSON.parse(readFileSync(path, 'utf8')) as Partial<ErrorSigmas>;
    if (
      !Array.isArray(d.parameters) ||
      !Array.isArray(d.sets) ||
      !Array.isArray(d.sigmaIds) ||
      !Array.isArray(d.sigmas)
    )
      return null;
    return { parameters: d.parameters, sets: d.sets, sigmaIds: d.sigmaIds, sigmas: d.sigmas };
  } catch {
    return null;
  }
}
