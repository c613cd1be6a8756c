/**
 * The HTTP server (fastify): the JSON API under `/api` and the dashboard's built assets (dist/web) at
 * `/`. Every run goes through the same code paths as the CLI (`runPolicy`, `runPolicyInterval`,
 * `runEnsemble`); bodies are validated with zod and the model's own resolvers, and a bad request gets
 * a 400 whose `issues` name each field. Nothing here executes user-supplied code or reads a path the
 * user names: the only files read are the package's own (web assets, accepted calibration sets) and
 * the store in the data directory.
 */

import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { z } from 'zod';
import { CrossroadsError, type InputIssue } from '../core/errors.js';
import { loadAcceptedSets, loadErrorSigmas, packageRoot } from '../experiment/accepted-file.js';
import { runPolicyWithActions } from '../experiment/actions.js';
import { ENSEMBLE_DEFAULTS, runEnsemble } from '../experiment/ensemble.js';
import { PAIRED_DEFAULTS } from '../experiment/paired.js';
import { ensembleDocument } from '../experiment/report.js';
import { type ErrorSigmas, intervalJson, runPolicyInterval } from '../experiment/run-interval.js';
import type { AcceptedSets } from '../experiment/sampling.js';
import { defaultThreads, executorFor } from '../experiment/worker-executor.js';
import { assumptionNames, shippedAssumption, withAssumption } from '../model/supply/index.js';
import { runOutputSchema } from '../report/run-result.js';
import { defaultScenario } from '../scenario/default.js';
import { noPolicy, resolvePolicy, resolveScenario } from '../scenario/resolve.js';
import { shippedPolicy, shippedPolicyNames, shippedPolicyText } from '../scenario/shipped.js';
import { zodIssues } from '../spec/issues.js';
import { inputJsonSchemas, type Policy, type Scenario } from '../spec/scenario.js';
import { JobQueue, jobView } from './jobs.js';
import {
  CompareBody,
  EnsembleBody,
  JOB_DEFAULT_REPLICATES,
  LIMITS,
  openApiDocument,
  PolicyName,
  RunBody,
  SavePolicyBody,
  SEED_DEFAULT,
} from './schemas.js';
import { PolicyStore } from './store.js';

/** Server settings. */
export interface ServerOptions {
  /** Data directory (the SQLite store). */
  dataDir: string;
  /** Built dashboard assets (default: the package's dist/web). */
  webRoot?: string;
  /** Log requests (default false). */
  logger?: boolean;
}

/** A 400/404/409 with issues. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues: InputIssue[] = [],
  ) {
    super(message);
  }
}

function parse<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(input ?? {});
  if (!r.success) throw new HttpError(400, `invalid ${what}`, zodIssues(r.error, input ?? {}));
  return r.data;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** Build the server (not listening: call `listen`, or `inject` in tests). */
export function buildServer(options: ServerOptions): FastifyInstance & { store: PolicyStore } {
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: LIMITS.bodyBytes });
  const store = new PolicyStore(options.dataDir);
  const jobs = new JobQueue();
  const webRoot = resolve(options.webRoot ?? join(packageRoot(), 'dist', 'web'));
  let accepted: { accepted: AcceptedSets | null; source: string; sha256: string | null } | undefined;
  const acceptedSets = () => {
    accepted ??= loadAcceptedSets();
    return accepted;
  };
  let errorSigmas: ErrorSigmas | null | undefined;
  const sigmasOfFit = () => {
    if (errorSigmas === undefined) errorSigmas = loadErrorSigmas();
    return errorSigmas;
  };
  let defaultScn: Scenario | undefined;
  const baseScenario = (): Scenario => {
    defaultScn ??= defaultScenario();
    return defaultScn;
  };

  app.addHook('onClose', async () => {
    await jobs.close();
    store.close();
  });

  app.setErrorHandler((err: unknown, _req, reply) => {
    if (err instanceof HttpError)
      return reply.code(err.status).send({ error: err.message, issues: err.issues });
    if (err instanceof CrossroadsError)
      return reply.code(400).send({ error: `invalid input (${err.module})`, issues: err.issues });
    const e = err as { statusCode?: number; message?: string; code?: string };
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      // fastify's own: body too large, bad JSON, wrong content type.
      return reply.code(e.statusCode).send({
        error: e.message ?? 'bad request',
        issues: [
          {
            path: '(body)',
            value: e.code ?? null,
            expected:
              e.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
                ? `a body of at most ${LIMITS.bodyBytes} bytes`
                : 'a JSON body (content-type application/json)',
          },
        ],
      });
    }
    app.log.error(err);
    return reply.code(500).send({ error: 'internal error' });
  });

  /** The scenario of a body: a document, or the default; then an optional shipped assumption set. */
  const scenarioOf = (doc: Record<string, unknown> | undefined, assumptions?: string): Scenario => {
    let s: Scenario;
    if (doc) {
      try {
        s = resolveScenario(doc);
      } catch (err) {
        if (err instanceof CrossroadsError)
          throw new HttpError(
            400,
            'invalid scenario',
            err.issues.map((i) => ({ ...i, path: `scenario.${i.path}` })),
          );
        throw err;
      }
    } else s = baseScenario();
    if (assumptions === undefined) return s;
    const overlay = shippedAssumption(assumptions);
    if (!overlay)
      throw new HttpError(400, 'invalid assumptions', [
        { path: 'assumptions', value: assumptions, expected: `one of ${assumptionNames().join(', ')}` },
      ]);
    return withAssumption(s, overlay);
  };

  /** A policy reference: shipped name, saved name, or a document. */
  const policyOf = (
    ref: string | Record<string, unknown> | undefined,
    scenario: Scenario,
    field: string,
  ): Policy => {
    if (ref === undefined) return noPolicy();
    if (typeof ref === 'string') {
      if (shippedPolicyText(ref) !== undefined) return shippedPolicy(ref, scenario, field);
      const saved = store.get(ref);
      if (saved) return resolvePolicy(saved.policy, scenario);
      throw new HttpError(400, `invalid ${field}`, [
        {
          path: field,
          value: ref,
          expected: `a policy document, a saved policy's name or one of the shipped policies: ${shippedPolicyNames().join(', ')}`,
        },
      ]);
    }
    try {
      return resolvePolicy(ref, scenario);
    } catch (err) {
      if (err instanceof CrossroadsError)
        throw new HttpError(
          400,
          `invalid ${field}`,
          err.issues.map((i) => ({ ...i, path: i.path ? `${field}.${i.path}` : field })),
        );
      throw err;
    }
  };

  const json = (reply: FastifyReply, text: string) =>
    reply.type('application/json; charset=utf-8').send(text);

  // --- runs -----------------------------------------------------------------------------------------
  app.post('/api/runs', async (req, reply) => {
    const body = parse(RunBody, req.body, 'run request');
    const scenario = scenarioOf(body.scenario, body.assumptions);
    const policy = policyOf(body.policy, scenario, 'policy');
    const seed = body.seed ?? 1;
    const n = body.replicates ?? PAIRED_DEFAULTS.runReplicates;
    if (n === 1) return json(reply, JSON.stringify(runPolicyWithActions(scenario, policy, seed).result));
    const { accepted: sets, source, sha256 } = acceptedSets();
    const executor = executorFor(defaultThreads(2 * n));
    try {
      const r = await runPolicyInterval(
        {
          scenario,
          policy,
          n,
          seed,
          accepted: sets,
          acceptedSource: source,
          acceptedHash: sha256,
          errorSigmas: sigmasOfFit(),
        },
        { executor },
      );
      return json(reply, intervalJson(r));
    } finally {
      await executor.close();
    }
  });

  app.post('/api/compare', async (req) => {
    const body = parse(CompareBody, req.body, 'compare request');
    const scenario = scenarioOf(body.scenario, body.assumptions);
    const a = policyOf(body.a, scenario, 'a');
    const b = policyOf(body.b, scenario, 'b');
    const nameA = a.name === b.name ? `A: ${a.name}` : a.name;
    const nameB = a.name === b.name ? `B: ${b.name}` : b.name;
    const n = body.replicates ?? PAIRED_DEFAULTS.runReplicates;
    const { accepted: sets, source, sha256 } = acceptedSets();
    const executor = executorFor(defaultThreads(2 * n));
    try {
      const result = await runEnsemble(
        {
          scenario,
          arms: [
            { name: nameA, policy: a },
            { name: nameB, policy: b },
          ],
          paired: true,
          n,
          seed: body.seed ?? SEED_DEFAULT,
          accepted: sets,
          acceptedSource: source,
          acceptedHash: sha256,
          quantiles: body.quantiles ?? ENSEMBLE_DEFAULTS.quantiles,
        },
        { executor },
      );
      return ensembleDocument(result);
    } finally {
      await executor.close();
    }
  });

  // --- ensembles (asynchronous jobs) ------------------------------------------------------------------
  app.post('/api/ensembles', async (req, reply) => {
    const body = parse(EnsembleBody, req.body, 'ensemble request');
    const scenario = scenarioOf(body.scenario, body.assumptions);
    const policy = policyOf(body.policy, scenario, 'policy');
    const against = body.against === undefined ? undefined : policyOf(body.against, scenario, 'against');
    const { accepted: sets, source, sha256 } = acceptedSets();
    const arms = against
      ? [
          { name: policy.name === against.name ? `A: ${policy.name}` : policy.name, policy },
          { name: policy.name === against.name ? `B: ${against.name}` : against.name, policy: against },
        ]
      : [{ name: policy.name, policy }];
    const job = jobs.submit({
      scenario,
      arms,
      paired: arms.length === 2,
      n: body.replicates ?? JOB_DEFAULT_REPLICATES,
      seed: body.seed ?? SEED_DEFAULT,
      accepted: sets,
      acceptedSource: source,
      acceptedHash: sha256,
      monthly: body.monthly ?? false,
      quantiles: body.quantiles ?? ENSEMBLE_DEFAULTS.quantiles,
    });
    if (!job)
      return reply.code(429).send({
        error: `${LIMITS.activeJobs} jobs are already waiting or running; cancel one or wait`,
        issues: [],
      });
    return reply.code(202).header('location', `/api/ensembles/${job.id}`).send(jobView(job, false));
  });

  app.get('/api/ensembles', async () => ({ jobs: jobs.list().map((j) => jobView(j, false)) }));

  app.get<{ Params: { id: string } }>('/api/ensembles/:id', async (req) => {
    const job = jobs.get(req.params.id);
    if (!job)
      throw new HttpError(404, 'no such job', [{ path: 'id', value: req.params.id, expected: 'a job id' }]);
    return jobView(job, true);
  });

  app.delete<{ Params: { id: string } }>('/api/ensembles/:id', async (req) => {
    const job = jobs.cancel(req.params.id);
    if (!job)
      throw new HttpError(404, 'no such job', [{ path: 'id', value: req.params.id, expected: 'a job id' }]);
    return jobView(job, false);
  });

  // --- policies ---------------------------------------------------------------------------------------
  const nameOf = (raw: string): string => {
    const r = PolicyName.safeParse(raw);
    if (!r.success) throw new HttpError(400, 'invalid policy name', zodIssues(r.error, raw, 'name'));
    return r.data;
  };

  app.get('/api/policies', async () => ({
    shipped: shippedPolicyNames(),
    saved: store.list().map((p) => ({
      name: p.name,
      revision: p.revision,
      updated: p.updated,
      levers: p.policy.levers.length,
    })),
  }));

  app.get<{ Params: { name: string } }>('/api/policies/:name', async (req) => {
    const name = nameOf(req.params.name);
    const saved = store.get(name);
    if (saved) return { ...saved, shipped: false };
    if (shippedPolicyText(name) !== undefined)
      return { name, policy: shippedPolicy(name, baseScenario()), shipped: true };
    throw new HttpError(404, 'no such policy', [
      { path: 'name', value: name, expected: 'a saved or shipped policy' },
    ]);
  });

  app.put<{ Params: { name: string } }>('/api/policies/:name', async (req, reply) => {
    const name = nameOf(req.params.name);
    const body = parse(SavePolicyBody, req.body, 'policy');
    if (shippedPolicyText(name) !== undefined)
      throw new HttpError(409, 'a shipped policy has this name', [
        { path: 'name', value: name, expected: 'a name that is not a shipped policy' },
      ]);
    // The model's own check (lever ids, ranges, targets, months), on the default scenario.
    policyOf(body.policy as Record<string, unknown>, baseScenario(), 'policy');
    if (!store.get(name) && store.list().length >= LIMITS.savedPolicies)
      throw new HttpError(409, 'the store is full', [
        { path: 'name', value: name, expected: `at most ${LIMITS.savedPolicies} saved policies` },
      ]);
    const saved = store.put(name, body.policy, body.expectedRevision);
    if (saved === 'conflict')
      return reply.code(409).send({
        error: 'the policy changed since it was read',
        issues: [
          {
            path: 'expectedRevision',
            value: body.expectedRevision,
            expected: `the stored revision ${store.get(name)?.revision ?? 0}`,
          },
        ],
      });
    return saved;
  });

  app.delete<{ Params: { name: string } }>('/api/policies/:name', async (req, reply) => {
    const name = nameOf(req.params.name);
    if (!store.delete(name))
      throw new HttpError(404, 'no such policy', [{ path: 'name', value: name, expected: 'a saved policy' }]);
    return reply.code(204).send();
  });

  // --- schemas ----------------------------------------------------------------------------------------
  app.get('/api/schema', async () => inputJsonSchemas());
  app.get('/api/schema/output', async () => z.toJSONSchema(runOutputSchema(), { io: 'output' }));
  app.get('/api/openapi.json', async () => openApiDocument());
  app.get('/api', async () => ({ api: 'crossroads', openapi: '/api/openapi.json' }));

  // --- the dashboard's assets -------------------------------------------------------------------------
  app.get('/*', async (req, reply) => {
    const url = (req.params as { '*': string })['*'] ?? '';
    if (url.startsWith('api/') || url === 'api')
      throw new HttpError(404, 'no such endpoint', [
        { path: 'url', value: req.url, expected: 'an endpoint listed at /api/openapi.json' },
      ]);
    const rel = url === '' ? 'index.html' : url;
    const file = normalize(join(webRoot, rel));
    if (!file.startsWith(webRoot + sep) || !existsSync(file) || !statSync(file).isFile()) {
      if (url === '' || url === 'index.html')
        return reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .send('The dashboard is not built: run `npm run build` (the API is at /api).\n');
      return reply.code(404).type('text/plain; charset=utf-8').send('not found\n');
    }
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    // Hashed asset names can be cached for good; the page itself must not be.
    const cache = rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    return reply.type(type).header('cache-control', cache).send(readFileSync(file));
  });

  return Object.assign(app, { store });
}
