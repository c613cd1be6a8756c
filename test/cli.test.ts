import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.js';
import { IntervalRunResultSchema, RunResultSchema } from '../src/report/run-result.js';

const fixtures = join(import.meta.dirname, 'fixtures');
let out = '';
let err = '';

beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    err += String(s);
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = 0;
});

describe('crossroads run', () => {
  it('prints the table with both arms, deaths averted and cost', async () => {
    expect(await main(['run', '--policy', 'demand-package', '-n', '1'])).toBe(0);
    expect(out).toMatch(/deaths: no new policy/);
    expect(out).toMatch(/averted/);
    expect(out).toMatch(/cost per death averted: \$/);
    expect(out).toMatch(/2035\*/);
  });
  it('prints the recorded risks beside the intended outcomes of a strike policy', async () => {
    expect(await main(['run', '--policy', 'vessel-strikes', '-n', '1'])).toBe(0);
    expect(out).toMatch(/Drug reaching the US 2026-2035 \(vs no new policy\): cocaine [\d,]+ t \(-/);
    expect(out).toMatch(
      /Risks recorded: strikes at sea [1-9][\d,]*, on land 0 \(by sovereignty: international-waters/,
    );
    expect(out).toMatch(/people killed aboard struck vessels [1-9]/);
  });
  it('shows n/a cost per death averted when nothing is averted', async () => {
    expect(await main(['run', '-n', '1'])).toBe(0);
    expect(out).toMatch(/cost per death averted: n\/a/);
  });
  it('emits JSON that matches the exported output schema and replays bit for bit', async () => {
    expect(
      await main(['run', '--policy', 'naloxone-scale-up', '--format', 'json', '--seed', '9', '-n', '1']),
    ).toBe(0);
    const first = out;
    const parsed = RunResultSchema.parse(JSON.parse(first));
    expect(parsed.annual).toHaveLength(21);
    expect(parsed.annual[0].year).toBe(2015);
    expect(parsed.manifest.seed).toBe(9);
    expect(parsed.manifest.scenario.hash).toMatch(/^[0-9a-f]{64}$/);
    out = '';
    await main(['run', '--policy', 'naloxone-scale-up', '--format', 'json', '--seed', '9', '-n', '1']);
    expect(out).toBe(first);
  });
  it('writes CSV to a file atomically', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crossroads-'));
    const file = join(dir, 'out.csv');
    expect(
      await main(['run', '--policy', 'moud-expansion', '--format', 'csv', '--out', file, '-n', '1']),
    ).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text.split('\n')[0]).toBe(
      'arm,year,deaths_total,synthetic_opioids,other_opioids,cocaine,other_stimulants,cost_usd',
    );
    expect(text.split('\n').filter(Boolean)).toHaveLength(43);
  });
  it('runs a user scenario file of overrides', async () => {
    expect(
      await main([
        'run',
        join(fixtures, 'custom-scenario.yaml'),
        '--policy',
        'moud-expansion',
        '--format',
        'json',
        '-n',
        '1',
      ]),
    ).toBe(0);
    const r = JSON.parse(out);
    expect(r.manifest.scenario.name).toBe('cheaper-treatment');
    expect(r.summary.discountRate).toBe(0.03);
    expect(r.summary.discountedCostUsd).toBeLessThan(r.summary.costUsd);
  });
  it('rejects an unknown policy, a bad seed and a bad format with one clear line each and exit 2', async () => {
    expect(await main(['run', '--policy', 'no-such-policy'])).toBe(2);
    expect(err).toMatch(
      /--policy: got "no-such-policy", expected a policy file or one of the shipped policies: .*demand-package/,
    );
    err = '';
    expect(await main(['run', '--seed', 'abc'])).toBe(2);
    expect(err).toMatch(/--seed: got "abc", expected an integer between 0 and/);
    err = '';
    expect(await main(['run', '--format', 'xml'])).toBe(2);
    expect(err).toMatch(/--format: got "xml", expected one of table, json, csv/);
  });
  it('does not overwrite an existing output file when the run fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crossroads-'));
    const file = join(dir, 'keep.json');
    writeFileSync(file, 'precious');
    expect(await main(['run', '--policy', join(fixtures, 'bad-policy.yaml'), '--out', file])).toBe(2);
    expect(readFileSync(file, 'utf8')).toBe('precious');
  });
});

describe('crossroads validate', () => {
  it('reports every problem in a scenario with path, value and expectation, and exits 2', async () => {
    expect(await main(['validate', join(fixtures, 'bad-scenario.yaml')])).toBe(2);
    expect(err).toMatch(/problems? in this scenario file/);
    expect(err).toMatch(/horizon\.end: got "2035-13", expected .*YYYY-MM/);
    expect(err).toMatch(/economics\.discountRate: got 0\.5, expected at most 0\.2/);
    expect(err).toMatch(/colour/);
    expect(err).toMatch(/naloxone\.maxRateReduction\.value: got "high", expected a value of type number/);
  });
  it('reports parameter problems after the structure is valid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crossroads-'));
    const file = join(dir, 's.yaml');
    writeFileSync(
      file,
      'name: x\nparameters:\n  health.moudOverdoseHazardRatio: 1.7\n  health.noSuchParameter: 3\n',
    );
    expect(await main(['validate', file])).toBe(2);
    expect(err).toMatch(
      /parameters\.health\.moudOverdoseHazardRatio\.value: got 1\.7, expected a value inside its range \[0\.41, 0\.62\]/,
    );
    expect(err).toMatch(
      /parameters\.health\.noSuchParameter: got "health\.noSuchParameter", expected the id of a declared parameter/,
    );
  });
  it('reports every problem in a policy', async () => {
    expect(await main(['validate', join(fixtures, 'bad-policy.yaml')])).toBe(2);
    expect(err).toMatch(/levers\[3\]\.rampMonths: got 1\.5, expected a value of type int/);
  });
  it('reports lever problems of a structurally valid policy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crossroads-'));
    const file = join(dir, 'p.yaml');
    writeFileSync(
      file,
      'name: p\nlevers:\n  - { lever: moud-capacity, intensity: -5 }\n  - { lever: orbital-laser, intensity: 1 }\n  - { lever: naloxone, intensity: 1000, start: 2040-01 }\n',
    );
    expect(await main(['validate', file])).toBe(2);
    expect(err).toMatch(
      /levers\[0\]\.intensity: got -5, expected additional treatment slots .* between 0 and 3000000/,
    );
    expect(err).toMatch(/levers\[1\]\.lever: got "orbital-laser", expected one of moud-capacity/);
    expect(err).toMatch(/levers\[2\]\.start: got "2040-01", expected a month within 2015-01\.\.2035-12/);
  });
  it('accepts the shipped policies and the fixture scenario', async () => {
    expect(await main(['validate', join(import.meta.dirname, '..', 'policies', 'demand-package.yaml')])).toBe(
      0,
    );
    expect(await main(['validate', join(fixtures, 'custom-scenario.yaml')])).toBe(0);
    expect(out).toMatch(/valid scenario/);
  });
  it('reports malformed YAML and missing files clearly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crossroads-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'name: [unclosed\n');
    expect(await main(['validate', file])).toBe(2);
    expect(err).toMatch(/expected valid YAML or JSON/);
    err = '';
    expect(await main(['validate', join(dir, 'missing.yaml')])).toBe(2);
    expect(err).toMatch(/FILE: got ".*missing\.yaml", expected an existing file/);
  });
});

describe('crossroads schema', () => {
  it('prints input schemas and the output schema', async () => {
    expect(await main(['schema'])).toBe(0);
    const s = JSON.parse(out);
    expect(s.scenario.type).toBe('object');
    expect(s.policy.properties.levers.type).toBe('array');
    out = '';
    expect(await main(['schema', '--output'])).toBe(0);
    expect(JSON.parse(out).anyOf).toHaveLength(2);
  });
  it('the committed schema files are up to date', async () => {
    const root = join(import.meta.dirname, '..', 'schemas');
    await main(['schema', '--kind', 'scenario']);
    expect(JSON.parse(readFileSync(join(root, 'scenario.schema.json'), 'utf8'))).toEqual(JSON.parse(out));
    out = '';
    await main(['schema', '--kind', 'policy']);
    expect(JSON.parse(readFileSync(join(root, 'policy.schema.json'), 'utf8'))).toEqual(JSON.parse(out));
    out = '';
    await main(['schema', '--output']);
    expect(JSON.parse(readFileSync(join(root, 'run-result.schema.json'), 'utf8'))).toEqual(JSON.parse(out));
  });
});

describe('every shipped policy', () => {
  it('runs as a single run and as a paired ensemble', async () => {
    const { shippedPolicies } = await import('../src/cli/inputs.js');
    const names = shippedPolicies();
    expect(names.length).toBeGreaterThanOrEqual(8);
    for (const name of names) {
      out = '';
      expect(await main(['run', '--policy', name, '-n', '1', '--format', 'json']), name).toBe(0);
      const single = JSON.parse(out);
      expect(single.manifest.policy.name).toBe(name);
      out = '';
      expect(await main(['run', '--policy', name, '-n', '4', '--format', 'json']), name).toBe(0);
      const interval = IntervalRunResultSchema.parse(JSON.parse(out));
      expect(interval.manifest.replicates).toBe(4);
    }
  });
});
