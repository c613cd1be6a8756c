/**
 * The API's request bodies as zod schemas (the schema is the type), their limits, and the OpenAPI
 * document generated from them. Scenario and policy documents inside a body are checked again by the
 * model's own resolvers (`resolveScenario`, `resolvePolicy`), whose issues name the field as well.
 */

import { z } from 'zod';
import { ENSEMBLE_DEFAULTS } from '../experiment/ensemble.js';
import { PAIRED_DEFAULTS } from '../experiment/paired.js';
import { runOutputSchema } from '../report/run-result.js';
import { PolicySchema } from '../spec/scenario.js';
import { PACKAGE_VERSION } from '../version.js';

/** Limits of the API. */
export const LIMITS = {
  /** Largest request body, bytes (a scenario document with its data fits well within it). */
  bodyBytes: 2_000_000,
  /** Replicates of a synchronous run or comparison (answered within the request). */
  syncReplicates: 1_000,
  /** Replicates of an asynchronous ensemble job. */
  jobReplicates: 100_000,
  /** Ensemble jobs waiting or running at once. */
  activeJobs: 4,
  /** Finished jobs kept for reading. */
  finishedJobs: 32,
  /** Saved policies. */
  savedPolicies: 10_000,
} as const;

const seed = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** A policy: a shipped policy's name, a saved policy's name, or a policy document. */
const policyRef = z.union([z.string().min(1).max(200), z.record(z.string(), z.unknown())]);
const common = {
  scenario: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('a scenario document (as in a scenario file); the built-in default when omitted'),
  assumptions: z
    .string()
    .max(200)
    .optional()
    .describe('a shipped alternative assumption set, e.g. venezuela-fentanyl'),
  seed: seed.optional().describe('random seed (default 1)'),
};

/** `POST /api/runs`. */
export const RunBody = z
  .object({
    ...common,
    policy: policyRef.optional().describe('the policy (default: no new policy)'),
    replicates: z
      .number()
      .int()
      .min(1)
      .max(LIMITS.syncReplicates)
      .optional()
      .describe(`paired replicates (default ${PAIRED_DEFAULTS.runReplicates}; 1 = one seeded run)`),
  })
  .strict();

const quantiles = z.array(z.number().gt(0).lt(1)).min(1).max(20);

/** `POST /api/compare`. */
export const CompareBody = z
  .object({
    ...common,
    a: policyRef.describe('policy A'),
    b: policyRef.describe('policy B'),
    replicates: z.number().int().min(1).max(LIMITS.syncReplicates).optional().describe('default 100'),
    quantiles: quantiles.optional(),
  })
  .strict();

/** `POST /api/ensembles`. */
export const EnsembleBody = z
  .object({
    ...common,
    policy: policyRef.optional().describe('the policy (default: no new policy)'),
    against: policyRef.optional().describe('a second policy: a paired comparison policy - against'),
    replicates: z.number().int().min(1).max(LIMITS.jobReplicates).optional().describe(`default ${1000}`),
    quantiles: quantiles.optional(),
    monthly: z.boolean().optional().describe('also band the monthly series'),
  })
  .strict();

/** A policy name in the store: letters, digits, `-`, `_`, `.` and spaces. */
export const PolicyName = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, { message: 'letters, digits, space, ".", "_" or "-"' });

/** `PUT /api/policies/:name`. */
export const SavePolicyBody = z
  .object({
    policy: PolicySchema,
    /** Optimistic concurrency: save only if the stored revision is this one (0: a new name). */
    expectedRevision: z.number().int().min(0).optional(),
  })
  .strict();

const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
const body = (schema: z.ZodType) => ({
  required: true,
  content: { 'application/json': { schema: json(schema) } },
});
const ok = (description: string, schema?: unknown) => ({
  description,
  content: { 'application/json': { schema: schema ?? {} } },
});
const errors = {
  '400': { description: 'invalid input: `issues` lists each field, the value found and what was expected' },
};

/** The OpenAPI 3.1 document of the API. */
export function openApiDocument(): Record<string, unknown> {
  const runOutput = z.toJSONSchema(runOutputSchema(), { io: 'output', unrepresentable: 'any' });
  const nameParam = [{ name: 'name', in: 'path', required: true, schema: json(PolicyName) }];
  const idParam = [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }];
  return {
    openapi: '3.1.0',
    info: {
      title: 'Crossroads API',
      version: PACKAGE_VERSION,
      description:
        'Run the Crossroads model over HTTP: runs, comparisons, ensembles (asynchronous jobs), saved policies and schemas. Errors are JSON `{ error, issues: [{ path, value, expected }] }`.',
    },
    paths: {
      '/api/runs': {
        post: {
          summary:
            'A policy against no new policy on common random numbers (what `crossroads run --format json` prints). An empty body runs the default.',
          requestBody: { ...body(RunBody), required: false },
          responses: {
            '200': ok(
              'replicates 1: the single-run document (schema at /api/schema/output); otherwise the interval document',
              runOutput,
            ),
            ...errors,
          },
        },
      },
      '/api/compare': {
        post: {
          summary:
            'Policy A vs policy B as a paired ensemble (what `crossroads compare --format json` prints)',
          requestBody: body(CompareBody),
          responses: { '200': ok('a, b, difference with bands and P(A beats B)'), ...errors },
        },
      },
      '/api/ensembles': {
        post: {
          summary: 'Start an ensemble job (asynchronous); poll it at /api/ensembles/{id}',
          requestBody: body(EnsembleBody),
          responses: {
            '202': ok('the job: id, status, progress'),
            ...errors,
            '429': { description: 'too many jobs waiting or running' },
          },
        },
        get: { summary: 'List jobs', responses: { '200': ok('jobs without results') } },
      },
      '/api/ensembles/{id}': {
        parameters: idParam,
        get: {
          summary:
            'A job: status (queued, running, done, failed, cancelled), progress, and when done the result (what `crossroads ensemble --format json` prints)',
          responses: { '200': ok('the job'), '404': { description: 'no such job' } },
        },
        delete: {
          summary: 'Cancel a job (stops its runs); a finished job is forgotten',
          responses: { '200': ok('the job'), '404': { description: 'no such job' } },
        },
      },
      '/api/policies': {
        get: { summary: 'Shipped and saved policies', responses: { '200': ok('{ shipped, saved }') } },
      },
      '/api/policies/{name}': {
        parameters: nameParam,
        get: {
          summary: 'A saved policy (or a shipped one)',
          responses: { '200': ok('the policy'), '404': { description: 'no such policy' } },
        },
        put: {
          summary: 'Create or replace a saved policy (atomic; `expectedRevision` refuses lost updates)',
          requestBody: body(SavePolicyBody),
          responses: {
            '200': ok('the saved policy with its revision'),
            ...errors,
            '409': {
              description: 'the stored revision is not `expectedRevision`, or the name is a shipped policy',
            },
          },
        },
        delete: {
          summary: 'Delete a saved policy',
          responses: { '204': { description: 'deleted' }, '404': { description: 'no such policy' } },
        },
      },
      '/api/schema': {
        get: {
          summary: 'JSON Schemas of scenario and policy documents',
          responses: { '200': ok('schemas') },
        },
      },
      '/api/schema/output': {
        get: { summary: 'JSON Schema of the single-run document', responses: { '200': ok('schema') } },
      },
      '/api/openapi.json': { get: { summary: 'This document', responses: { '200': ok('OpenAPI 3.1') } } },
    },
  };
}

/** Default replicates of an ensemble job (as `crossroads ensemble`). */
export const JOB_DEFAULT_REPLICATES = 1000;
export const SEED_DEFAULT = ENSEMBLE_DEFAULTS.seed;
