/**
 * The observable band of `crossroads run` (history years): each replicate's no-new-policy total
 * times exp(sigma e), sigma from the replicate's own accepted posterior set. It changes no other
 * output, it is wider than the model band, and its coverage of the CDC counts is computed from data.
 */

import { describe, expect, it } from 'vitest';
import { loadAcceptedSets, loadErrorSigmas } from '../src/experiment/accepted-file.js';
import { PAIRED_DEFAULTS } from '../src/experiment/paired.js';
import {
  type IntervalRunResult,
  intervalJson,
  intervalTable,
  observableSigmas,
  runPolicyInterval,
} from '../src/experiment/run-interval.js';
import { observedTotal } from '../src/report/observed.js';
import { intervalRunResultSchema } from '../src/report/run-result.js';
import { defaultScenario } from '../src/scenario/default.js';
import type { Policy } from '../src/spec/scenario.js';

const scenario = defaultScenario();
const policy: Policy = { name: 'moud', levers: [{ lever: 'moud-capacity', intensity: 500000 }] };
const loaded = loadAcceptedSets();
const fit = loadErrorSigmas();
const n = PAIRED_DEFAULTS.runReplicates;

type Rec = {
  year: number;
  observable?: Record<string, number>;
  bands: { deaths: { total: Record<string, number> } };
};

/** The JSON without the observable additions. */
function withoutObservable(r: IntervalRunResult): unknown {
  const doc = JSON.parse(intervalJson(r));
  delete doc.observable;
  for (const a of doc.annual) delete a.observable;
  return doc;
}

describe('observable band of crossroads run', () => {
  it('matches the shipped accepted sets to the posterior sigmas row for row', () => {
    expect(fit).not.toBeNull();
    const sigmas = observableSigmas(loaded.accepted, fit!);
    expect(sigmas).toHaveLength(fit!.sets.length);
    expect(sigmas).toEqual(fit!.sigmas.map((s) => s[fit!.sigmaIds.indexOf('sigma.total')]));
    // Sets that are not the posterior's (reordered) do not match: no band rather than a wrong one.
    const shuffled = { ...loaded.accepted!, sets: [...loaded.accepted!.sets].reverse() };
    expect(observableSigmas(shuffled, fit!)).toBeNull();
    expect(observableSigmas(null, fit!)).toBeNull();
  });

  it('adds the band and changes nothing else; is wider than the model band; coverage from data', async () => {
    const base = { scenario, policy, n, seed: 1, accepted: loaded.accepted };
    const plain = await runPolicyInterval(base);
    const r = await runPolicyInterval({ ...base, errorSigmas: fit }, { chunkSize: 7 });
    expect(plain.observable).toBeUndefined();
    // Only additions: every existing number is bit-identical.
    expect(withoutObservable(r)).toEqual(JSON.parse(intervalJson(plain)));

    const annual = r.annual as Rec[];
    const cf = r.counterfactual.annual as Rec[];
    const history = annual.filter((a) => observedTotal(a.year) !== undefined);
    expect(history.map((a) => a.year)).toEqual(r.observable!.years);
    expect(history.length).toBeGreaterThanOrEqual(10);
    let inside = 0;
    annual.forEach((a, i) => {
      if (observedTotal(a.year) === undefined) {
        expect(a.observable).toBeUndefined();
        return;
      }
      const o = a.observable!;
      const m = cf[i].bands.deaths.total;
      expect(Object.keys(o)).toEqual(['p5', 'p25', 'p50', 'p75', 'p95']);
      // Observation and structural error widen the model's band (no-new-policy arm) on both sides.
      expect(o.p5).toBeLessThan(m.p5);
      expect(o.p95).toBeGreaterThan(m.p95);
      const cdc = observedTotal(a.year)!;
      if (cdc >= o.p5 && cdc <= o.p95) inside++;
    });
    expect(r.observable!.inside90).toBe(inside);
    expect(r.observable!.coverage90).toBeCloseTo(inside / history.length, 12);

    // The table shows the band beside the CDC count and the coverage just computed.
    const table = intervalTable(r);
    expect(table).toMatch(/CDC observed {2}observable p5\.\.p95/);
    expect(table).toContain(
      `in ${inside} of ${history.length} years ${history[0].year}-${history[history.length - 1].year} (${Math.round((100 * inside) / history.length)}%)`,
    );
    expect(intervalTable(plain)).not.toMatch(/observable/);
    intervalRunResultSchema().parse(JSON.parse(intervalJson(r)));

    // Chunking does not change the band (merged exactly in chunk order).
    const again = await runPolicyInterval({ ...base, errorSigmas: fit });
    expect(again.annual.map((a) => (a as Rec).observable)).toEqual(annual.map((a) => a.observable));
  });

  it('is absent when the accepted sets are not the posterior sets', async () => {
    const r = await runPolicyInterval({ scenario, policy, n: 8, seed: 1, accepted: null, errorSigmas: fit });
    expect(r.observable).toBeUndefined();
    expect((r.annual as Rec[]).every((a) => a.observable === undefined)).toBe(true);
  });
});
