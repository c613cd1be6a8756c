/**
 * An executor over node:worker_threads: a small fixed pool, tasks dispatched in input order to the
 * next worker with room (each holds up to PIPELINE_DEPTH tasks, so it starts the next one while the
 * main thread is still consuming the previous result instead of waiting for it), each worker
 * running the same task registry as the in-process executor (see worker.ts). Workers load the
 * compiled JavaScript in dist/; from TypeScript sources (vitest, tsx) the pool uses the compiled
 * worker next to them in dist/, so build first. Abort terminates every worker at once; a later
 * `map` starts fresh ones. Idle workers are unref'd so a forgotten `close()` does not keep the
 * process alive.
 */

import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { fail } from '../core/errors.js';
import {
  type Executor,
  InProcessExecutor,
  InterruptedError,
  type MapOptions,
  reviveError,
} from './executor.js';
import type { InputOf, ResultOf, SharedOf, TaskName } from './tasks.js';
import type { ReplyMessage, TaskMessage } from './worker.js';

const MODULE = 'experiment/worker-executor';

/** Most threads allowed: the cores this process may use. */
export function maxThreads(): number {
  return availableParallelism();
}

/** Check a thread count; `flag` names the option in the error. */
export function checkThreads(threads: number, flag = 'threads'): number {
  const max = maxThreads();
  if (!Number.isSafeInteger(threads) || threads < 1 || threads > max) {
    fail(MODULE, flag, threads, `an integer from 1 to ${max} (the cores available to this process)`);
  }
  return threads;
}

/** Where the compiled worker is: next to this module in dist/, or mapped from src/ to dist/src/. */
export function defaultWorkerUrl(): URL {
  const here = import.meta.url;
  const url = here.endsWith('.ts')
    ? new URL('../../dist/src/experiment/worker.js', here)
    : new URL('./worker.js', here);
  if (!existsSync(fileURLToPath(url))) {
    fail(
      MODULE,
      'worker',
      fileURLToPath(url),
      'the compiled worker thread module (run `npm run build` first)',
    );
  }
  return url;
}

interface Slot {
  worker: Worker;
  /** The job whose shared data this worker holds. */
  job: number;
}

/** Tasks queued per worker: one running, one waiting, so a worker never idles on the main thread. */
export const PIPELINE_DEPTH = 2;

/** Runs tasks on a pool of worker threads. */
export class WorkerThreadsExecutor implements Executor {
  readonly name: string;
  readonly concurrency: number;
  private slots: Slot[] = [];
  private jobs = 0;
  private running = false;
  private readonly url: URL;

  constructor(threads: number, options: { workerUrl?: URL } = {}) {
    this.concurrency = checkThreads(threads);
    this.name = `worker-threads(${threads})`;
    this.url = options.workerUrl ?? defaultWorkerUrl();
  }

  private spawn(): void {
    while (this.slots.length < this.concurrency) {
      this.slots.push({ worker: new Worker(this.url), job: -1 });
    }
  }

  async map<K extends TaskName>(
    kind: K,
    shared: SharedOf<K>,
    inputs: readonly InputOf<K>[],
    options: MapOptions<ResultOf<K>> = {},
  ): Promise<ResultOf<K>[]> {
    if (this.running) throw new Error(`${MODULE}: one map at a time per executor`);
    if (options.signal?.aborted) throw new InterruptedError();
    if (inputs.length === 0) return [];
    this.running = true;
    this.spawn();
    const job = ++this.jobs;
    const slots = this.slots;
    const retain = options.retain ?? true;
    const results: ResultOf<K>[] = retain ? new Array(inputs.length) : [];
    let next = 0;
    let done = 0;

    try {
      return await new Promise<ResultOf<K>[]>((resolve, reject) => {
        let settled = false;
        const cleanups: (() => void)[] = [];
        const settle = (err: Error | null): void => {
          if (settled) return;
          settled = true;
          for (const c of cleanups) c();
          if (err) {
            // Stop every worker now: tasks cannot be cancelled midway, threads can.
            const dying = this.slots;
            this.slots = [];
            Promise.all(dying.map((s) => s.worker.terminate())).then(
              () => reject(err),
              () => reject(err),
            );
          } else {
            for (const s of slots) s.worker.unref();
            resolve(results);
          }
        };
        const dispatch = (slot: Slot): void => {
          if (settled || next >= inputs.length) return;
          const index = next++;
          const msg: TaskMessage = { type: 'task', job, kind, index, input: inputs[index] };
          if (slot.job !== job) {
            msg.shared = shared;
            slot.job = job;
          }
          slot.worker.postMessage(msg);
        };
        slots.forEach((slot, slotIndex) => {
          slot.worker.ref();
          const onMessage = (msg: ReplyMessage): void => {
            if (settled || msg.job !== job) return;
            if (msg.type === 'error') {
              settle(reviveError(msg.error));
              return;
            }
            const result = msg.result as ResultOf<K>;
            if (retain) results[msg.index] = result;
            done++;
            // Refill this worker's queue before consuming the result, so it keeps running meanwhile.
            dispatch(slot);
            try {
              options.onResult?.(msg.index, result, slotIndex);
            } catch (err) {
              settle(err instanceof Error ? err : new Error(String(err)));
              return;
            }
            if (done === inputs.length) settle(null);
          };
          const onError = (err: Error): void => settle(err);
          const onExit = (code: number): void =>
            settle(new Error(`${MODULE}: a worker exited early (code ${code})`));
          slot.worker.on('message', onMessage);
          slot.worker.on('error', onError);
          slot.worker.on('exit', onExit);
          cleanups.push(() => {
            slot.worker.off('message', onMessage);
            slot.worker.off('error', onError);
            slot.worker.off('exit', onExit);
          });
        });
        if (options.signal) {
          const onAbort = (): void => settle(new InterruptedError());
          options.signal.addEventListener('abort', onAbort, { once: true });
          cleanups.push(() => options.signal?.removeEventListener('abort', onAbort));
        }
        // Round-robin, so every worker gets work before any gets a second task.
        for (let d = 0; d < PIPELINE_DEPTH; d++) for (const slot of slots) dispatch(slot);
      });
    } finally {
      this.running = false;
    }
  }

  async close(): Promise<void> {
    const dying = this.slots;
    this.slots = [];
    await Promise.all(dying.map((s) => s.worker.terminate()));
  }
}

/** Runs below which worker threads are not worth starting (each costs a module load and warm-up). */
export const MIN_RUNS_FOR_THREADS = 2000;

/** The executor for a thread count: in-process for 1, a worker pool otherwise. */
export function executorFor(threads: number): Executor {
  checkThreads(threads);
  return threads === 1 ? new InProcessExecutor() : new WorkerThreadsExecutor(threads);
}

/** Default thread count: in-process for small jobs, every available core otherwise. */
export function defaultThreads(runs: number): number {
  return runs < MIN_RUNS_FOR_THREADS ? 1 : maxThreads();
}
