/**
 * One declaration of outcomes: an outcome added in one place (a declaration registered with the
 * model) appears in the run's JSON, the output schema, the ensemble's bands and summaries, the
 * `--outcomes` names, the paired difference's direction and `crossroads outcomes`, with nothing else
 * changed. Also: the record builder keeps declaration order, and every declared path is a leaf of
 * the annual record (and every leaf is declared).
 */

import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { compileBuilder, genericBuilder } from '../src/engine/recorder.js';
import { prepare, runModel } from '../src/engine/run.js';
import { outcomeSpecs, registerOutcomes } from '../src/model/catalogue.js';
import { expandOutcomes, type OutcomeSpec } from '../src/model/outcomes.js';
import { defaultScenario } from '../src/scenario/default.js';
import { captureStdio } from './helpers/stdio.js';

const io = captureStdio();

/** An annual record of the run JSON with the added outcome. */
interface Row {
  year: number;
  test: { monthsWithSpending: number };
}

function leaves(x: unknown, prefix = ''): string[] {
  if (typeof x === 'number') return [prefix];
  if (!x || typeof x !== 'object') return [];
  return Object.entries(x).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}

describe('outcome declarations', () => {
  it('are the annual record: every declared path is a leaf and every leaf is declared', () => {
    const input = { scenario: defaultScenario(), policy: { name: 'none', levers: [] }, seed: 3 };
    const out = runModel(input, prepare(input));
    const { year: _y, ...rec } = out.annual[0] as unknown as Record<string, unknown>;
    expect(leaves(rec)).toEqual(out.outcomes.map((o) => o.path));
    // The flat rows are the records' values.
    const n = out.outcomes.length;
    out.annual.forEach((r, y) => {
      const { year: _, ...rest } = r as unknown as Record<string, unknown>;
      const flat = leaves(rest).map((p) =>
        p.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], rest),
      );
      expect(flat).toEqual(Array.from(out.values.subarray(y * n, y * n + n)));
    });
  });

  it('builds records in declaration order, generated or generic (where code generation is barred)', () => {
    for (const make of [compileBuilder, genericBuilder]) {
      const build = make(['a.x', 'b', 'a.y.z', 'c.d', 'e.f-g']);
      const rec = build(Float64Array.from([9, 1, 2, 3, 4, 5]), 1, 2030);
      expect(JSON.stringify(rec)).toBe(
        '{"year":2030,"a":{"x":1,"y":{"z":3}},"b":2,"c":{"d":4},"e":{"f-g":5}}',
      );
    }
    const input = { scenario: defaultScenario(), policy: { name: 'none', levers: [] }, seed: 4 };
    const out = runModel(input, prepare(input));
    const paths = out.outcomes.map((o) => o.path);
    const n = paths.length;
    expect(JSON.stringify(genericBuilder(paths)(out.values, 5 * n, 2020))).toBe(
      JSON.stringify(out.annual[5]),
    );
  });

  it('rejects a path declared twice', () => {
    const spec = outcomeSpecs()[0];
    expect(() => expandOutcomes([spec, spec], { supply: null, param: () => 0 })).toThrow(
      /outcome "deaths.total" is declared twice/,
    );
  });
});

describe('an outcome added in one declaration', () => {
  // Months in which the policy spends money: 0 before the policy starts, 12 a year after.
  const added: OutcomeSpec = {
    path: 'test.monthsWithSpending',
    label: 'months in which the policy spends',
    unit: 'months a year',
    direction: 'maximise',
    summary: 'sum',
    read: { aggregate: 'sum', value: (sim) => (sim.cost[sim.t] > 0 ? 1 : 0) },
  };
  registerOutcomes([added]);

  it('appears in the run JSON', async () => {
    expect(await main(['run', '--policy', 'demand-package', '-n', '1', '--format', 'json'])).toBe(0);
    const doc = JSON.parse(io.out);
    const byYear = new Map(doc.annual.map((r: Row) => [r.year, r.test.monthsWithSpending]));
    expect(byYear.get(2025)).toBe(0);
    expect(byYear.get(2027)).toBe(12);
    expect(doc.counterfactual.annual[12].test.monthsWithSpending).toBe(0);
  });

  it('appears in the output schema, described by its declaration', async () => {
    expect(await main(['schema', '--output'])).toBe(0);
    expect(io.out).toContain('months in which the policy spends (months a year; maximise, summary sum)');
  });

  it('gets bands, a summary, an --outcomes name and its direction in the paired difference', async () => {
    expect(
      await main([
        'compare',
        'demand-package',
        'none',
        '-n',
        '4',
        '--format',
        'json',
        '--outcomes',
        'test.monthsWithSpending',
      ]),
    ).toBe(0);
    const doc = JSON.parse(io.out);
    const text = JSON.stringify(doc);
    expect(text).toContain('test.monthsWithSpending');
    const diff = doc.difference.summary.find(
      (s: { outcome: string }) => s.outcome === 'test.monthsWithSpending',
    );
    expect(diff).toBeDefined();
    // maximise: the package (which spends every month) beats no policy in every replicate.
    expect(diff.pBeats).toBe(1);
  });

  it('is listed by `crossroads outcomes`', async () => {
    expect(await main(['outcomes', '--json'])).toBe(0);
    const rows = JSON.parse(io.out);
    expect(rows.find((r: { path: string }) => r.path === 'test.monthsWithSpending')).toMatchObject({
      direction: 'maximise',
      summary: 'sum',
      aggregate: 'sum',
    });
    expect(
      rows.find((r: { path: string }) => r.path === 'supply.cocaine.byCorridor.eastern-pacific'),
    ).toBeDefined();
  });
});
