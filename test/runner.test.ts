/**
 * A runner for every host: the library bundled for the browser (esbuild, platform browser: a Node
 * built-in anywhere in its imports fails the build) runs a paired run in a context with no Node
 * globals and gives the Node result bit for bit; the Web Worker runner, over a real message channel
 * (structured clone both ways), gives the in-thread runner's answers, errors included.
 */

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createContext, runInContext } from 'node:vm';
import { MessageChannel } from 'node:worker_threads';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { CrossroadsError } from '../src/core/errors.js';
import { ensembleJob } from '../src/experiment/ensemble.js';
import { InThreadRunner, type MessageEndpoint, serveModelRunner, WorkerRunner } from '../src/runner/index.js';
import { defaultScenario } from '../src/scenario/default.js';
import { shippedPolicy } from '../src/scenario/shipped.js';

const ROOT = join(import.meta.dirname, '..');

/** Values of a run record as plain numbers (typed arrays from another realm compare as arrays). */
function plain(x: unknown): unknown {
  return JSON.parse(
    JSON.stringify(x, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v)),
  );
}

function bitsEqual(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

describe('the package entry points', () => {
  it("import('crossroads') and 'crossroads/node' resolve to the build from the package itself", () => {
    // The package's own build (npm test builds first; a bare `vitest run` builds here if needed).
    if (!existsSync(join(ROOT, 'dist/src/index.js')) || !existsSync(join(ROOT, 'dist/src/node.js'))) {
      execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'pipe' });
    }
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import('crossroads'); const n = await import('crossroads/node');
         const r = new m.InThreadRunner().runSync({ policy: 'none', seed: 1 });
         console.log(JSON.stringify([typeof m.runModel, typeof n.WorkerThreadsExecutor, r.annual.length, m.MODEL_VERSION]));`,
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    const [run, exec, years, version] = JSON.parse(out);
    expect([run, exec, years]).toEqual(['function', 'function', 21]);
    expect(version).toMatch(/\S/);
  });
});

describe('the library in a browser', () => {
  it('bundles the shipped policies as they are in policies/ (the generated module is current)', () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts/gen-data.mjs'), '--check'], { stdio: 'pipe' });
  });

  it('bundles for the browser and runs a paired run with no Node globals, bit for bit', async () => {
    const out = await build({
      entryPoints: [join(ROOT, 'src/index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      globalName: 'Crossroads',
      write: false,
      logLevel: 'silent',
    });
    const code = out.outputFiles[0].text;
    expect(code.length).toBeGreaterThan(10_000);
    // A context with the language's own globals and the two web APIs the code uses; no process,
    // require, Buffer or file system.
    const context = createContext({ TextEncoder, structuredClone });
    runInContext(code, context);
    expect(runInContext('typeof process + typeof require + typeof Buffer', context)).toBe(
      'undefinedundefinedundefined',
    );
    const browserPair = runInContext(
      `(() => {
        const r = new Crossroads.InThreadRunner();
        return r.runPairedSync({ policy: 'balanced-package', seed: 7, replicate: 3 }, 'none');
      })()`,
      context,
    );
    const nodePair = new InThreadRunner().runPairedSync(
      { policy: 'balanced-package', seed: 7, replicate: 3 },
      'none',
    );
    for (let k = 0; k < 2; k++) {
      expect(bitsEqual(browserPair[k].values, nodePair[k].values)).toBe(true);
      expect(plain(browserPair[k].annual)).toEqual(plain(nodePair[k].annual));
    }
    // The policy acts: the two arms differ after the policy start.
    expect(bitsEqual(nodePair[0].values, nodePair[1].values)).toBe(false);
    // The shipped policies and names are there without a file system.
    expect(runInContext('Crossroads.shippedPolicyNames().length', context)).toBeGreaterThanOrEqual(10);
  });
});

/** A Web Worker's two ends, over a Node MessageChannel (structured clone, like postMessage). */
function workerPair(): { client: WorkerRunner; close: () => void } {
  const { port1, port2 } = new MessageChannel();
  serveModelRunner(port2 as unknown as MessageEndpoint);
  const client = new WorkerRunner(port1 as unknown as MessageEndpoint);
  return {
    client,
    close: () => {
      client.close();
      port1.close();
      port2.close();
    },
  };
}

describe('the Web Worker runner', () => {
  it('answers as the in-thread runner: runs, paired runs, the policy summary, ensemble chunks', async () => {
    const { client, close } = workerPair();
    const local = new InThreadRunner();
    try {
      const req = { policy: 'vessel-strikes', seed: 11, monthly: true };
      const [w, l] = [await client.run(req), await local.run(req)];
      expect(bitsEqual(w.values, l.values)).toBe(true);
      expect(w.monthly?.deathsTotal).toEqual(l.monthly?.deathsTotal);
      expect(w.outcomes).toEqual(l.outcomes);

      const [wa, wb] = await client.runPaired({ policy: 'demand-package', seed: 2 }, 'none');
      const [la, lb] = await local.runPaired({ policy: 'demand-package', seed: 2 }, 'none');
      expect(bitsEqual(wa.values, la.values) && bitsEqual(wb.values, lb.values)).toBe(true);

      const sw = await client.runPolicy({ policy: 'moud-expansion', seed: 5 });
      const sl = await local.runPolicy({ policy: 'moud-expansion', seed: 5 });
      expect(sw.summary).toEqual(sl.summary);

      const scenario = defaultScenario();
      const job = ensembleJob({
        scenario,
        arms: [
          { name: 'a', policy: shippedPolicy('naloxone-scale-up', scenario) },
          { name: 'b', policy: shippedPolicy('none', scenario) },
        ],
        n: 6,
        seed: 4,
      });
      for (const chunk of [
        { start: 0, end: 3 },
        { start: 3, end: 6 },
      ]) {
        const cw = await client.ensembleChunk(job, chunk);
        const cl = await local.ensembleChunk(job, chunk);
        expect(bitsEqual(cw.values, cl.values)).toBe(true);
        expect(bitsEqual(cw.less, cl.less) && bitsEqual(cw.greater, cl.greater)).toBe(true);
      }
    } finally {
      close();
    }
  });

  it('returns bad input as a CrossroadsError naming the field and value', async () => {
    const { client, close } = workerPair();
    try {
      const err = await client.run({ policy: 'no-such-policy', seed: 1 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CrossroadsError);
      expect((err as CrossroadsError).issues[0]).toMatchObject({ path: 'policy', value: 'no-such-policy' });
      // An unknown lever in a policy given as data: refused by the engine, the error crosses intact.
      const bad = await client
        .run({ policy: { name: 'x', levers: [{ lever: 'bogus-lever', intensity: 1 }] }, seed: 1 })
        .catch((e: unknown) => e);
      expect(bad).toBeInstanceOf(CrossroadsError);
      expect((bad as CrossroadsError).message).toContain('bogus-lever');
    } finally {
      close();
    }
  });
});
