/** The EMA Workbench archive layout and the experiments files of the analyses. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { emaArchive, emaArchiveFiles } from '../src/experiment/ema-archive.js';
import { captureStdio } from './helpers/stdio.js';

/** Read a ustar archive back: name -> text (checks each header's checksum). */
function untar(buf: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let at = 0;
  while (at + 512 <= buf.length) {
    const h = buf.subarray(at, at + 512);
    if (h.every((b) => b === 0)) break;
    const name = h.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const size = Number.parseInt(h.subarray(124, 136).toString('ascii').replace(/\0.*$/s, ''), 8);
    const sum = Number.parseInt(h.subarray(148, 156).toString('ascii'), 8);
    let s = 0;
    for (let i = 0; i < 512; i++) s += i >= 148 && i < 156 ? 32 : h[i];
    expect(s).toBe(sum);
    expect(h.subarray(257, 263).toString('ascii')).toBe('ustar\0');
    out.set(name, buf.subarray(at + 512, at + 512 + size).toString('utf8'));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

describe('EMA Workbench archive', () => {
  const content = {
    inputs: ['a', 'b'],
    experiments: [
      { scenario: 0, policy: 'p', values: [1, 0.5] },
      { scenario: 1, policy: 'p', values: [2, 0.25] },
    ],
    outcomes: [
      { name: 'deaths', columns: 1, data: [10, 20] },
      { name: 'series', columns: 3, data: [1, 2, 3, 4, 5, 6] },
    ],
  };
  it('writes the files save_results writes, in its formats', () => {
    const files = new Map(emaArchiveFiles(content).map((f) => [f.name, f.text]));
    expect([...files.keys()]).toEqual([
      'experiments.csv',
      'experiments metadata.csv',
      'outcomes metadata.csv',
      'deaths.csv',
      'series.csv',
    ]);
    expect(files.get('experiments.csv')).toBe(
      'a,b,scenario,policy,model\n1,0.5,0,p,crossroads\n2,0.25,1,p,crossroads\n',
    );
    expect(files.get('experiments metadata.csv')).toBe(
      'a,float64\nb,float64\nscenario,int64\npolicy,object\nmodel,object\n',
    );
    expect(files.get('outcomes metadata.csv')).toBe('deaths,(2,)\nseries,(2, 3)');
    expect(files.get('deaths.csv')).toBe('10\n20\n');
    expect(files.get('series.csv')).toBe('1,2,3\n4,5,6\n');
  });
  it('is a gzipped ustar archive, the same bytes every time', () => {
    const a = emaArchive(content);
    expect(a.equals(emaArchive(content))).toBe(true);
    const files = untar(gunzipSync(a));
    expect(files.get('deaths.csv')).toBe('10\n20\n');
    expect(files.size).toBe(5);
  });
  it('refuses names that would break its CSV metadata', () => {
    expect(() => emaArchiveFiles({ ...content, inputs: ['a,b', 'c'] })).toThrow(/column: got "a,b"/);
    expect(() => emaArchiveFiles({ ...content, outcomes: [{ name: 'x', columns: 1, data: [1] }] })).toThrow(
      /outcome x/,
    );
  });
});

describe('--experiments on the analyses', () => {
  const io = captureStdio();
  it('robust writes one experiment per world and package in the archive, and the same numbers as CSV', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crossroads-exp-'));
    const args = [
      'robust',
      '--policies',
      'demand-package,moud-expansion',
      '-n',
      '4',
      '--threads',
      '1',
      '--no-progress',
      '--format',
      'json',
    ];
    expect(await main([...args, '--experiments', join(dir, 'r.tar.gz')])).toBe(0);
    expect(await main([...args, '--experiments', join(dir, 'r.csv')])).toBe(0);
    const files = untar(gunzipSync(readFileSync(join(dir, 'r.tar.gz'))));
    const exp = files.get('experiments.csv')?.trim().split('\n') ?? [];
    expect(exp.length).toBe(1 + 3 * 4);
    expect(exp[0].endsWith(',scenario,policy,model')).toBe(true);
    expect(exp.slice(1).map((l) => l.split(',').slice(-2, -1)[0])).toEqual([
      ...Array(4).fill('no new policy'),
      ...Array(4).fill('demand-package'),
      ...Array(4).fill('moud-expansion'),
    ]);
    expect(files.get('outcomes metadata.csv')).toMatch(/^deaths\.total:sum:2026-2035,\(12,\)$/m);
    const deaths = files.get('deaths.total:sum:2026-2035.csv')?.trim().split('\n').map(Number) ?? [];
    const csv = readFileSync(join(dir, 'r.csv'), 'utf8').trim().split('\n');
    const header = csv[0].split(',');
    const k = header.indexOf('demand-package:deaths.total:sum:2026-2035');
    expect(k).toBeGreaterThan(0);
    expect(csv.slice(1).map((l) => Number(l.split(',')[k]))).toEqual(deaths.slice(4, 8));
  });
  it('refuses an unknown extension before running', async () => {
    expect(await main(['discover', '--fail', '<1', '-n', '20', '--experiments', 'x.xlsx'])).toBe(2);
    expect(io.err).toMatch(
      /--experiments: got "x.xlsx", expected a file name ending in .csv, .parquet or .tar.gz/,
    );
  });
});
