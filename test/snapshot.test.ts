/**
 * Seeded snapshots, tied to MODEL_VERSION: results for a fixed scenario, policy and seed must not
 * change unless the model version changes. A snapshot file is written once per model version
 * (CROSSROADS_WRITE_SNAPSHOT=1) and never overwritten: a change in results needs a new version.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../src/cli/inputs.js';
import { hashValue } from '../src/core/hash.js';
import { runPolicy } from '../src/report/run-result.js';
import { defaultScenario } from '../src/scenario/default.js';
import { MODEL_VERSION, PACKAGE_VERSION } from '../src/version.js';

const file = join(import.meta.dirname, 'snapshots', `${MODEL_VERSION}.json`);

/**
 * Records as hashed in the snapshot. Since strikes by sovereignty became a declared outcome family,
 * every sovereignty of the network is recorded, zeros included; the supply-8 snapshot was taken when
 * only sovereignties with strikes appeared, so zero entries are left out of the hash (every value
 * that existed then is still hashed, bit for bit).
 */
function asSnapshotted(records: unknown[]): unknown[] {
  return records.map((r) => {
    const rec = structuredClone(r) as { supply: { strikes: { bySovereignty: Record<string, number> } } };
    const by = rec.supply.strikes.bySovereignty;
    for (const k of Object.keys(by)) if (by[k] === 0) delete by[k];
    return rec;
  });
}

function digest() {
  const scenario = defaultScenario();
  const cases = [
    { policy: 'none', seed: 1 },
    { policy: 'demand-package', seed: 1 },
    { policy: 'demand-package', seed: 123456789 },
  ];
  return cases.map(({ policy, seed }) => {
    const r = runPolicy(scenario, loadPolicy(policy, scenario), seed);
    return {
      policy,
      seed,
      totals: r.annual.map((a) => a.deaths.total),
      averted: r.summary.deaths.averted,
      resultHash: hashValue({
        annual: asSnapshotted(r.annual),
        counterfactual: { annual: asSnapshotted(r.counterfactual.annual) },
        summary: r.summary,
      }),
    };
  });
}

describe(`seeded snapshot for model version ${MODEL_VERSION}`, () => {
  it('matches the stored snapshot bit for bit', () => {
    const now = digest();
    if (!existsSync(file)) {
      if (process.env.CROSSROADS_WRITE_SNAPSHOT === '1') {
        writeFileSync(file, `${JSON.stringify({ modelVersion: MODEL_VERSION, cases: now }, null, 1)}\n`);
      }
      throw new Error(
        `no snapshot for model version ${MODEL_VERSION}: run CROSSROADS_WRITE_SNAPSHOT=1 npx vitest run test/snapshot.test.ts once, review and commit it`,
      );
    }
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    expect(stored.modelVersion).toBe(MODEL_VERSION);
    expect(now).toEqual(stored.cases);
  });
  it('package.json version matches the version in results', () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8'));
    expect(pkg.version).toBe(PACKAGE_VERSION);
  });
});
