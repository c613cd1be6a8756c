/**
 * Loading inputs for the CLI: scenario and policy files (YAML or JSON) or shipped names. The only
 * place besides output writing that touches the file system for model inputs.
 */

import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CrossroadsError, type InputIssue } from '../core/errors.js';
import {
  assumptionNames,
  parseAssumptionOverlay,
  shippedAssumption,
  withAssumption,
} from '../model/supply/index.js';
import { defaultScenario } from '../scenario/default.js';
import {
  MAX_INPUT_CHARS,
  noPolicy,
  parseDocument,
  resolvePolicy,
  resolveScenario,
} from '../scenario/resolve.js';
import { shippedPolicy, shippedPolicyNames, shippedPolicyText } from '../scenario/shipped.js';
import type { Policy, Scenario } from '../spec/scenario.js';

/** Root of the installed package (where policies/ and scenarios/ live): the nearest package.json up. */
export const PACKAGE_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

function findRoot(from: string): string {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'policies'))) return dir;
    dir = resolve(dir, '..');
  }
  return resolve(from, '..', '..', '..');
}

/** Read a text file with a size limit and a clear error. */
export function readInputFile(path: string, flag: string): string {
  if (!existsSync(path)) {
    throw new CrossroadsError('cli', [{ path: flag, value: path, expected: 'an existing file' }]);
  }
  const st = statSync(path);
  if (!st.isFile())
    throw new CrossroadsError('cli', [{ path: flag, value: path, expected: 'a file, not a directory' }]);
  if (st.size > MAX_INPUT_CHARS) {
    throw new CrossroadsError('cli', [
      { path: flag, value: `${st.size} bytes`, expected: `a file of at most ${MAX_INPUT_CHARS} bytes` },
    ]);
  }
  return readFileSync(path, 'utf8');
}

/** Run `load`; its input errors come back under a headline naming the file the user gave. */
export function naming<T>(given: string, kind: string, load: () => T): T {
  try {
    return load();
  } catch (err) {
    if (err instanceof CrossroadsError && !err.message.includes(given)) {
      const n = err.issues.length;
      throw new CrossroadsError(
        err.module,
        err.issues,
        `${given}: ${n} problem${n === 1 ? '' : 's'} in this ${kind}`,
      );
    }
    throw err;
  }
}

/** Load a scenario from a file (or the default), with an optional `--assumptions NAME|FILE` overlay. */
export function loadScenario(file?: string, assumptions?: string): Scenario {
  const scenario =
    !file || file === 'default'
      ? defaultScenario()
      : naming(file, 'scenario file', () =>
          resolveScenario(parseDocument(readInputFile(file, 'SCENARIO'), file)),
        );
  return applyAssumptionOption(scenario, assumptions);
}

/** Apply `--assumptions NAME|FILE` (a shipped alternative assumption set, or an overlay file). */
export function applyAssumptionOption(scenario: Scenario, ref: string | undefined): Scenario {
  if (!ref) return scenario;
  let overlay = shippedAssumption(ref);
  if (!overlay) {
    if (!existsSync(ref)) {
      throw new CrossroadsError('cli', [
        {
          path: '--assumptions',
          value: ref,
          expected: `an assumption file or one of: ${assumptionNames().join(', ')}`,
        },
      ]);
    }
    const issues: InputIssue[] = [];
    overlay = parseAssumptionOverlay(parseDocument(readInputFile(ref, '--assumptions'), ref), ref, issues);
    if (!overlay) {
      const n = issues.length;
      throw new CrossroadsError(
        'cli',
        issues,
        `${ref}: ${n} problem${n === 1 ? '' : 's'} in this assumption file`,
      );
    }
  }
  return withAssumption(scenario, overlay);
}

/** Names of the shipped policies (bundled from policies/, so every host sees the same list). */
export function shippedPolicies(): string[] {
  return shippedPolicyNames();
}

/** Load a policy from a file path or a shipped name; undefined gives no new policy. */
export function loadPolicy(ref: string | undefined, scenario: Scenario, flag = '--policy'): Policy {
  if (!ref) return noPolicy();
  if (!existsSync(ref)) {
    if (shippedPolicyText(ref) === undefined) {
      throw new CrossroadsError('cli', [
        {
          path: flag,
          value: ref,
          expected: `a policy file or one of the shipped policies: ${shippedPolicies().join(', ')}`,
        },
      ]);
    }
    return shippedPolicy(ref, scenario, flag);
  }
  return naming(ref, `policy (${flag})`, () =>
    resolvePolicy(parseDocument(readInputFile(ref, flag), ref), scenario),
  );
}
