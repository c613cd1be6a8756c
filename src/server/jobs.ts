/**
 * Ensemble jobs: queued, run one at a time (each may use every core through worker threads), with
 * progress and cancel. Jobs live in memory; a restart forgets them (saved policies are what persists).
 */

import { randomUUID } from 'node:crypto';
import { type EnsembleResult, type EnsembleSpec, runEnsemble } from '../experiment/ensemble.js';
import { InterruptedError } from '../experiment/executor.js';
import { ensembleDocument } from '../experiment/report.js';
import { defaultThreads, executorFor } from '../experiment/worker-executor.js';
import { LIMITS } from './schemas.js';

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

interface Job {
  id: string;
  status: JobStatus;
  created: string;
  finished?: string;
  done: number;
  total: number;
  arms: string[];
  spec: EnsembleSpec;
  controller: AbortController;
  result?: Record<string, unknown>;
  error?: { message: string; issues?: unknown };
}

/** What the API shows of a job. */
export function jobView(job: Job, withResult: boolean): Record<string, unknown> {
  return {
    id: job.id,
    status: job.status,
    created: job.created,
    ...(job.finished ? { finished: job.finished } : {}),
    arms: job.arms,
    progress: { done: job.done, total: job.total },
    ...(job.error ? { error: job.error } : {}),
    ...(withResult && job.result ? { result: job.result } : {}),
  };
}

/** The job queue. */
export class JobQueue {
  private readonly jobs = new Map<string, Job>();
  private running: Job | null = null;

  /** Jobs waiting or running. */
  active(): number {
    let n = 0;
    for (const j of this.jobs.values()) if (j.status === 'queued' || j.status === 'running') n++;
    return n;
  }

  /** Add a job; undefined when the queue is full. */
  submit(spec: EnsembleSpec): Job | undefined {
    if (this.active() >= LIMITS.activeJobs) return undefined;
    const job: Job = {
      id: randomUUID(),
      status: 'queued',
      created: new Date().toISOString(),
      done: 0,
      total: spec.n,
      arms: spec.arms.map((a) => a.name),
      spec,
      controller: new AbortController(),
    };
    this.jobs.set(job.id, job);
    this.forgetOld();
    queueMicrotask(() => this.pump());
    return job;
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  list(): Job[] {
    return [...this.jobs.values()];
  }

  /** Cancel a waiting or running job; a finished one is forgotten. */
  cancel(id: string): Job | undefined {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    if (job.status === 'queued') this.finish(job, 'cancelled');
    else if (job.status === 'running') job.controller.abort();
    else this.jobs.delete(id);
    return job;
  }

  /** Stop everything (server shutdown); resolves when the running job has stopped. */
  async close(): Promise<void> {
    for (const j of this.jobs.values()) if (j.status === 'queued') this.finish(j, 'cancelled');
    const r = this.running;
    if (r) {
      r.controller.abort();
      while (this.running === r) await new Promise((res) => setTimeout(res, 10));
    }
  }

  private finish(job: Job, status: JobStatus): void {
    job.status = status;
    job.finished = new Date().toISOString();
    // The spec (scenario, policies) is not needed any more.
    job.spec = { ...job.spec, scenario: undefined as never, arms: [] };
  }

  private forgetOld(): void {
    const finished = this.list().filter((j) => j.finished);
    for (const j of finished.slice(0, Math.max(0, finished.length - LIMITS.finishedJobs)))
      this.jobs.delete(j.id);
  }

  private pump(): void {
    if (this.running) return;
    const next = this.list().find((j) => j.status === 'queued');
    if (!next) return;
    this.running = next;
    next.status = 'running';
    void this.execute(next).finally(() => {
      this.running = null;
      this.pump();
    });
  }

  private async execute(job: Job): Promise<void> {
    const executor = executorFor(defaultThreads(job.spec.n * job.spec.arms.length));
    try {
      const result: EnsembleResult = await runEnsemble(job.spec, {
        executor,
        signal: job.controller.signal,
        onProgress: (done, total) => {
          job.done = done;
          job.total = total;
        },
      });
      job.result = ensembleDocument(result);
      this.finish(job, 'done');
    } catch (err) {
      if (err instanceof InterruptedError || job.controller.signal.aborted) this.finish(job, 'cancelled');
      else {
        job.error = {
          message: err instanceof Error ? err.message : String(err),
          ...(err && typeof err === 'object' && 'issues' in err ? { issues: err.issues } : {}),
        };
        this.finish(job, 'failed');
      }
    } finally {
      await executor.close();
    }
  }
}
