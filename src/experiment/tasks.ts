/**
 * The task kinds an executor can run, by name. Each kind builds a context once per job (`setup`,
 * from plain shared data) and runs inputs against it (`run`). Executors look tasks up here, so the
 * in-process executor, every worker thread and (later) a distributed worker run the same code.
 */

import {
  type ChunkContext,
  type ChunkInput,
  type ChunkResult,
  type EnsembleJob,
  runChunk,
  setupChunk,
} from './chunk.js';
import {
  runSensitivityChunk,
  type SensitivityChunkInput,
  type SensitivityChunkResult,
  type SensitivityContext,
  type SensitivityJob,
  setupSensitivity,
} from './sensitivity-chunk.js';

/** A task kind: shared data sent once per job, inputs and results (all structured-clone safe). */
export interface TaskKind<S, C, I, R> {
  setup(shared: S): C;
  run(context: C, input: I): R;
}

/** The registry. */
export const TASKS = {
  'ensemble-chunk': { setup: setupChunk, run: runChunk } satisfies TaskKind<
    EnsembleJob,
    ChunkContext,
    ChunkInput,
    ChunkResult
  >,
  'sensitivity-chunk': { setup: setupSensitivity, run: runSensitivityChunk } satisfies TaskKind<
    SensitivityJob,
    SensitivityContext,
    SensitivityChunkInput,
    SensitivityChunkResult
  >,
} as const;

export type TaskName = keyof typeof TASKS;
export type SharedOf<K extends TaskName> = Parameters<(typeof TASKS)[K]['setup']>[0];
export type InputOf<K extends TaskName> = Parameters<(typeof TASKS)[K]['run']>[1];
export type ResultOf<K extends TaskName> = ReturnType<(typeof TASKS)[K]['run']>;
