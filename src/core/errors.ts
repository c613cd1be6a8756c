/**
 * Errors as data. Every problem with user input names where it is (a path in the file or a flag),
 * the value found and what was expected, so a person can fix it without reading the code.
 */

/** One problem with an input. `path` is a dotted/indexed path such as `levers[2].intensity`. */
export interface InputIssue {
  path: string;
  value: unknown;
  expected: string;
}

/** Format one issue as a single line. */
export function formatIssue(issue: InputIssue): string {
  const where = issue.path === '' ? '(root)' : issue.path;
  return `${where}: got ${describeValue(issue.value)}, expected ${issue.expected}`;
}

/** Describe a value briefly and safely for an error line. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (missing)';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return 'an object';
}

/** An error carrying one or more input issues; `module` names the part of Crossroads that raised it. */
export class CrossroadsError extends Error {
  readonly module: string;
  readonly issues: InputIssue[];
  constructor(module: string, issues: InputIssue[], headline?: string) {
    const lines = issues.map((i) => `${module}: ${formatIssue(i)}`);
    super(headline ? [`${module}: ${headline}`, ...lines].join('\n') : lines.join('\n'));
    this.name = 'CrossroadsError';
    this.module = module;
    this.issues = issues;
  }
}

/** Throw a CrossroadsError for a single issue. */
export function fail(module: string, path: string, value: unknown, expected: string): never {
  throw new CrossroadsError(module, [{ path, value, expected }]);
}
