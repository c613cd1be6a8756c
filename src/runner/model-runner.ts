/**
 * One interface for running the model, whatever the host (after SDEverywhere's `ModelRunner`): the
 * CLI and a server run it in their own thread, a browser dashboard in a Web Worker. Requests and
 * results are plain data (structured-clone safe), so every implementation gives the same answer bit
 * for bit; a test checks the worker against the in-thread runner.
 */

import type { MonthlySeries, RunOutput } from '../engine/run.js';
import type { ChunkInput, ChunkResult, EnsembleJob } from '../experiment/chunk.js';
import type { CompiledOutcome } from '../model/outcomes.js';
import type { RunResult } from '../report/run-result.js';
import type { Policy, Scenario } from '../spec/scenario.js';

/** A policy as data, or the name of a shipped policy. */
export type PolicyRef = Policy | string;

/** One run: scenario (the built-in default when omitted), policy, seed, replicate. */
export interface RunRequest {
  scenario?: Scenario;
  policy: PolicyRef;
  seed: number;
  replicate?: number;
  /** Parameter values overriding the scenario's (e.g. one ensemble draw). */
  parameters?: Record<string, number>;
  /** Also return the monthly series. */
  monthly?: boolean;
  /** Draw process noise (default true). */
  stochastic?: boolean;
}

/** An outcome's declaration as data (without its reader). */
export type OutcomeMeta = Omit<CompiledOutcome, 'read'>;

/** The plain-data result of one run. */
export interface RunRecord {
  annual: RunOutput['annual'];
  monthly?: MonthlySeries;
  costByLever: RunOutput['costByLever'];
  outcomes: OutcomeMeta[];
  /** Every outcome's value per year, row-major (years x outcomes). */
  values: Float64Array;
  conservationError: number;
  minCompartment: number;
}

/** Runs the model: in this thread, in a Web Worker, or elsewhere. */
export interface ModelRunner {
  /** One run. */
  run(request: RunRequest): Promise<RunRecord>;
  /**
   * Two policies on the same scenario, seed, replicate and random numbers (common random numbers):
   * `[with policy a, with policy b]`, bit for bit two separate runs.
   */
  runPaired(request: RunRequest, other: PolicyRef): Promise<[RunRecord, RunRecord]>;
  /** A policy against no new policy, with the summary (what `crossroads run -n 1` prints). */
  runPolicy(request: RunRequest): Promise<RunResult>;
  /** Replicates [start, end) of an ensemble job (what executors run). */
  ensembleChunk(job: EnsembleJob, chunk: ChunkInput): Promise<ChunkResult>;
  /** Release what the runner holds (a worker). */
  close(): void;
}
