import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { intervalRunResultSchema, runResultSchema } from '../src/report/run-result.js';
import { captureStdio } from './helpers/stdio.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const io = captureStdio();

describe('crossroads run', () => {
  it('prints the table with both arms, deaths averted and cost', async () => {
    expect(await main(['run', '--policy', 'demand-package', '-n', '1'])).toBe(0);
    expect(io.out).toMatch(/deaths: no new policy/);
    expect(io.out).toMatch(/averted/);
    expect(io.out).toMatch(/cost per death averted: \$/);
    expect(io.out).toMatch(/2035\*/);
  });
  it('prints the recorded risks beside the intended outcomes of a strike policy', async () => {
    expect(await main(['run', '--policy', 'vessel-strikes', '-n', '1'])).toBe(0);
    expect(io.out).toMatch(/Drug reaching the US 2026-2035 \(vs no new policy\): cocaine [\d,]+ t \(-/);
    expect(io.out).toMatch(
      /Risks recorded: strikes at sea [1-9][\d,]*, on land 0 \(by sovereignty: international-waters/,
    );
    expect(io.out).toMatch(/people killed aboard struck vessels [1-9]/);
  });
  it('shows n/a cost per death averted when nothing is averted', async () => {
    expect(await main(['run', '-n', '1'])).toBe(0);
    expect(io.out).toMatch(/cost per death averted: n\/a/);
  });
  it('emits JSON that matches the exported output schema and replays bit for bit', async () => {
    expect(
      await main(['run', '--policy', 'naloxone-scale-up', '--format', 'json', '--seed', '9', '-n', '1']),
    ).toBe(0);
    const first = io.out;
    const parsed = runResultSchema().parse(JSON.parse(first));
    expect(parsed.annual).toHaveLength(21);
    expect(parsed.annual[0].year).toBe(2015);
    expect(parsed.manifest.seed).toBe(9);
    expect(parsed.manifest.scenario.hash).toMatch(/^[0-9a-f]{64}$/);
    io.out = '';
    await main(['run', '--policy', 'naloxone-scale-up', '--format', 'json', '--seed', '9', '-n', '1']);
    expect(io.out).toBe(first);
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
    const r = JSON.parse(io.out);
    expect(r.manifest.scenario.name).toBe('cheaper-treatment');
    expect(r.summary.discountRate).toBe(0.03);
    expect(r.summary.discountedCostUsd).toBeLessThan(r.summary.costUsd);
  });
  it('rejects an unknown policy, a bad seed and a bad format with one clear line each and exit 2', async () => {
    expect(await main(['run', '--policy', 'no-such-policy'])).toBe(2);
    expect(io.err).toMatch(
      /--policy: got "no-such-policy", expected a policy file or one of the shipped policies: .*demand-package/,
    );
    io.err = '';
    expect(await main(['run', '--seed', 'abc'])).toBe(2);
    expect(io.err).toMatch(/--seed: got "abc", expected an integer between 0 and/);
    io.err = '';
    expect(await main(['run', '--format', 'xml'])).toBe(2);
    expect(io.err).toMatch(/--format: got "xml", expected one of table, json, csv/);
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
    expect(io.err).toMatch(/problems? in this scenario file/);
    expect(io.err).toMatch(/horizon\.end: got "2035-13", expected .*YYYY-MM/);
    expect(io.err).toMatch(/economics\.discountRate: got 0\.5, expected at most 0\.2/);
    expect(io.err).toMatch(/colour/);
    expect(io.err).toMatch(/naloxone\.maxRateReduction\.value: got "high", expected a value of type number/);
  });
  it('reports parameter problems after the structure is valid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crossroads-'));
    const file = join(dir, 's.yaml');
    writeFileSync(
      file,
      'name: x\nparameters:\n  health.moudOverdoseHazardRatio: 1.7\n  health.noSuchParameter: 3\n',
    );
    expect(await main(['validate', file])).toBe(2);
    expect(io.err).toMatch(
      /parameters\.health\.moudOverdoseHazardRatio\.value: got 1\.7, expected a value inside its range \[0\.11, 0\.3\]/,
    );
    expect(io.err).toMatch(
      /parameters\.health\.noSuchParameter: got "health\.noSuchParameter", expected the id of a declared parameter/,
    );
  });
  it('reports every problem in a policy', async () => {
    expect(await main(['validate', join(fixtures, 'bad-policy.yaml')])).toBe(2);
    expect(io.err).toMatch(/levers\[3\]\.rampMonths: got 1\.5, expected a value of type int/);
  });
  it('reports lever problems of a structurally valid policy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crossroads-'));
    const file = join(dir, 'p.yaml');
    writeFileSync(
      file,
      'name: p\nlevers:\n  - { lever: moud-capacity, intensity: -5 }\n  - { lever: orbital-laser, intensity: 1 }\n  - { lever: naloxone, intensity: 1000, start: 2040-01 }\n',
    );
    expect(await main(['validate', file])).toBe(2);
    expect(io.err).toMatch(
      /levers\[0\]\.intensity: got -5, expected additional treatment slots .* between 0 and 3000000/,
    );
    expect(io.err).toMatch(/levers\[1\]\.lever: got "orbital-laser", expected one of moud-capacity/);
    expect(io.err).toMatch(/levers\[2\]\.start: got "2040-01", expected a month within 2015-01\.\.2035-12/);
  });
  it('accepts the shipped policies and the fixture scenario', async () => {
    expect(await main(['validate', join(import.meta.dirname, '..', 'policies', 'demand-package.yaml')])).toBe(
      0,
    );
    expect(await main(['validate', join(fixtures, 'custom-scenario.yaml')])).toBe(0);
    expect(io.out).toMatch(/valid scenario/);
  });
  it('reports malformed YAML and missing files clearly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crossroads-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'name: [unclosed\n');
    expect(await main(['validate', file])).toBe(2);
    expect(io.err).toMatch(/expected valid YAML or JSON/);
    io.err = '';
    expect(await main(['validate', join(dir, 'missing.yaml')])).toBe(2);
    expect(io.err).toMatch(/FILE: got ".*missing\.yaml", expected an existing file/);
  });
});

describe('crossroads schema', () => {
  it('prints input schemas and the output schema', async () => {
    expect(await main(['schema'])).toBe(0);
    const s = JSON.parse(io.out);
    expect(s.scenario.type).toBe('object');
    expect(s.policy.properties.levers.type).toBe('array');
    io.out = '';
    expect(await main(['schema', '--output'])).toBe(0);
    expect(JSON.parse(io.out).anyOf).toHaveLength(2);
  });
  it('the committed schema files are up to date', async () => {
    const root = join(import.meta.dirname, '..', 'schemas');
    await main(['schema', '--kind', 'scenario']);
    expect(JSON.parse(readFileSync(join(root, 'scenario.schema.json'), 'utf8'))).toEqual(JSON.parse(io.out));
    io.out = '';
    await main(['schema', '--kind', 'policy']);
    expect(JSON.parse(readFileSync(join(root, 'policy.schema.json'), 'utf8'))).toEqual(JSON.parse(io.out));
    io.out = '';
    await main(['schema', '--output']);
    expect(JSON.parse(readFileSync(join(root, 'run-result.schema.json'), 'utf8'))).toEqual(
      JSON.parse(io.out),
    );
  });
});

describe('every shipped policy', () => {
  it('runs as a single run and as a paired ensemble', async () => {
    const { shippedPolicies } = await import('../src/cli/inputs.js');
    const names = shippedPolicies();
    expect(names.length).toBeGreaterThanOrEqual(8);
    for (const name of names) {
      io.out = '';
      expect(await main(['run', '--policy', name, '-n', '1', '--format', 'json']), name).toBe(0);
      const single = runResultSchema().parse(JSON.parse(io.out));
      expect(single.manifest.policy.name).toBe(name);
      // Every policy with levers prints its action table: one row per action, risks beside.
      if (name !== 'none') {
        expect(single.actions?.length, name).toBeGreaterThan(0);
        // Shapley values up to five actions, leave-one-out beyond (hemispheric-defense has seven).
        const k = single.actions?.length ?? 0;
        expect(single.actionAttribution?.method).toBe(k <= 5 ? 'shapley' : 'leave-one-out');
        expect(single.actionAttribution?.runsPerReplicate).toBe(k <= 5 ? 2 ** k : 2 * k + 2);
      }
      io.out = '';
      expect(await main(['run', '--policy', name, '-n', '4', '--format', 'json']), name).toBe(0);
      const interval = intervalRunResultSchema().parse(JSON.parse(io.out));
      expect(interval.manifest.replicates).toBe(4);
      if (name !== 'none') expect(interval.actionAttribution?.replicates).toBe(4);
    }
  });
});
