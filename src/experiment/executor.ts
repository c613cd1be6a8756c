/**
 * Executors decide how tasks run, never what they compute: the caller chooses one (in-process here,
 * worker threads in worker-executor.ts, a distributed one later) and the results are the same.
 * Interface after SDEverywhere's ModelRunner and the EMA Workbench's evaluators.
 */

import { CrossroadsError } from '../core/errors.js';
import { type InputOf, type ResultOf, type SharedOf, TASKS, type TaskKind, type TaskName } from './tasks.js';

/** Options of one `map` call. */
export interface MapOptions<R> {
  /** Called as each task finishes (completion order; `index` is the input's position, `worker` the slot that ran it). */
  onResult?: (index: number, result: R, worker: number) => void;
  /** Abort: stop dispatching, stop workers and reject with an InterruptedError. */
  signal?: AbortSignal;
  /**
   * Keep every result to resolve with (default true). Pass false when `onResult` consumes them:
   * `map` then resolves with an empty array and memory does not grow with the number of tasks.
   */
  retain?: boolean;
}

/** Runs tasks of a registered kind. */
export interface Executor {
  /** e.g. `in-process`, `worker-threads(2)`. */
  readonly name: string;
  /** How many tasks run at once. */
  readonly concurrency: number;
  /** Run `inputs` against `shared`; resolve with results in input order (none if `retain` is false). */
  map<K extends TaskName>(
    kind: K,
    shared: SharedOf<K>,
    inputs: readonly InputOf<K>[],
    options?: MapOptions<ResultOf<K>>,
  ): Promise<ResultOf<K>[]>;
  /** Release resources (threads). Idempotent. */
  close(): Promise<void>;
}

/** The run was stopped (Ctrl-C or an abort signal). */
export class InterruptedError extends Error {
  constructor(message = 'interrupted') {
    super(message);
    this.name = 'InterruptedError';
  }
}

/** Runs tasks one after another in this thread, yielding between tasks so signals and progress get through. */
export class InProcessExecutor implements Executor {
  readonly name = 'in-process';
  readonly concurrency = 1;

  async map<K extends TaskName>(
    kind: K,
    shared: SharedOf<K>,
    inputs: readonly InputOf<K>[],
    options: MapOptions<ResultOf<K>> = {},
  ): Promise<ResultOf<K>[]> {
    // Kinds differ in their types; the registry pairs each kind's setup and run.
    const task = TASKS[kind] as unknown as TaskKind<SharedOf<K>, unknown, InputOf<K>, ResultOf<K>>;
    // Same isolation as a worker: the task sees its own copy of the shared data.
    const context = task.setup(structuredClone(shared));
    const out: ResultOf<K>[] = [];
    const retain = options.retain ?? true;
    for (let i = 0; i < inputs.length; i++) {
      if (options.signal?.aborted) throw new InterruptedError();
      const result = task.run(context, inputs[i]) as ResultOf<K>;
      if (retain) out.push(result);
      options.onResult?.(i, result, 0);
      await yieldToEventLoop();
    }
    if (options.signal?.aborted) throw new InterruptedError();
    return out;
  }

  async close(): Promise<void> {}
}

/** Rebuild an error that crossed a thread boundary as plain data. */
export function reviveError(data: {
  name?: string;
  message?: string;
  module?: string;
  issues?: unknown;
}): Error {
  if (data.name === 'CrossroadsError' && typeof data.module === 'string' && Array.isArray(data.issues)) {
    return new CrossroadsError(data.module, data.issues);
  }
  const e = new Error(data.message ?? 'worker failed');
  if (data.name) e.name = data.name;
  return e;
}

/** Turn an error into plain data for postMessage. */
export function errorData(err: unknown): {
  name: string;
  message: string;
  module?: string;
  issues?: unknown;
} {
  if (err instanceof CrossroadsError)
    return { name: err.name, message: err.message, module: err.module, issues: err.issues };
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}

/** The buffers of a result's top-level typed arrays, to transfer (not copy) across threads. */
export function transferables(result: unknown): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  if (result && typeof result === 'object') {
    for (const v of Object.values(result)) {
      if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer && !out.includes(v.buffer)) {
        // Only whole, unshared buffers: transferring detaches every view on them.
        if (v.byteOffset === 0 && v.byteLength === v.buffer.byteLength) out.push(v.buffer);
      }
    }
  }
  return out;
}

/** Let queued events (signals, progress repaints) run: setImmediate in Node, setTimeout elsewhere. */
function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => unknown };
  return new Promise<void>((resolve) => (g.setImmediate ? g.setImmediate(resolve) : setTimeout(resolve, 0)));
}
