/** The `ModelRunner` that runs the model in the calling thread (the CLI, a server, a worker's inside). */

import { type RunInput, type RunOutput, runModel, runPaired } from '../engine/run.js';
import { runPolicyWithActions } from '../experiment/actions.js';
import {
  type ChunkContext,
  type ChunkInput,
  type EnsembleJob,
  runChunk,
  setupChunk,
} from '../experiment/chunk.js';
import { runPolicy } from '../report/run-result.js';
import { defaultScenario } from '../scenario/default.js';
import { shippedPolicy } from '../scenario/shipped.js';
import type { Policy, Scenario } from '../spec/scenario.js';
import type { ModelRunner, PolicyRef, RunRecord, RunRequest } from './model-runner.js';

/** Plain data of a run's output (what crosses a thread or the network). */
export function toRecord(out: RunOutput): RunRecord {
  return {
    annual: out.annual,
    monthly: out.monthly,
    costByLever: out.costByLever,
    outcomes: out.outcomes.map((o) => ({
      path: o.path,
      label: o.label,
      unit: o.unit,
      direction: o.direction,
      ...(o.summary ? { summary: o.summary } : {}),
      ...(o.series ? { series: o.series } : {}),
      ...(o.note ? { note: o.note } : {}),
      ...(o.risk ? { risk: true } : {}),
    })),
    values: out.values,
    conservationError: out.conservationError,
    minCompartment: out.minCompartment,
  };
}

/** Runs the model synchronously in this thread (results wrapped in resolved promises). */
export class InThreadRunner implements ModelRunner {
  private defaultScenario: Scenario | undefined;
  private chunkContext: { job: EnsembleJob; ctx: ChunkContext } | undefined;

  private scenarioOf(request: RunRequest): Scenario {
    if (request.scenario) return request.scenario;
    this.defaultScenario ??= defaultScenario();
    return this.defaultScenario;
  }

  private policyOf(ref: PolicyRef, scenario: Scenario): Policy {
    return typeof ref === 'string' ? shippedPolicy(ref, scenario) : ref;
  }

  private input(request: RunRequest): RunInput {
    const scenario = this.scenarioOf(request);
    return {
      scenario,
      policy: this.policyOf(request.policy, scenario),
      seed: request.seed,
      replicate: request.replicate,
      parameters: request.parameters,
      monthly: request.monthly,
      stochastic: request.stochastic,
    };
  }

  /** One run, synchronously. */
  runSync(request: RunRequest): RunRecord {
    return toRecord(runModel(this.input(request)));
  }

  /** A paired run, synchronously. */
  runPairedSync(request: RunRequest, other: PolicyRef): [RunRecord, RunRecord] {
    const a = this.input(request);
    const [x, y] = runPaired(a, { ...a, policy: this.policyOf(other, a.scenario) });
    return [toRecord(x), toRecord(y)];
  }

  async run(request: RunRequest) {
    return this.runSync(request);
  }

  async runPaired(request: RunRequest, other: PolicyRef) {
    return this.runPairedSync(request, other);
  }

  /**
   * The run document, as `crossroads run -n 1` writes it: with its Action · Intended Outcome ·
   * Potential Risk table when the policy has levers (the package's variants run on common random
   * numbers: 2^k runs for k <= 5 actions, k + 2 beyond).
   */
  async runPolicy(request: RunRequest) {
    const a = this.input(request);
    if (a.parameters === undefined && (a.replicate ?? 0) === 0) {
      return runPolicyWithActions(a.scenario, a.policy, a.seed).result;
    }
    return runPolicy(a.scenario, a.policy, a.seed, a.replicate ?? 0, a.parameters);
  }

  async ensembleChunk(job: EnsembleJob, chunk: ChunkInput) {
    // The job's context (sampler, layout) is built once and reused for its further chunks.
    if (this.chunkContext?.job !== job) this.chunkContext = { job, ctx: setupChunk(job) };
    return runChunk(this.chunkContext.ctx, chunk);
  }

  close(): void {
    this.chunkContext = undefined;
  }
}
