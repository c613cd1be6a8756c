/**
 * The result of `crossroads run` for one seed: the policy run and, on the same random numbers, the
 * same scenario with no new policy; summary outcomes over the projection. Its JSON form is stable
 * and described by `RunResultSchema` (exported by `crossroads schema --output`).
 */

import { z } from 'zod';
import { type AnnualRecord, type RunOutput, runPaired } from '../engine/run.js';
import { outcomeSpecs } from '../model/catalogue.js';
import type { OutcomeSpec } from '../model/outcomes.js';
import { alignPolicyStart, noPolicy, summaryStartYear } from '../scenario/resolve.js';
import type { Policy, Scenario } from '../spec/scenario.js';
import { type Manifest, makeManifest } from './manifest.js';

export interface Summary {
  /** First and last year of the summary period (policy start year to horizon end). */
  period: [number, number];
  deaths: { policy: number; counterfactual: number; averted: number };
  costUsd: number;
  discountRate: number;
  discountedCostUsd: number;
  /** Undiscounted cost per death averted; null when no death is averted. */
  costPerDeathAverted: number | null;
}

export interface RunResult {
  manifest: Manifest;
  annual: AnnualRecord[];
  counterfactual: { annual: AnnualRecord[] };
  costByLever: RunOutput['costByLever'];
  summary: Summary;
  /** The Action · Intended Outcome · Potential Risk table (experiment/actions.ts), when the policy has levers. */
  actions?: ActionRowShape[];
  actionAttribution?: ActionAttributionShape;
}

/** One measured quantity of an action (probabilities as fractions). */
export interface ActionEntryShape {
  outcome: string;
  label: string;
  unit: string;
  median: number;
  p5: number;
  p95: number;
}
/** One action of a policy with its intended outcomes and potential risks. */
export interface ActionRowShape {
  name: string;
  levers: { lever: string; target?: string }[];
  intended: ActionEntryShape[];
  risk: ActionEntryShape[];
  /** Leave-one-out tables only: the action alone vs no new policy. */
  alone?: { intended: ActionEntryShape[]; risk: ActionEntryShape[] };
}
/** How the table's attributions were computed. */
export interface ActionAttributionShape {
  method: 'shapley' | 'leave-one-out';
  replicates: number;
  runsPerReplicate: number;
  window: [number, number];
  package: { intended: ActionEntryShape[]; risk: ActionEntryShape[] };
  residual?: Record<string, number>;
  note: string;
}

const ActionEntrySchema = z.object({
  outcome: z
    .string()
    .describe('declared outcome path (":probability" for the probability its summary is positive)'),
  label: z.string(),
  unit: z.string(),
  median: z.number(),
  p5: z.number(),
  p95: z.number(),
});
const ActionRowSchema = z
  .object({
    name: z.string(),
    levers: z.array(z.object({ lever: z.string(), target: z.string().optional() })),
    intended: z
      .array(ActionEntrySchema)
      .describe('cocaine and fentanyl to the US (% of no new policy), overdose deaths'),
    risk: z.array(ActionEntrySchema).describe('every outcome declared risk: true, and probabilities'),
    alone: z
      .object({ intended: z.array(ActionEntrySchema), risk: z.array(ActionEntrySchema) })
      .optional()
      .describe(
        'leave-one-out tables only: the action run alone vs no new policy (a risk that another action already causes can vanish from the leave-one-out attribution; it shows here)',
      ),
  })
  .describe("One action: its share of the package's effect vs no new policy");
const ActionAttributionSchema = z.object({
  method: z.enum(['shapley', 'leave-one-out']),
  replicates: z.number().int(),
  runsPerReplicate: z.number().int(),
  window: z.tuple([z.number().int(), z.number().int()]),
  package: z.object({ intended: z.array(ActionEntrySchema), risk: z.array(ActionEntrySchema) }),
  residual: z.record(z.string(), z.number()).optional(),
  note: z.string(),
});
const ActionsFields = {
  actions: z
    .array(ActionRowSchema)
    .optional()
    .describe('The Action · Intended Outcome · Potential Risk table (absent for a policy without levers)'),
  actionAttribution: ActionAttributionSchema.optional(),
};

/** Run a policy and the no-new-policy counterfactual on the same seed and replicate. */
export function runPolicy(
  scenario: Scenario,
  policy: Policy,
  seed: number,
  replicate = 0,
  parameters?: Record<string, number>,
): RunResult {
  scenario = alignPolicyStart(scenario, [policy]);
  const input = { scenario, policy, seed, replicate, parameters };
  // The two runs share every month before the policy starts (computed once; see runPaired).
  const [withPolicy, counterfactual] = runPaired(input, { ...input, policy: noPolicy() });
  return {
    manifest: makeManifest(scenario, policy, seed, 1),
    annual: withPolicy.annual,
    counterfactual: { annual: counterfactual.annual },
    costByLever: withPolicy.costByLever,
    summary: summarise(scenario, withPolicy, counterfactual, policy),
  };
}

/**
 * Summary outcomes over [first year, last year]: the policy start's year, or the first year the
 * policy acts when it starts earlier (`policy` given).
 */
export function summarise(
  scenario: Scenario,
  withPolicy: RunOutput,
  counterfactual: RunOutput,
  policy?: Policy,
): Summary {
  const first = summaryStartYear(scenario, policy ? [policy] : []);
  const last = withPolicy.annual[withPolicy.annual.length - 1].year;
  const sum = (rows: AnnualRecord[]) =>
    rows.filter((r) => r.year >= first).reduce((a, r) => a + r.deaths.total, 0);
  const p = sum(withPolicy.annual);
  const c = sum(counterfactual.annual);
  const rate = scenario.economics.discountRate;
  const axis = withPolicy.axis;
  const startStep = (first - axis.firstYear) * 12;
  let cost = 0;
  let discounted = 0;
  for (let t = 0; t < axis.steps; t++) {
    const m = withPolicy.monthlyCost[t];
    cost += m;
    discounted += t >= startStep ? m / (1 + rate) ** ((t - startStep) / 12) : m;
  }
  const averted = c - p;
  return {
    period: [first, last],
    deaths: { policy: p, counterfactual: c, averted },
    costUsd: cost,
    discountRate: rate,
    discountedCostUsd: discounted,
    costPerDeathAverted: averted > 0.5 ? cost / averted : null,
  };
}

type Shape = { [key: string]: Shape | string };

/**
 * The annual record's schema, built from the outcome declarations: one number per declared path
 * (described by its label and unit), keyed families (`{key}` segments: corridors, sovereignties)
 * as records. Extra fields stay allowed, so older readers accept newer outputs.
 */
export function annualRecordSchema(specs: readonly OutcomeSpec[] = outcomeSpecs()): z.ZodObject {
  const root: Shape = {};
  for (const s of specs) {
    const parts = s.path.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      node[part] ??= {};
      node = node[part] as Shape;
    }
    const desc = `${s.label} (${s.unit}; ${s.direction}${s.summary ? `, summary ${s.summary}` : ''})`;
    node[parts[parts.length - 1]] = desc;
  }
  const toZod = (shape: Shape): z.ZodType => {
    const entries = Object.entries(shape);
    if (entries.length === 1 && entries[0][0] === '{key}') {
      const [, inner] = entries[0];
      return z.record(z.string(), typeof inner === 'string' ? z.number().describe(inner) : toZod(inner));
    }
    return z
      .object(
        Object.fromEntries(
          entries.map(([k, v]) => [k, typeof v === 'string' ? z.number().describe(v) : toZod(v)]),
        ),
      )
      .loose();
  };
  return z
    .object({ year: z.number().int(), ...(toZod(root) as z.ZodObject).shape })
    .loose()
    .describe('One calendar year of outcomes; every field is declared in the model (crossroads outcomes)');
}

/** JSON Schema source for the output of `crossroads run -n 1 --format json` (a single seeded run). */
export function runResultSchema() {
  const AnnualRecordSchema = annualRecordSchema();
  return z.object({
    manifest: z.object({
      package: z.literal('crossroads'),
      version: z.string(),
      modelVersion: z.string(),
      scenario: z.object({
        name: z.string(),
        hash: z.string(),
        assumptions: z.array(z.string()).optional().describe('alternative assumption sets applied, if any'),
      }),
      policy: z.object({ name: z.string(), hash: z.string() }),
      seed: z.number().int(),
      replicates: z.number().int(),
    }),
    annual: z.array(AnnualRecordSchema).describe('The policy run, one record per calendar year'),
    counterfactual: z
      .object({ annual: z.array(AnnualRecordSchema) })
      .describe('Same scenario and random numbers, no new policy'),
    costByLever: z.array(z.object({ lever: z.string(), target: z.string().optional(), costUsd: z.number() })),
    summary: z.object({
      period: z.tuple([z.number().int(), z.number().int()]),
      deaths: z.object({ policy: z.number(), counterfactual: z.number(), averted: z.number() }),
      costUsd: z.number(),
      discountRate: z.number(),
      discountedCostUsd: z.number(),
      costPerDeathAverted: z.number().nullable(),
    }),
    ...ActionsFields,
  });
}

const Band = z
  .record(z.string(), z.number())
  .describe('mean and the requested percentiles, e.g. { mean, p5, p25, p50, p75, p95 }');

/**
 * The interval form of `crossroads run` (the default, N > 1): central values are medians over the
 * paired replicates, bands beside them; `difference` is policy minus no new policy per replicate.
 */
export function intervalRunResultSchema() {
  const AnnualRecordSchema = annualRecordSchema();
  return z.object({
    manifest: runResultSchema().shape.manifest,
    ensemble: z
      .record(z.string(), z.unknown())
      .describe('Design, N, seed, parameter sampling notes, band method and accuracy'),
    quantiles: z.array(z.number()),
    annual: z
      .array(
        AnnualRecordSchema.extend({
          bands: z
            .record(z.string(), z.unknown())
            .describe('Bands of every numeric outcome, same shape as the record'),
          observable: Band.optional().describe(
            "History years only (a CDC/NCHS count exists): band of the total deaths CDC could observe without the new policy, each replicate's total times exp(e), e ~ Normal(0, sigma_total^2) with the sigma of the replicate's own accepted posterior set (observation and structural error); { p5, p25, p50, p75, p95 } at the run's quantiles and the median",
          ),
        }),
      )
      .describe('Policy arm: medians per year, bands beside'),
    counterfactual: z.object({ annual: z.array(z.record(z.string(), z.unknown())) }),
    difference: z
      .object({ annual: z.array(z.record(z.string(), z.unknown())) })
      .describe(
        "Paired difference policy - no new policy per outcome: median, bands and pBeats (probability the policy is better by the outcome's direction)",
      ),
    summary: z.object({
      period: z.tuple([z.number().int(), z.number().int()]),
      deaths: z.object({ policy: z.number(), counterfactual: z.number(), averted: z.number() }),
      costUsd: z.number(),
      discountRate: z.number(),
      costPerDeathAverted: z.number().nullable(),
      pFewerDeaths: z.number(),
      bands: z.object({
        deaths: z.object({ policy: Band, counterfactual: Band, averted: Band }),
        costUsd: Band,
      }),
    }),
    observable: z
      .object({
        outcome: z.literal('deaths.total'),
        arm: z.string(),
        sigma: z.string().describe("Where each replicate's error sigma comes from"),
        years: z.array(z.number().int()),
        inside90: z.number().int().describe('Years whose CDC/NCHS count lies in the p5..p95 observable band'),
        coverage90: z.number().describe('inside90 / years.length, a fraction between 0 and 1'),
      })
      .optional()
      .describe(
        'The observable band of the history years (annual[i].observable) and its coverage of the CDC/NCHS counts; absent when the accepted sets are not the shipped posterior sets (health-fit.json)',
      ),
    ...ActionsFields,
  });
}

/** Either form of `crossroads run --format json`; `manifest.replicates` tells which. */
export function runOutputSchema() {
  return z.union([runResultSchema(), intervalRunResultSchema()]);
}
