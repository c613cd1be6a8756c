/**
 * Worker threads run the compiled code in dist/ (built first by `npm test` and, when stale, by the
 * vitest global setup), so this suite drives the compiled modules for every executor: in-process and
 * worker threads run the same code.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dist = join(import.meta.dirname, '..', 'dist', 'src');
if (!existsSync(join(dist, 'experiment', 'worker.js'))) {
  throw new Error(
    'experiment-threads: dist/ is missing (test/setup/build-dist.ts builds it before the tests)',
  );
}
const { runEnsemble, ensembleJob } = await import(join(dist, 'experiment', 'ensemble.js'));
const { InProcessExecutor, InterruptedError } = await import(join(dist, 'experiment', 'executor.js'));
const { WorkerThreadsExecutor, checkThreads } = await import(join(dist, 'experiment', 'worker-executor.js'));
const { defaultScenario } = await import(join(dist, 'scenario', 'default.js'));
const { noPolicy } = await import(join(dist, 'scenario', 'resolve.js'));
const { CrossroadsError } = await import(join(dist, 'core', 'errors.js'));

const scenario = defaultScenario();
const arms = [
  { name: 'naloxone', policy: { name: 'naloxone', levers: [{ lever: 'naloxone', intensity: 5000000 }] } },
  { name: 'none', policy: noPolicy() },
];
const maxThreads = availableParallelism();

describe('worker-thread executor', () => {
  it('gives results identical to in-process whatever the thread count, with every worker used', async () => {
    const spec = { scenario, arms, n: 24, seed: 21, design: 'latin-hypercube' };
    const reference = await runEnsemble(spec, { executor: new InProcessExecutor(), chunkSize: 4 });
    for (const threads of [1, 2, 3].filter((t) => t <= maxThreads)) {
      const pool = new WorkerThreadsExecutor(threads);
      const used = new Set<number>();
      // Same pool, recording which worker ran each chunk.
      const executor = {
        name: pool.name,
        concurrency: pool.concurrency,
        map: (
          kind: string,
          shared: unknown,
          inputs: unknown[],
          o: { onResult?: (i: number, r: unknown, w: number) => void; signal?: AbortSignal } = {},
        ) =>
          pool.map(kind, shared, inputs, {
            ...o,
            onResult: (i: number, r: unknown, w: number) => {
              used.add(w);
              o.onResult?.(i, r, w);
            },
          }),
        close: () => pool.close(),
      };
      try {
        const result = await runEnsemble(spec, { executor, chunkSize: 4 });
        expect(used.size).toBe(threads);
        expect(result.arms).toEqual(reference.arms);
        expect(result.difference).toEqual(reference.difference);
        expect(result.manifest).toEqual(reference.manifest);
      } finally {
        await executor.close();
      }
    }
  });

  it('stops workers on abort and can run again afterwards', async () => {
    const executor = new WorkerThreadsExecutor(Math.min(2, maxThreads));
    try {
      const controller = new AbortController();
      const run = runEnsemble(
        { scenario, arms, n: 60, seed: 1 },
        {
          executor,
          chunkSize: 4,
          signal: controller.signal,
          onProgress: (d: number) => d >= 4 && controller.abort(),
        },
      );
      await expect(run).rejects.toBeInstanceOf(InterruptedError);
      const again = await runEnsemble(
        { scenario, arms: [arms[0]], n: 4, seed: 1 },
        { executor, chunkSize: 2 },
      );
      expect(again.manifest.n).toBe(4);
    } finally {
      await executor.close();
    }
  });

  it('hands results to onResult without keeping them when retain is false, values transferred whole', async () => {
    const job = ensembleJob({ scenario, arms, n: 12, seed: 3 });
    const inputs = [0, 4, 8].map((start) => ({ start, end: start + 4 }));
    const reference = await new InProcessExecutor().map('ensemble-chunk', job, inputs);
    for (const executor of [new InProcessExecutor(), new WorkerThreadsExecutor(Math.min(2, maxThreads))]) {
      try {
        const seen: unknown[] = [];
        const kept = await executor.map('ensemble-chunk', job, inputs, {
          retain: false,
          onResult: (i: number, r: unknown) => {
            seen[i] = r;
          },
        });
        expect(kept).toEqual([]);
        expect(seen).toEqual(reference);
      } finally {
        await executor.close();
      }
    }
  });

  it('brings input errors back from a worker as CrossroadsError', async () => {
    const executor = new WorkerThreadsExecutor(1);
    try {
      const job = ensembleJob({ scenario, arms, n: 4, seed: 1 });
      await expect(executor.map('ensemble-chunk', job, [{ start: 3, end: 9 }])).rejects.toBeInstanceOf(
        CrossroadsError,
      );
    } finally {
      await executor.close();
    }
  });

  it('refuses more threads than cores', () => {
    expect(() => checkThreads(maxThreads + 1, '--threads')).toThrow(
      /--threads: got \d+, expected an integer from 1 to \d+/,
    );
    expect(() => checkThreads(0, '--threads')).toThrow(CrossroadsError);
  });
});
