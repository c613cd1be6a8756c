/**
 * Sensitivity on the model: design points mapped like ensemble replicates, outcomes named like the
 * ensemble layout names them, results independent of the executor. Drives the compiled modules in
 * dist/ (npm test builds first) so worker threads run the same code.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { captureStdio } from './helpers/stdio.js';

const dist = join(import.meta.dirname, '..', 'dist', 'src');
if (!existsSync(join(dist, 'experiment', 'worker.js'))) {
  throw new Error('experiment-sensitivity: dist/ is missing; run `npm run build` (npm test does) first');
}
const { runSensitivity } = await import(join(dist, 'experiment', 'sensitivity.js'));
const { setupSensitivity, runSensitivityChunk, outcomeCell, SENSITIVITY_DEFAULTS } = await import(
  join(dist, 'experiment', 'sensitivity-chunk.js')
);
const { InProcessExecutor } = await import(join(dist, 'experiment', 'executor.js'));
const { WorkerThreadsExecutor } = await import(join(dist, 'experiment', 'worker-executor.js'));
const { defaultScenario } = await import(join(dist, 'scenario', 'default.js'));
const { loadAcceptedSets } = await import(join(dist, 'experiment', 'accepted-file.js'));
const { valuesAt } = await import(join(dist, 'experiment', 'sampling.js'));
const { runPaired } = await import(join(dist, 'engine', 'run.js'));

const scenario = defaultScenario();
const accepted = loadAcceptedSets().accepted;
const naloxone = { name: 'naloxone', levers: [{ lever: 'naloxone', intensity: 5000000 }] };
const job = (over: Record<string, unknown> = {}) => ({
  method: 'morris',
  n: 2,
  seed: 3,
  levels: 4,
  scenario,
  policy: null,
  accepted,
  outcome: 'deaths.total',
  stochastic: false,
  ...over,
});

describe('sensitivity on the model', () => {
  it('names outcomes as the ensemble layout does', () => {
    const ctx = setupSensitivity(job());
    expect(ctx.outcomeName).toBe('deaths.total:sum:2026-2035');
    expect(outcomeCell(ctx.layout, 'deaths.total:2030').name).toBe('deaths.total:2030');
    expect(outcomeCell(ctx.layout, 'costUsd:sum:2026-2035').name).toBe('costUsd:sum:2026-2035');
    expect(() => outcomeCell(ctx.layout, 'deaths.nonsense')).toThrow(/--outcome: got "deaths.nonsense"/);
    expect(() => outcomeCell(ctx.layout, 'deaths.total:1999')).toThrow(/--outcome/);
    // One input per dimension of the ensemble's parameter space, the accepted sets as one.
    expect(ctx.dimensions).toBe(ctx.space.dimensions);
    expect(ctx.rows).toBe(2 * (ctx.dimensions + 1));
  });

  it('evaluates a design row as the paired reduction no new policy - policy', () => {
    const ctx = setupSensitivity(job({ policy: naloxone, method: 'sobol', n: 2 }));
    const r = runSensitivityChunk(ctx, { start: 5, end: 7 });
    const D = ctx.dimensions;
    for (const row of [5, 6]) {
      const parameters = valuesAt(ctx.space, ctx.design.subarray(row * D, (row + 1) * D));
      const base = { scenario, seed: 3, replicate: 0, parameters, stochastic: false };
      const [a, b] = runPaired(
        { ...base, policy: { name: 'none', levers: [] } },
        { ...base, policy: naloxone },
      );
      const sum = (run: { annual: { year: number; deaths: { total: number } }[] }) =>
        run.annual.filter((x) => x.year >= 2026).reduce((s, x) => s + x.deaths.total, 0);
      expect(r.values[row - 5]).toBeCloseTo(sum(a) - sum(b), 6);
      expect(r.values[row - 5]).toBeGreaterThan(0);
    }
  });

  it('gives the same indices in-process and on worker threads; inputs that cannot matter get exactly 0', async () => {
    const spec = job({ policy: naloxone, outcome: 'costUsd:sum:2026-2035' });
    const a = await runSensitivity(spec, { executor: new InProcessExecutor(), chunkSize: 7 });
    const pool = new WorkerThreadsExecutor(2);
    try {
      const b = await runSensitivity(spec, { executor: pool, chunkSize: 5 });
      expect(b.indices).toEqual(a.indices);
    } finally {
      await pool.close();
    }
    const byInput = Object.fromEntries(a.indices.map((i: { input: string }) => [i.input, i]));
    // The naloxone package's cost depends on the kit price, and on no other cost parameter.
    expect(byInput['cost.naloxoneKit'].mu_star).toBeGreaterThan(0);
    expect(byInput['cost.moudSlotYear'].mu_star).toBe(0);
    expect(byInput['cost.vesselStrike'].mu_star).toBe(0);
    expect(a.indices[0].input).toBe(SENSITIVITY_DEFAULTS.jointInput);
    expect(a.runs).toBe(2 * 2 * (a.manifest.inputs + 1));
  });

  it('refuses a design too large and an unknown method with the flag named', () => {
    expect(() => setupSensitivity(job({ method: 'fast' }))).toThrow(/--method: got "fast"/);
    expect(() => setupSensitivity(job({ method: 'sobol', n: 100_000 }))).toThrow(
      /-n: got 100000, expected at most/,
    );
  });
});

describe('crossroads sensitivity (CLI)', () => {
  const io = captureStdio();
  it('reproduces the Ishigami indices within their intervals, in SALib JSON names', async () => {
    const code = await main([
      'sensitivity',
      '--test-function',
      'ishigami',
      '--method',
      'sobol',
      '-n',
      '1024',
      '--format',
      'json',
    ]);
    expect(io.err).toBe('');
    expect(code).toBe(0);
    const j = JSON.parse(io.out);
    expect(j.method).toBe('sobol');
    expect(j.n).toBe(1024);
    expect(j.indices.map((i: { input: string }) => i.input)).toEqual(['x1', 'x2', 'x3']);
    for (const ix of j.indices) {
      expect(Object.keys(ix)).toEqual([
        'input',
        'S1',
        'S1_conf',
        'ST',
        'ST_conf',
        'S1_analytic',
        'ST_analytic',
      ]);
      expect(Math.abs(ix.S1 - ix.S1_analytic)).toBeLessThanOrEqual(ix.S1_conf);
      expect(Math.abs(ix.ST - ix.ST_analytic)).toBeLessThanOrEqual(ix.ST_conf);
    }
  });
  it('takes the G-function a vector, prints a table and writes tornado data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crossroads-sens-'));
    const tornado = join(dir, 'tornado.csv');
    const code = await main([
      'sensitivity',
      '--test-function',
      'g-function',
      '--param',
      'a=0,1,4.5,9,99',
      '-m',
      'morris',
      '-n',
      '50',
      '--tornado',
      tornado,
    ]);
    expect(code).toBe(0);
    expect(io.out).toMatch(/Morris elementary effects of Sobol G-function a=0,1,4.5,9,99/);
    const csv = readFileSync(tornado, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('rank,input,mu_star,mu_star_low,mu_star_high,mu,sigma');
    expect(csv.slice(1).map((l) => l.split(',')[1])).toEqual(['x1', 'x2', 'x3', 'x4', 'x5']);
  });
  it('writes every design point with --experiments', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crossroads-sens-'));
    const file = join(dir, 'design.csv');
    const code = await main([
      'sensitivity',
      '-n',
      '2',
      '--threads',
      '1',
      '--no-progress',
      '--format',
      'json',
      '--experiments',
      file,
    ]);
    expect(code).toBe(0);
    const j = JSON.parse(io.out);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const header = lines[0].split(',');
    expect(header[0]).toBe('replicate');
    expect(header[header.length - 1]).toBe('no new policy:deaths.total:sum:2026-2035');
    // r (D + 1) design points, D the inputs of the analysis (the accepted sets count as one).
    expect(lines.length - 1).toBe(2 * (j.indices.length + 1));
    expect(Number.isFinite(Number(lines[1].split(',').at(-1)))).toBe(true);
  });

  it('refuses bad flags with exit 2, naming flag, value and expectation', async () => {
    expect(await main(['sensitivity', '--test-function', 'ishigami', '--param', 'a=1,2'])).toBe(2);
    expect(io.err).toMatch(/--param: got "a=1,2", expected a single number/);
    expect(await main(['sensitivity', '--test-function', 'g-function', '--param', 'a=0,-1'])).toBe(2);
    expect(io.err).toMatch(/a\[1\]: got -1, expected a finite number >= 0/);
    expect(await main(['sensitivity', '--test-function', 'rosenbrock'])).toBe(2);
    expect(io.err).toMatch(/--test-function: got "rosenbrock", expected one of ishigami, g-function/);
    expect(await main(['sensitivity', '--method', 'sobol', '-n', '1'])).toBe(2);
    expect(await main(['sensitivity', '--outcome', 'nope', '-n', '2'])).toBe(2);
    expect(io.err).toMatch(/--outcome: got "nope"/);
    expect(await main(['sensitivity', '--levels', '5'])).toBe(2);
    expect(await main(['sensitivity', '--method', 'sobol', '--spread-candidates', '10'])).toBe(2);
    expect(io.err).toMatch(/--spread-candidates: got "10", expected only with --method morris/);
  });
});
