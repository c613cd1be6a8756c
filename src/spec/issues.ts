/** Turn zod issues into Crossroads input issues that name the path, the value and the expectation. */

import type { z } from 'zod';
import type { InputIssue } from '../core/errors.js';

/** Format a path like `levers[2].intensity`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let cur: unknown = root;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p as string];
  }
  return cur;
}

/** For a failed union, report the branch that got furthest into the value (the one the author meant). */
function flattenUnions(
  issues: ReadonlyArray<z.core.$ZodIssue>,
  base: PropertyKey[] = [],
): z.core.$ZodIssue[] {
  const out: z.core.$ZodIssue[] = [];
  for (const issue of issues) {
    const path = [...base, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const depth = (branch: ReadonlyArray<z.core.$ZodIssue>) =>
        Math.max(...branch.map((i) => i.path.length));
      const best = issue.errors.reduce((a, b) => (depth(b) > depth(a) ? b : a));
      if (depth(best) > 0) {
        out.push(...flattenUnions(best, path));
        continue;
      }
    }
    out.push({ ...issue, path } as z.core.$ZodIssue);
  }
  return out;
}

function expectation(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `a value of type ${issue.expected}`;
    case 'too_small':
      return `${issue.origin === 'array' ? 'at least' : issue.inclusive === false ? 'more than' : 'at least'} ${String(issue.minimum)}${issue.origin === 'array' ? ' items' : issue.origin === 'string' ? ' characters' : ''}`;
    case 'too_big':
      return `${issue.inclusive === false ? 'less than' : 'at most'} ${String(issue.maximum)}${issue.origin === 'array' ? ' items' : ''}`;
    case 'unrecognized_keys':
      return `no unknown keys (found ${issue.keys.map((k) => JSON.stringify(k)).join(', ')})`;
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      return issue.message.startsWith('Invalid') ? `a string of format ${issue.format}` : issue.message;
    default:
      return issue.message;
  }
}

/** Convert a zod error on `input` to input issues, with an optional path prefix. */
export function zodIssues(error: z.ZodError, input: unknown, prefix = ''): InputIssue[] {
  return flattenUnions(error.issues).map((issue) => {
    const path = formatPath(issue.path);
    const value =
      issue.code === 'unrecognized_keys' ? valueAt(input, issue.path) : valueAt(input, issue.path);
    return {
      path: prefix && path ? `${prefix}.${path}` : prefix || path,
      value: issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : value,
      expected: expectation(issue),
    };
  });
}
