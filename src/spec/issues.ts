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

function toInputIssue(issue: z.core.$ZodIssue, input: unknown, prefix: string): InputIssue {
  const path = formatPath(issue.path);
  return {
    path: prefix && path ? `${prefix}.${path}` : prefix || path,
    value: issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : valueAt(input, issue.path),
    expected: expectation(issue),
  };
}

/** Convert a zod error on `input` to input issues, with an optional path prefix. */
export function zodIssues(error: z.ZodError, input: unknown, prefix = ''): InputIssue[] {
  return flattenUnions(error.issues).map((issue) => toInputIssue(issue, input, prefix));
}

/** Delete the value at `path` (or, with `keys`, those keys of the object at `path`); false if nothing went. */
function removeAt(root: unknown, path: ReadonlyArray<PropertyKey>, keys?: readonly string[]): boolean {
  if (!keys && path.length === 0) return false;
  let cur: unknown = root;
  for (const p of keys ? path : path.slice(0, -1)) {
    if (cur === null || typeof cur !== 'object') return false;
    cur = (cur as Record<string, unknown>)[String(p)];
  }
  if (cur === null || typeof cur !== 'object') return false;
  const obj = cur as Record<string, unknown>;
  if (keys) {
    for (const k of keys) delete obj[k];
    return keys.length > 0;
  }
  // Array elements stay: removing one would shift the indices later problems are reported at.
  const last = String(path[path.length - 1]);
  if (Array.isArray(obj) || !Object.hasOwn(obj, last)) return false;
  delete obj[last];
  return true;
}

/**
 * Parse with a schema, collecting every problem: each failing field is reported, then taken out
 * (unknown keys removed, bad values deleted) and the rest parsed again, so the checks that need
 * parsed data (ranges, ids) still run on everything that was well formed. `data` is the parse of
 * what remained, or undefined when a required part was broken (the issues then say which).
 */
export function parseCollecting<T>(
  schema: z.ZodType<T>,
  input: unknown,
  prefix = '',
): { data: T | undefined; issues: InputIssue[] } {
  const issues: InputIssue[] = [];
  const reported = new Set<string>();
  const doc = input === undefined ? undefined : structuredClone(input);
  for (let round = 0; round < 10; round++) {
    const parsed = schema.safeParse(doc);
    if (parsed.success) return { data: parsed.data, issues };
    let progressed = false;
    for (const issue of flattenUnions(parsed.error.issues)) {
      const found = toInputIssue(issue, doc, prefix);
      // A field taken out for being wrong may come back as "missing": it is reported already.
      const key = issue.code === 'unrecognized_keys' ? `${found.path}\u0000keys` : found.path;
      if (!reported.has(key)) issues.push(found);
      reported.add(key);
      const removed =
        issue.code === 'unrecognized_keys'
          ? removeAt(doc, issue.path, issue.keys)
          : removeAt(doc, issue.path);
      progressed ||= removed;
    }
    if (!progressed) return { data: undefined, issues };
  }
  return { data: undefined, issues };
}
