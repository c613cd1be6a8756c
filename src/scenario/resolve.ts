/**
 * spec -> parse/validate -> resolve. A scenario file is overrides on the default scenario; a policy
 * file is a package of levers. Every problem found is collected (not just the first) and returned as
 * issues naming the path, the value and what was expected.
 */

import { parseDocument as parseYamlDocument } from 'yaml';
import { z } from 'zod';
import { CrossroadsError, type InputIssue } from '../core/errors.js';
import { parseMonth } from '../core/time.js';
import { leverCatalogue } from '../model/levers.js';
import {
  resolveSupplyEdits,
  SUPPLY_EFFECT_HANDLERS,
  type SupplyLeverDef,
  unreachedTarget,
} from '../model/supply/index.js';
import { parseCollecting } from '../spec/issues.js';
import {
  type LeverUse,
  LeverUseSchema,
  type ParameterSpec,
  type Policy,
  PolicySchema,
  type Scenario,
  ScenarioFileSchema,
} from '../spec/scenario.js';
import { defaultScenario } from './default.js';

/** Largest input file accepted, in characters. */
export const MAX_INPUT_CHARS = 5_000_000;

/**
 * Parse a document: strict JSON when `label` (the file name) ends in `.json`, YAML otherwise (YAML
 * also reads JSON). Errors name the file and, where the parser says, the line.
 */
export function parseDocument(text: string, label: string): unknown {
  if (text.length > MAX_INPUT_CHARS) {
    throw new CrossroadsError('scenario/parse', [
      {
        path: label,
        value: `${text.length} characters`,
        expected: `a file of at most ${MAX_INPUT_CHARS} characters`,
      },
    ]);
  }
  if (/\.json$/i.test(label)) {
    try {
      return JSON.parse(text);
    } catch (err) {
      const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
      const at = /position (\d+)/.exec(msg);
      const line = at ? text.slice(0, Number(at[1])).split('\n').length : null;
      throw new CrossroadsError('scenario/parse', [
        {
          path: label,
          value: line === null ? msg : `${msg} (line ${line})`,
          expected: 'strict JSON (no trailing commas or comments; name the file .yaml for YAML)',
        },
      ]);
    }
  }
  try {
    // Warnings (an unknown tag such as `!x`) are errors here: the document would not mean what it says.
    const doc = parseYamlDocument(text, { prettyErrors: true, logLevel: 'silent' });
    const problem = doc.errors[0] ?? doc.warnings[0];
    if (problem) throw problem;
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new CrossroadsError('scenario/parse', [
      { path: label, value: msg, expected: 'valid YAML or JSON' },
    ]);
  }
}

/** Check one parameter declaration's internal consistency. */
export function checkParameter(id: string, p: ParameterSpec, path: string): InputIssue[] {
  const issues: InputIssue[] = [];
  if (p.range) {
    const [lo, hi] = p.range;
    if (lo > hi)
      issues.push({
        path: `${path}.range`,
        value: `[${lo}, ${hi}]`,
        expected: 'a range [low, high] with low <= high',
      });
    else if (p.value < lo || p.value > hi) {
      issues.push({
        path: `${path}.value`,
        value: p.value,
        expected: `a value inside its range [${lo}, ${hi}]`,
      });
    }
    if (p.distribution === 'loguniform' && lo <= 0) {
      issues.push({
        path: `${path}.range`,
        value: `[${lo}, ${hi}]`,
        expected: 'a positive range for a loguniform distribution',
      });
    }
  }
  if (p.distribution && !p.range) {
    issues.push({
      path: `${path}.range`,
      value: undefined,
      expected: `a range for the ${p.distribution} distribution of ${id}`,
    });
  }
  return issues;
}

/** Resolve a parsed scenario file (overrides) onto the default scenario. */
export function resolveScenario(input: unknown): Scenario {
  // Every problem in one pass: what fails the schema is reported and left out, and the rest is
  // still checked against the declarations (ranges, ids) below.
  const parsed = parseCollecting(ScenarioFileSchema, input);
  const file = parsed.data;
  if (!file) throw new CrossroadsError('scenario/resolve', parsed.issues);
  const base = defaultScenario();
  const issues: InputIssue[] = [...parsed.issues];
  const scenario: Scenario = {
    ...base,
    name: file.name,
    description: file.description ?? base.description,
    horizon: { start: file.horizon?.start ?? base.horizon.start, end: file.horizon?.end ?? base.horizon.end },
    policyStart: file.policyStart ?? base.policyStart,
    economics: {
      ...base.economics,
      discountRate: file.economics?.discountRate ?? base.economics.discountRate,
    },
    history: { ...base.history, ...(file.history ?? {}) },
  };
  for (const [id, override] of Object.entries(file.parameters ?? {})) {
    const path = `parameters.${id}`;
    const current = scenario.parameters[id];
    if (!current) {
      issues.push({ path, value: id, expected: 'the id of a declared parameter (see `crossroads params`)' });
      continue;
    }
    const next: ParameterSpec =
      typeof override === 'number'
        ? { ...current, value: override, source: `scenario ${file.name}`, note: `overrides ${current.value}` }
        : {
            ...current,
            ...override,
            ...(override.value !== undefined && !override.source ? { source: `scenario ${file.name}` } : {}),
          };
    // A user's value replaces a fitted or posterior one: ensembles must not redraw it from the accepted sets.
    if (typeof override === 'number' || override.value !== undefined) next.calibrated = false;
    // An override outside the declared range widens nothing silently: it must also give a range.
    issues.push(...checkParameter(id, next, path));
    scenario.parameters[id] = next;
  }
  resolveSupplyEdits(scenario, file, issues);
  checkHorizon(scenario, issues);
  if (issues.length) throw new CrossroadsError('scenario/resolve', issues);
  return scenario;
}

function checkHorizon(s: Scenario, issues: InputIssue[]): void {
  const start = parseMonth(s.horizon.start, 'horizon.start');
  const end = parseMonth(s.horizon.end, 'horizon.end');
  if (start !== parseMonth('2015-01')) {
    issues.push({
      path: 'horizon.start',
      value: s.horizon.start,
      expected: '2015-01 (history starts there)',
    });
  }
  if (end % 12 !== 11 || end < parseMonth('2026-12') || end > parseMonth('2100-12')) {
    issues.push({
      path: 'horizon.end',
      value: s.horizon.end,
      expected: 'a December between 2026-12 and 2100-12',
    });
  }
  const ps = parseMonth(s.policyStart, 'policyStart');
  if (ps < start || ps > end) {
    issues.push({
      path: 'policyStart',
      value: s.policyStart,
      expected: `a month within the horizon ${s.horizon.start}..${s.horizon.end}`,
    });
  }
}

/** Validate a parsed policy against the schema and the lever catalogue. */
export function resolvePolicy(input: unknown, scenario: Scenario): Policy {
  // Every problem in one pass: the policy's frame and each lever are parsed on their own, what fails
  // the schema is reported and left out, and the levers that remain are checked against the catalogue.
  const frame = parseCollecting(PolicySchema.extend({ levers: z.array(z.unknown()).max(100) }), input);
  const issues: InputIssue[] = [...frame.issues];
  const rawLevers = Array.isArray((input as { levers?: unknown } | null)?.levers)
    ? ((input as { levers: unknown[] }).levers as unknown[])
    : [];
  const uses: { use: LeverUse; i: number }[] = [];
  rawLevers.slice(0, 100).forEach((raw, i) => {
    const lever = parseCollecting(LeverUseSchema, raw, `levers[${i}]`);
    issues.push(...lever.issues);
    if (lever.data) uses.push({ use: lever.data, i });
  });
  if (!frame.data) throw new CrossroadsError('scenario/policy', issues);
  const policy: Policy = { ...frame.data, levers: uses.map((u) => u.use) };
  const catalogue = leverCatalogue();
  const start = parseMonth(scenario.horizon.start);
  const end = parseMonth(scenario.horizon.end);
  for (const { use, i } of uses) {
    const path = `levers[${i}]`;
    const def = catalogue.get(use.lever);
    if (!def) {
      issues.push({
        path: `${path}.lever`,
        value: use.lever,
        expected: `one of ${[...catalogue.keys()].join(', ')}`,
      });
      continue;
    }
    if (use.intensity < def.min || use.intensity > def.max) {
      issues.push({
        path: `${path}.intensity`,
        value: use.intensity,
        expected: `${def.unit} between ${def.min} and ${def.max}`,
      });
    }
    if (def.targets) {
      if (!use.target || !def.targets.includes(use.target)) {
        issues.push({
          path: `${path}.target`,
          value: use.target,
          expected: `one of ${def.targets.join(', ')}`,
        });
      }
    } else if (use.target !== undefined) {
      issues.push({
        path: `${path}.target`,
        value: use.target,
        expected: `no target (lever ${def.id} acts nationally)`,
      });
    }
    // A supply lever must have something to act on there in this scenario's network (never a cost
    // with no effect): e.g. strikes on production where no organisation holds production capacity.
    if (
      SUPPLY_EFFECT_HANDLERS.has(def.effect.kind) &&
      (!def.targets || def.targets.includes(use.target ?? ''))
    ) {
      const unreached = unreachedTarget(
        def as SupplyLeverDef,
        use.target,
        scenario.network,
        scenario.organisations,
      );
      if (unreached)
        issues.push({
          path: `${path}.${def.targets ? 'target' : 'lever'}`,
          value: use.target ?? def.id,
          expected: unreached,
        });
    }
    const s = use.start ? parseMonth(use.start) : parseMonth(scenario.policyStart);
    const e = use.end ? parseMonth(use.end) : end;
    if (s < start || s > end)
      issues.push({
        path: `${path}.start`,
        value: use.start,
        expected: `a month within ${scenario.horizon.start}..${scenario.horizon.end}`,
      });
    if (e < s || e > end)
      issues.push({
        path: `${path}.end`,
        value: use.end,
        expected: `a month after start and no later than ${scenario.horizon.end}`,
      });
  }
  if (issues.length) throw new CrossroadsError('scenario/policy', issues);
  return policy;
}

/** The empty policy: no new levers. */
export function noPolicy(): Policy {
  return { name: 'no new policy', levers: [] };
}

/**
 * The first month any lever of `policy` acts (non-zero intensity), or null for none. Levers start at
 * the scenario's policy start unless they say otherwise; an earlier start is allowed.
 */
export function firstActiveMonth(policy: Policy, scenario: Scenario): string | null {
  let first: string | null = null;
  for (const use of policy.levers) {
    if (use.intensity === 0) continue;
    const start = use.start ?? scenario.policyStart;
    if (first === null || start < first) first = start;
  }
  return first;
}

/**
 * The scenario a comparison of `policies` runs on: unchanged, unless a policy asks for the hand-over
 * before its first action (`handOver: before-first-action`) and acts before the policy start; then
 * the policy start (where the street-supply history hands over to the market, in every arm alike)
 * moves to that policy's first active month.
 */
export function alignPolicyStart(scenario: Scenario, policies: readonly Policy[]): Scenario {
  let start = scenario.policyStart;
  for (const p of policies) {
    if (p.handOver !== 'before-first-action') continue;
    const m = firstActiveMonth(p, scenario);
    if (m !== null && m < start) start = m;
  }
  return start === scenario.policyStart ? scenario : { ...scenario, policyStart: start };
}

/**
 * First year of the summary period: the policy start's year, or earlier when a policy acts before
 * the policy start (an early start is summarised over every year it acts).
 */
export function summaryStartYear(scenario: Scenario, policies: readonly Policy[]): number {
  let year = Number(scenario.policyStart.slice(0, 4));
  for (const p of policies) {
    const m = firstActiveMonth(p, scenario);
    if (m !== null) year = Math.min(year, Number(m.slice(0, 4)));
  }
  return year;
}
