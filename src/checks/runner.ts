/**
 * Declarative model checks (after SDEverywhere's check-core): YAML files of
 * `describe / it / scenarios / predicates`. A check names the runs it needs (scenario overrides,
 * a policy, a seed, or a sweep of one lever's intensity) and predicates over their outputs. Each
 * predicate states its bound and, where it comes from the literature, its source. Pure: no file I/O.
 */

import { z } from 'zod';
import { observed } from '../calibration/calibrate.js';
import { CrossroadsError } from '../core/errors.js';
import { type AnnualRecord, prepare, type RunOutput, runModel } from '../engine/run.js';
import { defaultScenario } from '../scenario/default.js';
import { noPolicy, resolvePolicy, resolveScenario } from '../scenario/resolve.js';
import { zodIssues } from '../spec/issues.js';
import { type Policy, PolicySchema, type Scenario } from '../spec/scenario.js';

const RunSpecSchema = z
  .object({
    name: z.string(),
    scenario: z.record(z.string(), z.unknown()).optional(),
    policy: z.union([z.string(), PolicySchema.omit({ $schema: true }).partial({ name: true })]).optional(),
    seed: z.number().int().min(0).default(1),
    stochastic: z.boolean().default(true),
  })
  .strict();

const YearsSchema = z.tuple([z.number().int(), z.number().int()]);

const PredicateSchema = z.union([
  z.object({ conserved: z.object({ tolerance: z.number().positive() }).strict() }).strict(),
  z.object({ nonNegative: z.object({}).strict() }).strict(),
  z.object({ identical: z.object({ runs: z.tuple([z.string(), z.string()]) }).strict() }).strict(),
  z
    .object({
      monotone: z
        .object({
          outcome: z.string(),
          direction: z.enum(['nonIncreasing', 'nonDecreasing']),
          years: YearsSchema,
        })
        .strict(),
    })
    .strict(),
  z
    .object({
      ratioWithin: z
        .object({
          numerator: z.object({ run: z.string(), outcome: z.string() }).strict(),
          denominator: z.object({ run: z.string(), outcome: z.string() }).strict(),
          years: YearsSchema,
          min: z.number(),
          max: z.number(),
          source: z.string(),
        })
        .strict(),
    })
    .strict(),
  z
    .object({
      /** Effect per unit: (baseline - treated) of `outcome`, per unit of `per` (an outcome's increase or fixed units), times `scale`. */
      effectPer: z
        .object({
          baseline: z.string(),
          treated: z.string(),
          outcome: z.string(),
          per: z.union([
            z.object({ outcome: z.string() }).strict(),
            z.object({ units: z.number().positive() }).strict(),
          ]),
          scale: z.number().positive(),
          years: YearsSchema,
          min: z.number(),
          max: z.number(),
          source: z.string(),
        })
        .strict(),
    })
    .strict(),
  z
    .object({
      calibration: z
        .object({
          run: z.string(),
          annual: z.number(),
          cumulative: z.number(),
          years: YearsSchema,
          source: z.string(),
        })
        .strict(),
    })
    .strict(),
]);

const CheckSchema = z
  .object({
    describe: z.string(),
    it: z.string(),
    runs: z.array(RunSpecSchema).optional(),
    sweep: z
      .object({
        lever: z.string(),
        intensities: z.array(z.number()).min(2),
        seed: z.number().int().default(1),
        scenario: z.record(z.string(), z.unknown()).optional(),
      })
      .strict()
      .optional(),
    predicates: z.array(PredicateSchema).min(1),
  })
  .strict();

export const CheckFileSchema = z.array(CheckSchema).min(1);
export type Check = z.infer<typeof CheckSchema>;
type Predicate = z.infer<typeof PredicateSchema>;

/** Outcome of one check. */
export interface CheckResult {
  describe: string;
  it: string;
  passed: boolean;
  /** One line per predicate: what was measured against what bound. */
  details: string[];
}

/** Parse a check file's content (already YAML-parsed). */
export function parseChecks(doc: unknown, label: string): Check[] {
  const r = CheckFileSchema.safeParse(doc);
  if (!r.success) throw new CrossroadsError(`checks/${label}`, zodIssues(r.error, doc));
  return r.data;
}

/** Read a dotted outcome path like `deaths.total` from an annual record. */
export function outcomeOf(record: AnnualRecord, path: string): number {
  let cur: unknown = record;
  for (const key of path.split('.')) cur = (cur as Record<string, unknown> | undefined)?.[key];
  if (typeof cur !== 'number')
    throw new CrossroadsError('checks', [
      { path: 'outcome', value: path, expected: 'a numeric outcome of the annual record' },
    ]);
  return cur;
}

function sumYears(out: RunOutput, path: string, [a, b]: [number, number]): number {
  return out.annual.filter((r) => r.year >= a && r.year <= b).reduce((s, r) => s + outcomeOf(r, path), 0);
}

function scenarioOf(overrides: Record<string, unknown> | undefined): Scenario {
  return overrides ? resolveScenario({ name: 'check', ...overrides }) : defaultScenario();
}

/** Run one check; `policyByName` resolves shipped policy names. */
export function runCheck(
  check: Check,
  policyByName: (name: string, scenario: Scenario) => Policy,
): CheckResult {
  const runs = new Map<string, RunOutput>();
  const sweepOut: RunOutput[] = [];
  for (const spec of check.runs ?? []) {
    const scenario = scenarioOf(spec.scenario);
    const policy =
      spec.policy === undefined
        ? noPolicy()
        : typeof spec.policy === 'string'
          ? policyByName(spec.policy, scenario)
          : resolvePolicy({ name: spec.name, ...spec.policy }, scenario);
    const input = { scenario, policy, seed: spec.seed, stochastic: spec.stochastic };
    runs.set(spec.name, runModel(input, prepare(input)));
  }
  if (check.sweep) {
    const scenario = scenarioOf(check.sweep.scenario);
    for (const intensity of check.sweep.intensities) {
      const policy = resolvePolicy(
        { name: `sweep ${intensity}`, levers: [{ lever: check.sweep.lever, intensity }] },
        scenario,
      );
      const input = { scenario, policy, seed: check.sweep.seed };
      sweepOut.push(runModel(input, prepare(input)));
    }
  }
  const all = [...runs.values(), ...sweepOut];
  const details: string[] = [];
  let passed = true;
  const need = (name: string) => {
    const r = runs.get(name);
    if (!r)
      throw new CrossroadsError('checks', [
        { path: 'run', value: name, expected: `one of the check's runs: ${[...runs.keys()].join(', ')}` },
      ]);
    return r;
  };
  for (const p of check.predicates as Predicate[]) {
    if ('conserved' in p) {
      const worst = Math.max(...all.map((r) => r.conservationError));
      const ok = worst <= p.conserved.tolerance;
      details.push(
        `conservation: largest |population + dead - initial| = ${worst.toExponential(2)} people (tolerance ${p.conserved.tolerance})`,
      );
      passed &&= ok;
    } else if ('nonNegative' in p) {
      const lowest = Math.min(...all.map((r) => r.minCompartment));
      details.push(`smallest compartment value = ${lowest.toFixed(1)}`);
      passed &&= lowest >= 0;
    } else if ('identical' in p) {
      const [a, b] = p.identical.runs.map(need);
      const same = JSON.stringify(a.annual) === JSON.stringify(b.annual);
      details.push(`runs ${p.identical.runs.join(' and ')} ${same ? 'are' : 'are NOT'} identical`);
      passed &&= same;
    } else if ('monotone' in p) {
      const m = p.monotone;
      const values = sweepOut.map((r) => sumYears(r, m.outcome, m.years));
      let ok = true;
      for (let i = 1; i < values.length; i++) {
        if (m.direction === 'nonIncreasing' ? values[i] > values[i - 1] : values[i] < values[i - 1])
          ok = false;
      }
      details.push(
        `${m.outcome} ${m.years.join('-')} over the sweep: ${values.map((v) => Math.round(v)).join(' -> ')} (${m.direction})`,
      );
      passed &&= ok;
    } else if ('ratioWithin' in p) {
      const q = p.ratioWithin;
      const ratio =
        sumYears(need(q.numerator.run), q.numerator.outcome, q.years) /
        sumYears(need(q.denominator.run), q.denominator.outcome, q.years);
      const ok = ratio >= q.min && ratio <= q.max;
      details.push(
        `ratio ${q.numerator.run}.${q.numerator.outcome} / ${q.denominator.run}.${q.denominator.outcome} = ${ratio.toFixed(3)}; expected ${q.min}..${q.max} (${q.source})`,
      );
      passed &&= ok;
    } else if ('effectPer' in p) {
      const q = p.effectPer;
      const base = need(q.baseline);
      const treated = need(q.treated);
      const effect = sumYears(base, q.outcome, q.years) - sumYears(treated, q.outcome, q.years);
      const units =
        'units' in q.per
          ? q.per.units
          : sumYears(treated, q.per.outcome, q.years) - sumYears(base, q.per.outcome, q.years);
      const value = (effect / units) * q.scale;
      const ok = units > 0 && value >= q.min && value <= q.max;
      details.push(
        `${q.outcome} ${q.baseline} - ${q.treated}, ${q.years.join('-')}: ${Math.round(effect)} per ${Math.round(units)} ${'units' in q.per ? 'units' : q.per.outcome} = ${value.toFixed(2)} per ${q.scale}; expected ${q.min}..${q.max} (${q.source})`,
      );
      passed &&= ok;
    } else if ('calibration' in p) {
      const c = p.calibration;
      const run = need(c.run);
      const obs = observed(c.years[0], c.years[1]);
      let worst = 0;
      let sumM = 0;
      let sumO = 0;
      obs.years.forEach((y, k) => {
        const m = run.annual.find((r) => r.year === y)!.deaths.total;
        worst = Math.max(worst, Math.abs(m / obs.total[k] - 1));
        sumM += m;
        sumO += obs.total[k];
      });
      const cum = Math.abs(sumM / sumO - 1);
      details.push(
        `largest annual error ${(worst * 100).toFixed(1)}% (bound ${c.annual * 100}%), cumulative ${(cum * 100).toFixed(1)}% (bound ${c.cumulative * 100}%) (${c.source})`,
      );
      passed &&= worst <= c.annual && cum <= c.cumulative;
    }
  }
  return { describe: check.describe, it: check.it, passed, details };
}
