/**
 * The dashboard's run orchestration (web/src/explorer.ts) with in-thread runners: the single paired
 * run is the library's own, bit for bit; the fan's bands come from the same chunks an ensemble runs;
 * a newer request cancels the older fan; the actions table is fed only when the run document has them.
 */

import { describe, expect, it } from 'vitest';
import {
  defaultScenario,
  InThreadRunner,
  type ModelRunner,
  noPolicy,
  type RunRequest,
  shippedPolicy,
} from '../src/index.js';
import { Explorer, FAN, type Fan, type SingleView } from '../web/src/explorer.js';

const scenario = defaultScenario();

function collect(fast: ModelRunner, fan: ModelRunner = new InThreadRunner()) {
  const singles: SingleView[] = [];
  const fans: { fan: Fan; n: number; view: SingleView }[] = [];
  const actions: unknown[] = [];
  const errors: unknown[] = [];
  const ex = new Explorer(fast, fan, scenario, {
    single: (v) => singles.push(v),
    fan: (f, v) => fans.push({ fan: f, n: f.n, view: v }),
    actions: (a) => actions.push(a),
    error: (e) => errors.push(e),
  });
  return { ex, singles, fans, actions, errors };
}

const until = async (f: () => boolean, ms = 60_000) => {
  const t = Date.now();
  while (!f()) {
    if (Date.now() - t > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('dashboard explorer', () => {
  it('draws the library paired run, then a fan of FAN.n paired replicates', async () => {
    const c = collect(new InThreadRunner());
    const policy = shippedPolicy('demand-package', scenario);
    c.ex.request(policy, 3);
    await until(() => c.fans.length > 0 && c.fans[c.fans.length - 1].n === FAN.n);
    expect(c.errors).toEqual([]);
    expect(c.singles).toHaveLength(1);
    const [p, b] = new InThreadRunner().runPairedSync({ scenario, policy, seed: 3 }, noPolicy());
    expect(c.singles[0].policy).toEqual(p.values);
    expect(c.singles[0].base).toEqual(b.values);
    // The fan grows chunk by chunk; its cells hold both arms and the paired difference.
    expect(c.fans.map((f) => f.n)).toEqual(
      Array.from({ length: FAN.n / FAN.chunk }, (_, i) => (i + 1) * FAN.chunk),
    );
    const fan = c.fans[c.fans.length - 1].fan;
    const k = c.singles[0].index.get('deaths.total') as number;
    const cell = (c.singles[0].years.length - 1) * c.singles[0].outcomes.length + k;
    const a = fan.values(0, cell);
    const z = fan.values(1, cell);
    const d = fan.values(2, cell);
    expect(a).toHaveLength(FAN.n);
    for (let r = 0; r < FAN.n; r++) expect(d[r]).toBeCloseTo(a[r] - z[r], 6);
    expect(new Set(a).size).toBeGreaterThan(1);
  });

  it('a newer request cancels the older fan and only the newest state is drawn last', async () => {
    const c = collect(new InThreadRunner());
    c.ex.request(shippedPolicy('naloxone-scale-up', scenario), 1);
    c.ex.request(shippedPolicy('moud-expansion', scenario), 1);
    await until(() => c.fans.length > 0 && c.fans[c.fans.length - 1].n === FAN.n);
    const last = c.singles[c.singles.length - 1];
    expect(c.fans.every((f) => f.view === last)).toBe(true);
    expect(c.singles.length).toBeLessThanOrEqual(2);
  });

  it('asks the run document for actions once, and feeds the table only when it has them', async () => {
    let asked = 0;
    const plain = new InThreadRunner();
    // A runner whose run document has no table (as before the risk issue): asked once, never again.
    const without: ModelRunner = Object.assign(Object.create(plain), {
      runPolicy: async (r: RunRequest) => {
        asked++;
        const { actions: _a, actionAttribution: _b, ...doc } = await plain.runPolicy(r);
        return doc;
      },
    });
    const c = collect(without);
    c.ex.request(shippedPolicy('demand-package', scenario), 1);
    await until(() => asked === 1 && c.fans.length > 0);
    c.ex.request(shippedPolicy('vessel-strikes', scenario), 1);
    await until(
      () => c.singles.length === 2 && c.fans.length > 0 && c.fans[c.fans.length - 1].view === c.singles[1],
    );
    expect(asked).toBe(1);
    expect(c.actions).toEqual([]);

    // The in-thread runner's document carries the table: one row per action, as `run -n 1` prints it.
    const d = collect(plain);
    d.ex.request(shippedPolicy('vessel-strikes', scenario), 1);
    await until(() => d.actions.length === 1);
    const rows = d.actions[0] as { name: string; intended: unknown[]; risk: { outcome: string }[] }[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.intended.length > 0 && r.risk.length > 0)).toBe(true);
    expect(rows.some((r) => r.risk.some((e) => e.outcome.startsWith('risk.')))).toBe(true);
  });
});
