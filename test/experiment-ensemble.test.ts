import { describe, expect, it } from 'vitest';
import { CrossroadsError } from '../src/core/errors.js';
import { runModel } from '../src/engine/run.js';
import { setupChunk } from '../src/experiment/chunk.js';
import { checkReplicates, ensembleJob, runEnsemble } from '../src/experiment/ensemble.js';
import { InProcessExecutor, InterruptedError } from '../src/experiment/executor.js';
import { makeFlattener, outcomeInfo, selectOutcomes } from '../src/experiment/outcomes.js';
import { runPairedEnsemble } from '../src/experiment/paired.js';
import { toCsv } from '../src/experiment/report.js';
import { runPolicyInterval } from '../src/experiment/run-interval.js';
import { defaultScenario } from '../src/scenario/default.js';
import { noPolicy } from '../src/scenario/resolve.js';
import type { Policy } from '../src/spec/scenario.js';

const scenario = defaultScenario();
const moud: Policy = { name: 'moud', levers: [{ lever: 'moud-capacity', intensity: 500000 }] };
const arms = [
  { name: 'moud', policy: moud },
  { name: 'none', policy: noPolicy() },
];
const N = 40;
const quantiles = [0.05, 0.25, 0.5, 0.75, 0.95];

describe('ensemble bands', () => {
  it('match exact quantiles of the replicates within the stated alpha, and P(A beats B) exactly', async () => {
    const spec = { scenario, arms, n: N, seed: 4, quantiles };
    const result = await runEnsemble(spec, { chunkSize: 7 });
    // Exact reference: the same replicates, run directly and sorted.
    const ctx = setupChunk(ensembleJob(spec));
    const flatten = makeFlattener(ctx.layout);
    const cells = ctx.layout.cells;
    const values = [0, 1, 2].map(() => Array.from({ length: cells }, () => [] as number[]));
    const less = new Array(cells).fill(0);
    const greater = new Array(cells).fill(0);
    for (let r = 0; r < N; r++) {
      const draw = ctx.sampler.draw(r);
      const v = arms.map((a) => {
        const out = new Float64Array(cells);
        flatten(runModel({ scenario, policy: a.policy, seed: 4, replicate: r, parameters: draw }), out);
        return out;
      });
      for (let c = 0; c < cells; c++) {
        values[0][c].push(v[0][c]);
        values[1][c].push(v[1][c]);
        values[2][c].push(v[0][c] - v[1][c]);
        if (v[0][c] < v[1][c]) less[c]++;
        else if (v[0][c] > v[1][c]) greater[c]++;
      }
    }
    const alpha = result.manifest.bands.alpha;
    const stats = [result.arms[0].stats, result.arms[1].stats, result.difference?.stats ?? []];
    let checked = 0;
    for (let k = 0; k < 3; k++) {
      for (let c = 0; c < cells; c++) {
        const sorted = values[k][c].slice().sort((a, b) => a - b);
        quantiles.forEach((q, j) => {
          const exact = sorted[Math.floor(q * (N - 1))];
          expect(Math.abs(stats[k][c].q[j] - exact)).toBeLessThanOrEqual(alpha * Math.abs(exact) + 1e-9);
          checked++;
        });
        expect(stats[k][c].min).toBe(sorted[0]);
        expect(stats[k][c].max).toBe(sorted[N - 1]);
      }
    }
    expect(checked).toBeGreaterThan(1000);
    const d = result.difference;
    expect(d).not.toBeNull();
    ctx.layout.summaries.forEach((s, k) => {
      const c = cells - ctx.layout.summaries.length + k;
      if (s.direction === 'minimise')
        expect(d?.pBeats[c]).toBe((less[c] + 0.5 * (N - less[c] - greater[c])) / N);
    });
  });

  it('gives the same result whatever the chunking', async () => {
    const spec = { scenario, arms, n: 12, seed: 2 };
    const a = await runEnsemble(spec, { chunkSize: 1 });
    const b = await runEnsemble(spec, { chunkSize: 12 });
    const c = await runEnsemble(spec, { chunkSize: 5, executor: new InProcessExecutor() });
    expect(b.arms).toEqual(a.arms);
    expect(c.difference).toEqual(a.difference);
  });

  it('pairs on common random numbers: a policy against itself differs by exactly zero', async () => {
    const r = await runPairedEnsemble({
      scenario,
      a: arms[1],
      b: { name: 'none again', policy: noPolicy() },
      n: 8,
      seed: 3,
    });
    for (const s of r.ensemble.difference?.stats ?? []) expect([s.min, s.max]).toEqual([0, 0]);
    for (const p of r.ensemble.difference?.pBeats ?? []) if (p !== null) expect(p).toBe(0.5);
  });

  it('puts medians where the model puts values and the bands beside them', async () => {
    const r = await runPolicyInterval({ scenario, policy: moud, n: 10, seed: 1 });
    const last = r.annual[r.annual.length - 1] as {
      deaths: { total: number };
      bands: { deaths: { total: Record<string, number> } };
    };
    expect(typeof last.deaths.total).toBe('number');
    expect(Object.keys(last.bands.deaths.total)).toEqual(['mean', 'p5', 'p25', 'p50', 'p75', 'p95']);
    expect(last.bands.deaths.total.p5).toBeLessThanOrEqual(last.bands.deaths.total.p95);
    expect(r.summary.bands.deaths.averted.p5).toBeLessThanOrEqual(r.summary.bands.deaths.averted.p95);
    expect(r.summary.deaths.averted).toBeGreaterThan(0);
    const csv = toCsv(r.result).split('\n');
    expect(csv[0]).toMatch(
      /^section,arm,period,outcome,statistic,direction,mean,min,max,p5,p25,p50,p75,p95,p_a_beats_b$/,
    );
  });

  it('stops on abort with an InterruptedError', async () => {
    const controller = new AbortController();
    const p = runEnsemble(
      { scenario, arms, n: 40, seed: 1 },
      { chunkSize: 2, signal: controller.signal, onProgress: (done) => done >= 4 && controller.abort() },
    );
    await expect(p).rejects.toBeInstanceOf(InterruptedError);
  });
});

describe('outcomes', () => {
  it('takes directions from the declarations; an undeclared path is info', () => {
    const ctx = setupChunk(ensembleJob({ scenario, arms: [arms[0]], n: 1 }));
    expect(outcomeInfo(ctx.layout, 'deaths.total').direction).toBe('minimise');
    expect(outcomeInfo(ctx.layout, 'deathsTotal').direction).toBe('minimise');
    expect(outcomeInfo(ctx.layout, 'population.generalPopulation').direction).toBe('info');
    expect(outcomeInfo(ctx.layout, 'somethingNew.x').direction).toBe('info');
  });
  it('rejects unknown outcome names and absurd N with the flag, value and expectation', () => {
    const ctx = setupChunk(ensembleJob({ scenario, arms: [arms[0]], n: 1 }));
    expect(selectOutcomes(ctx.layout, ['deaths'])).toContain('deaths.total');
    expect(() => selectOutcomes(ctx.layout, ['deaths.bogus'])).toThrow(
      /--outcomes: got "deaths.bogus", expected an outcome name/,
    );
    expect(() => checkReplicates(0, '-n')).toThrow(CrossroadsError);
    expect(() => checkReplicates(10_000_001, '-n')).toThrow(
      /-n: got 10000001, expected an integer from 1 to 1,000,000/,
    );
  });
});
