/**
 * The `ModelRunner` over a Web Worker: `WorkerRunner` posts requests to a worker and resolves their
 * answers; `serveModelRunner` is the worker's side, answering with an in-thread runner. Messages are
 * plain data; errors come back as data (a `CrossroadsError` keeps its issues). Works with any
 * worker-like endpoint (a browser `Worker` and its `self`, or a Node MessagePort pair in tests).
 */

import { CrossroadsError, type InputIssue } from '../core/errors.js';
import type { ChunkInput, EnsembleJob } from '../experiment/chunk.js';
import { InThreadRunner } from './in-thread.js';
import type { ModelRunner, PolicyRef, RunRequest } from './model-runner.js';

/** The part of a `Worker` (or of a worker's global scope) the runner uses. */
export interface MessageEndpoint {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  removeEventListener?(type: 'message', listener: (event: { data: unknown }) => void): void;
}

type Method = 'run' | 'runPaired' | 'runPolicy' | 'ensembleChunk';

interface Request {
  id: number;
  method: Method;
  args: unknown[];
}

type Reply =
  | { id: number; ok: true; result: unknown }
  | {
      id: number;
      ok: false;
      error: { name: string; message: string; module?: string; issues?: InputIssue[] };
    };

/** Runs the model in a Web Worker that calls `serveModelRunner(self)`. */
export class WorkerRunner implements ModelRunner {
  private next = 1;
  private readonly pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: unknown) => void }
  >();
  private readonly jobs = new WeakMap<EnsembleJob, number>();
  private nextJob = 1;
  private readonly listener = (event: { data: unknown }): void => this.receive(event.data as Reply);

  /** `worker`: the Worker; `terminate` is called by `close()` when given. */
  constructor(private readonly worker: MessageEndpoint & { terminate?(): void }) {
    worker.addEventListener('message', this.listener);
  }

  private call<T>(method: Method, args: unknown[]): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, method, args } satisfies Request);
    });
  }

  private receive(reply: Reply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    if (reply.ok) p.resolve(reply.result);
    else {
      const e = reply.error;
      p.reject(
        e.issues
          ? new CrossroadsError(e.module ?? 'runner', e.issues)
          : Object.assign(new Error(e.message), { name: e.name }),
      );
    }
  }

  run(request: RunRequest) {
    return this.call<Awaited<ReturnType<ModelRunner['run']>>>('run', [request]);
  }

  runPaired(request: RunRequest, other: PolicyRef) {
    return this.call<Awaited<ReturnType<ModelRunner['runPaired']>>>('runPaired', [request, other]);
  }

  runPolicy(request: RunRequest) {
    return this.call<Awaited<ReturnType<ModelRunner['runPolicy']>>>('runPolicy', [request]);
  }

  ensembleChunk(job: EnsembleJob, chunk: ChunkInput) {
    // The job is sent once; later chunks name it by id, so the worker keeps its context.
    let id = this.jobs.get(job);
    const first = id === undefined;
    if (id === undefined) {
      id = this.nextJob++;
      this.jobs.set(job, id);
    }
    return this.call<Awaited<ReturnType<ModelRunner['ensembleChunk']>>>('ensembleChunk', [
      id,
      first ? job : null,
      chunk,
    ]);
  }

  /** Stop the worker; calls still waiting are rejected. */
  close(): void {
    this.worker.removeEventListener?.('message', this.listener);
    this.worker.terminate?.();
    for (const p of this.pending.values()) p.reject(new Error('runner/web-worker: the runner was closed'));
    this.pending.clear();
  }
}

/** How many ensemble jobs a worker keeps the context of. */
const JOBS_KEPT = 4;

/** Answer `WorkerRunner` requests arriving at `scope` (a worker's `self`) with an in-thread runner. */
export function serveModelRunner(scope: MessageEndpoint): void {
  const runner = new InThreadRunner();
  const jobs = new Map<number, EnsembleJob>();
  scope.addEventListener('message', (event) => {
    const { id, method, args } = event.data as Request;
    const reply = (r: Reply): void => scope.postMessage(r);
    Promise.resolve()
      .then((): Promise<unknown> => {
        switch (method) {
          case 'run':
            return runner.run(args[0] as RunRequest);
          case 'runPaired':
            return runner.runPaired(args[0] as RunRequest, args[1] as PolicyRef);
          case 'runPolicy':
            return runner.runPolicy(args[0] as RunRequest);
          case 'ensembleChunk': {
            const [jobId, sent, chunk] = args as [number, EnsembleJob | null, ChunkInput];
            if (sent) {
              jobs.set(jobId, sent);
              if (jobs.size > JOBS_KEPT) jobs.delete(jobs.keys().next().value as number);
            }
            const job = jobs.get(jobId);
            if (!job) throw new Error(`runner/web-worker: unknown ensemble job ${jobId}`);
            return runner.ensembleChunk(job, chunk);
          }
          default:
            throw new Error(`runner/web-worker: unknown method ${String(method)}`);
        }
      })
      .then(
        (result) => reply({ id, ok: true, result }),
        (err: unknown) =>
          reply({
            id,
            ok: false,
            error:
              err instanceof CrossroadsError
                ? { name: err.name, message: err.message, module: err.module, issues: err.issues }
                : {
                    name: err instanceof Error ? err.name : 'Error',
                    message: err instanceof Error ? err.message : String(err),
                  },
          }),
      );
  });
}
