/**
 * Jobs of a calibration (optimisations from dispersed starts, posterior chains) run in parallel on
 * worker threads, or in this thread with `threads: 0`, with an abort hook: when the signal fires the
 * workers are terminated and the promise rejects with an AbortError. Nothing here writes files.
 */

import { Worker } from 'node:worker_threads';
import { defaultScenario } from '../scenario/default.js';
import type { Scenario } from '../spec/scenario.js';
import { signalsUpTo } from './history-run.js';
import {
  type ChainResult,
  type ChainSettings,
  type Optimum,
  optimize,
  Posterior,
  runChain,
} from './posterior.js';

/** One job: the fit it belongs to and what to do. */
export type Job = {
  lastYear: number;
  /** Cut the input signals after this year (a backtest refit), or null for all signals. */
  signalsTo: number | null;
} & (
  | { kind: 'optimize'; seed: number; start: number; evaluations: number }
  | { kind: 'chain'; settings: ChainSettings }
);

/** The scenario a fit runs on: the declared parameters, signals cut if asked. */
export function fitScenario(signalsTo: number | null): Scenario {
  const declared = defaultScenario({ fitted: false });
  return signalsTo === null ? declared : signalsUpTo(declared, signalsTo);
}

const posteriors = new Map<string, Posterior>();

/** Run one job in this thread (null: stopped by `shouldStop`). */
export function runJob(job: Job, shouldStop?: () => boolean): Optimum | ChainResult | null {
  const key = `${job.lastYear}|${job.signalsTo}`;
  let post = posteriors.get(key);
  if (!post) {
    post = new Posterior(fitScenario(job.signalsTo), job.lastYear);
    posteriors.set(key, post);
  }
  if (job.kind === 'optimize') return optimize(post, job.seed, job.start, job.evaluations);
  return runChain(post, job.settings, shouldStop);
}

export function abortError(): Error {
  const e = new Error('calibration aborted');
  e.name = 'AbortError';
  return e;
}

/** Run jobs on `threads` workers (0: in this thread); results in job order. */
export async function runJobs<R>(
  jobs: Job[],
  threads: number,
  signal?: AbortSignal,
  onDone?: (index: number, seconds: number) => void,
): Promise<R[]> {
  if (signal?.aborted) throw abortError();
  const results: R[] = new Array(jobs.length);
  if (threads <= 0) {
    for (const [i, job] of jobs.entries()) {
      const t0 = performance.now();
      const r = runJob(job, () => signal?.aborted === true);
      if (r === null || signal?.aborted) throw abortError();
      results[i] = r as R;
      onDone?.(i, (performance.now() - t0) / 1000);
    }
    return results;
  }
  const workers: Worker[] = [];
  let next = 0;
  return new Promise<R[]>((resolve, reject) => {
    let done = 0;
    let failed = false;
    const stopAll = () => {
      for (const w of workers) void w.terminate();
    };
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      signal?.removeEventListener('abort', onAbort);
      stopAll();
      reject(err);
    };
    const onAbort = () => fail(abortError());
    signal?.addEventListener('abort', onAbort, { once: true });
    const startOn = (w: Worker) => {
      if (next >= jobs.length) return;
      const index = next++;
      const t0 = performance.now();
      w.once('message', (msg: { ok: boolean; result?: R; error?: string }) => {
        if (failed) return;
        if (!msg.ok || msg.result === undefined) {
          fail(new Error(`calibration job ${index}: ${msg.error ?? 'stopped'}`));
          return;
        }
        results[index] = msg.result;
        onDone?.(index, (performance.now() - t0) / 1000);
        done++;
        if (done === jobs.length) {
          signal?.removeEventListener('abort', onAbort);
          stopAll();
          resolve(results);
        } else startOn(w);
      });
      w.postMessage(jobs[index]);
    };
    for (let i = 0; i < Math.min(threads, jobs.length); i++) {
      const w = new Worker(new URL('./chain-worker.js', import.meta.url));
      w.on('error', (err) => fail(err));
      workers.push(w);
      startOn(w);
    }
  });
}
