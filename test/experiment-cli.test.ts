import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { captureStdio } from './helpers/stdio.js';

const io = captureStdio();

describe('crossroads ensemble', () => {
  it('prints JSON with medians in the model shape and bands beside, and plain progress off a TTY', async () => {
    expect(
      await main(['ensemble', '-p', 'naloxone-scale-up', '-n', '6', '--format', 'json', '-q', '10,50,90']),
    ).toBe(0);
    const doc = JSON.parse(io.out);
    expect(doc.manifest.n).toBe(6);
    expect(doc.manifest.bands.alpha).toBeGreaterThan(0);
    const last = doc.annual[doc.annual.length - 1];
    expect(typeof last.deaths.total).toBe('number');
    expect(Object.keys(last.bands.deaths.total)).toEqual(['mean', 'p10', 'p50', 'p90']);
    expect(
      doc.summary.find((s: { outcome: string }) => s.outcome === 'deaths.total').bands.p90,
    ).toBeGreaterThan(0);
    expect(io.err).toMatch(/crossroads ensemble: 6\/6 replicates \(100%\)/);
  });
  it('writes CSV and per-replicate rows atomically, leaving no temporary files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crossroads-ens-'));
    const file = join(dir, 'bands.csv');
    const reps = join(dir, 'replicates.csv');
    expect(
      await main([
        'ensemble',
        '-n',
        '5',
        '-f',
        'csv',
        '-o',
        file,
        '--replicates-file',
        reps,
        '--outcomes',
        'deaths.total',
        '--no-progress',
      ]),
    ).toBe(0);
    const csv = readFileSync(file, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('section,arm,period,outcome,statistic,direction,mean,min,max,p5,p25,p50,p75,p95');
    expect(csv.slice(1).every((l) => l.includes('deaths.total'))).toBe(true);
    const rows = readFileSync(reps, 'utf8').trim().split('\n');
    expect(rows).toHaveLength(6);
    expect(rows[0].startsWith('replicate,')).toBe(true);
    expect(rows[5].startsWith('4,')).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['bands.csv', 'replicates.csv']);
  });
  it('writes per-replicate rows as Parquet (DuckDB) with the same numbers as the CSV, bit for bit', async () => {
    // A directory name DuckDB would read as a file pattern if the rows were read from there.
    const dir = join(mkdtempSync(join(tmpdir(), 'crossroads-pq-')), 'runs[1]*');
    mkdirSync(dir);
    const csvPath = join(dir, 'rows.csv');
    const pqPath = join(dir, 'rows.parquet');
    const args = ['compare', 'demand-package', 'none', '-n', '7', '--no-progress', '-f', 'json'];
    expect(await main([...args, '--replicates-file', csvPath])).toBe(0);
    expect(await main([...args, '--replicates-file', pqPath])).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['rows.csv', 'rows.parquet']);
    const lines = readFileSync(csvPath, 'utf8').trim().split('\n');
    const header = lines[0].split(',');
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    // read_parquet with a literal path list, so the brackets are not a pattern here either.
    const source = `read_parquet(['${pqPath.replaceAll("'", "''")}'])`;
    const types = await con.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
    const described = types.getRowObjects() as { column_name: string; column_type: string }[];
    expect(described.map((d) => d.column_name)).toEqual(header);
    expect(described[0].column_type).toBe('BIGINT');
    expect(new Set(described.slice(1).map((d) => d.column_type))).toEqual(new Set(['DOUBLE']));
    const read = await con.runAndReadAll(`SELECT * FROM ${source} ORDER BY replicate`);
    const rows = read.getRows();
    expect(rows).toHaveLength(7);
    rows.forEach((row, i) => {
      const fromCsv = lines[i + 1].split(',').map(Number);
      expect(row.map(Number)).toEqual(fromCsv);
    });
    con.closeSync();
    db.closeSync();
  });
  it('gives one clear line for bad flags', async () => {
    const cases: [string[], RegExp][] = [
      [['ensemble', '-n', '0'], /-n: got "0", expected an integer between 1 and 1000000/],
      [['ensemble', '-n', '100000000'], /-n: got "100000000", expected an integer between 1 and 1000000/],
      [
        ['ensemble', '--threads', '4096'],
        /--threads: got 4096, expected an integer from 1 to \d+ \(the cores/,
      ],
      [
        ['ensemble', '-n', '2', '--outcomes', 'deaths.bogus'],
        /--outcomes: got "deaths.bogus", expected an outcome name/,
      ],
      [
        ['ensemble', '-p', 'no-such-policy'],
        /--policy: got "no-such-policy", expected a policy file or one of the shipped/,
      ],
      [['compare', 'none', 'no-such-policy'], /POLICY_B: got "no-such-policy"/],
      [['ensemble', '-q', '5,150'], /--quantiles: got "5,150"/],
    ];
    for (const [args, pattern] of cases) {
      io.err = '';
      expect(await main([...args, '--no-progress'])).toBe(2);
      expect(io.err).toMatch(pattern);
      expect(io.err.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('crossroads compare', () => {
  it('reports both arms, the paired difference and P(A beats B)', async () => {
    expect(await main(['compare', 'moud-expansion', 'none', '-n', '6', '--no-progress'])).toBe(0);
    expect(io.out).toMatch(/Paired comparison/);
    expect(io.out).toMatch(/P\(A beats B\)/);
    expect(io.out).toMatch(/deaths.total, 2026-2035 cumulative/);
  });
  it('emits JSON with a, b and the difference', async () => {
    expect(
      await main(['compare', 'naloxone-scale-up', 'none', '-n', '4', '-f', 'json', '--no-progress']),
    ).toBe(0);
    const doc = JSON.parse(io.out);
    expect(doc.manifest.kind).toBe('paired');
    const d = doc.difference.summary.find((s: { outcome: string }) => s.outcome === 'deaths.total');
    expect(d.pBeats).toBeGreaterThanOrEqual(0);
    expect(doc.difference.annual[20].pBeats.deaths.total).toBeGreaterThanOrEqual(0);
  });
});

describe('crossroads run with intervals', () => {
  it('shows the paired ensemble by default for -n > 1 and keeps medians at the model paths in JSON', async () => {
    expect(await main(['run', '-p', 'moud-expansion', '-n', '5', '-f', 'json'])).toBe(0);
    const doc = JSON.parse(io.out);
    expect(doc.manifest.replicates).toBe(5);
    expect(typeof doc.annual[20].deaths.total).toBe('number');
    expect(doc.annual[20].bands.deaths.total.p95).toBeGreaterThanOrEqual(
      doc.annual[20].bands.deaths.total.p5,
    );
    expect(doc.counterfactual.annual).toHaveLength(21);
    expect(doc.summary.bands.deaths.averted.p5).toBeLessThanOrEqual(doc.summary.bands.deaths.averted.p95);
  });
  it('prints the interval table', async () => {
    expect(await main(['run', '-p', 'moud-expansion', '-n', '4'])).toBe(0);
    expect(io.out).toMatch(/Deaths averted/);
    expect(io.out).toMatch(/P\(fewer deaths/);
  });
});
