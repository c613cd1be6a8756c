/**
 * Lever declarations (data/levers/*.json) are parsed with zod at load, each effect kind by its own
 * handler: a misspelt field, kind, channel, select field, target or parameter id is an error naming
 * the lever and the value, never a silent no-op. And every shipped lever (and target) moves the model.
 */
import { describe, expect, it } from 'vitest';
import demand from '../data/levers/demand.json' with { type: 'json' };
import risk from '../data/levers/risk.json' with { type: 'json' };
import supply from '../data/levers/supply.json' with { type: 'json' };
import { CrossroadsError } from '../src/core/errors.js';
import { runModel } from '../src/engine/run.js';
import { HEALTH_CHANNELS } from '../src/model/health-channels.js';
import { leverCatalogue, parseLeverDeclarations } from '../src/model/levers.js';
import { SUPPLY_EFFECT_HANDLERS } from '../src/model/supply/lever-effects.js';
import { MARKET_EFFECT_HANDLERS } from '../src/model/supply/market-levers.js';
import { defaultScenario } from '../src/scenario/default.js';
import { noPolicy } from '../src/scenario/resolve.js';

type Raw = Record<string, unknown> & { effect: Record<string, unknown> };

/** The shipped files with one supply or demand lever changed by `edit`. */
function files(leverId: string, edit: (lever: Raw) => void) {
  const d = structuredClone(demand) as unknown as { levers: Raw[] };
  const s = structuredClone(supply) as unknown as { levers: Raw[] };
  const r = structuredClone(risk) as unknown as { levers: Raw[] };
  const lever = [...d.levers, ...s.levers, ...r.levers].find((l) => l.id === leverId);
  if (!lever) throw new Error(`no lever ${leverId}`);
  edit(lever);
  return [
    { name: 'data/levers/demand.json', content: d },
    { name: 'data/levers/supply.json', content: s },
    { name: 'data/levers/risk.json', content: r },
  ];
}

/** The error message of parsing the edited declarations (fails the test if they parse). */
function errorOf(leverId: string, edit: (lever: Raw) => void): string {
  try {
    parseLeverDeclarations(files(leverId, edit));
  } catch (err) {
    expect(err).toBeInstanceOf(CrossroadsError);
    return (err as Error).message;
  }
  throw new Error('expected the declarations to be refused');
}

describe('lever declarations', () => {
  it('parse as shipped: every lever has an effect kind with a handler', () => {
    const levers = parseLeverDeclarations(files('naloxone', () => {}));
    expect(levers.map((l) => l.id)).toEqual([...leverCatalogue().keys()]);
    const kinds = new Set(levers.map((l) => l.effect.kind));
    expect([...kinds].sort()).toEqual(
      [
        'health-channel',
        'conflict-channel',
        'risk-easing',
        ...SUPPLY_EFFECT_HANDLERS.keys(),
        ...MARKET_EFFECT_HANDLERS.keys(),
      ].sort(),
    );
  });

  it('refuse a market lever with targets or a channel outside "market."', () => {
    const msg = errorOf('cocaine-treatment', (l) => {
      l.channel = 'health.cocaineTreatment';
      l.targets = ['US'];
    });
    expect(msg).toContain('lever cocaine-treatment');
    expect(msg).toContain('"health.cocaineTreatment"');
    expect(msg).toContain('a channel under "market."');
    expect(msg).toContain('no targets');
  });

  it('refuse a market lever naming an undeclared parameter', () => {
    const msg = errorOf('domestic-enforcement', (l) => {
      (l.effect as { elasticityParameter: string }).elasticityParameter = 'market.nope';
    });
    expect(msg).toContain('effect.elasticityParameter');
    expect(msg).toContain('"market.nope"');
  });

  it('refuse a misspelt demand channel, naming the lever and the value', () => {
    const msg = errorOf('naloxone', (l) => {
      l.channel = 'health.naloxonKits';
    });
    expect(msg).toContain('lever naloxone');
    expect(msg).toContain('"health.naloxonKits"');
    expect(msg).toContain(HEALTH_CHANNELS.naloxoneKits);
  });

  it('refuse a misspelt effect kind', () => {
    const msg = errorOf('maritime-interdiction', (l) => {
      l.effect.kind = 'detecton';
    });
    expect(msg).toMatch(
      /lever maritime-interdiction\)\.effect\.kind: got "detecton", expected one of .*detection/,
    );
  });

  it('refuse a misspelt select field', () => {
    const msg = errorOf('vessel-strikes', (l) => {
      l.effect.select = { on: 'edges', field: 'corridr' };
    });
    expect(msg).toMatch(
      /lever vessel-strikes\)\.effect\.select\.field: got "corridr", expected one of "corridor"/,
    );
  });

  it('refuse a misspelt target, and a fixed select value that selects nothing', () => {
    const msg = errorOf('maritime-interdiction', (l) => {
      l.targets = ['eastern-pacific', 'carribean', 'atlantic'];
    });
    expect(msg).toMatch(/lever maritime-interdiction\)\.targets\[1\]: got "carribean", expected a corridor/);
    const fixed = errorOf('port-inspection', (l) => {
      l.effect.select = { on: 'edges', field: 'checkpoint', value: 'port-of-entry' };
    });
    expect(fixed).toMatch(/lever port-inspection\)\.effect\.select\.value: got "port-of-entry"/);
    // Vessel strikes select maritime legs only: a land corridor is no target for them.
    const land = errorOf('vessel-strikes', (l) => {
      l.targets = ['eastern-pacific', 'air'];
    });
    expect(land).toMatch(
      /lever vessel-strikes\)\.targets\[1\]: got "air", expected a corridor of some maritime leg/,
    );
    const country = errorOf('production-strikes', (l) => {
      l.targets = ['CO', 'XX'];
    });
    expect(country).toMatch(/lever production-strikes\)\.targets\[1\]: got "XX"/);
  });

  it('refuse a misspelt parameter id (effect and cost)', () => {
    const msg = errorOf('maritime-interdiction', (l) => {
      l.effect.hazardParameter = 'supply.maritimeHazardPerVessel';
    });
    expect(msg).toMatch(
      /lever maritime-interdiction\)\.effect\.hazardParameter: got "supply.maritimeHazardPerVessel", expected the id of a declared parameter/,
    );
    const byCommodity = errorOf('production-strikes', (l) => {
      l.effect.capacityParameter = { cocaine: 'supply.cocaineCapacityPerStrikeKgYear', fentanil: 'x' };
    });
    expect(byCommodity).toMatch(/lever production-strikes\)\.effect\.capacityParameter: got "fentanil"/);
    const cost = errorOf('naloxone', (l) => {
      l.costParameter = 'cost.naloxoneKits';
    });
    expect(cost).toMatch(/lever naloxone\)\.costParameter: got "cost.naloxoneKits"/);
  });

  it('refuse a misspelt or unknown field of an effect or a lever', () => {
    const msg = errorOf('precursor-controls', (l) => {
      l.effect.rateParamter = l.effect.rateParameter;
      delete l.effect.rateParameter;
    });
    expect(msg).toContain('lever precursor-controls');
    expect(msg).toContain('rateParamter');
    const top = errorOf('naloxone', (l) => {
      l.target = 'x';
    });
    expect(top).toMatch(/lever naloxone\).*no unknown keys/);
  });

  it('refuse a supply channel without {target} on a lever with targets, and channels fed twice', () => {
    const msg = errorOf('vessel-strikes', (l) => {
      l.channel = 'supply.vesselStrikes';
    });
    expect(msg).toMatch(
      /lever vessel-strikes\)\.channel: got "supply.vesselStrikes", expected a channel containing \{target\}/,
    );
    const twice = errorOf('prevention', (l) => {
      l.channel = HEALTH_CHANNELS.naloxoneKits;
    });
    expect(twice).toMatch(/lever prevention\)\.channel: .*lever naloxone feeds it already/);
  });
});

describe('every shipped lever moves the model', () => {
  const scenario = defaultScenario();
  const base = runModel({ scenario, policy: noPolicy(), seed: 5 });
  const fingerprint = (o: ReturnType<typeof runModel>) =>
    // Conflict outcomes too: the leadership-capture lever acts on violence only.
    JSON.stringify([
      o.annual.map((a) => a.deaths.total),
      o.supply,
      o.annual.map((a) => (a as unknown as { conflict: unknown }).conflict),
    ]);
  // A diplomacy lever eases tension: it moves the model where there is tension to ease, so it is
  // tried beside strikes that raise it (on the target's soil, at sea for partners), against those alone.
  const grievance = (target: string | undefined) => [
    { lever: 'vessel-strikes', target: 'caribbean', intensity: 100, start: '2026-01' },
    { lever: 'vessel-strikes', target: 'eastern-pacific', intensity: 100, start: '2026-01' },
    {
      lever: 'production-strikes',
      target: target && ['VE', 'CO', 'PE', 'BO', 'MX'].includes(target) ? target : 'VE',
      intensity: 50,
      start: '2026-01',
    },
  ];
  const risks = (o: ReturnType<typeof runModel>) =>
    JSON.stringify(o.annual.map((a) => (a as unknown as { risk: unknown }).risk));
  for (const def of leverCatalogue().values()) {
    for (const target of def.targets ?? [undefined]) {
      it(`${def.id}${target ? ` (${target})` : ''}`, () => {
        const policy = {
          name: def.id,
          levers: [{ lever: def.id, target, intensity: def.max / 2, start: '2026-01' }],
        };
        if (def.effect.kind === 'risk-easing') {
          const alone = { name: 'grievance', levers: grievance(target) };
          const eased = { name: def.id, levers: [...alone.levers, ...policy.levers] };
          const a = runModel({ scenario, policy: alone, seed: 5 });
          const b = runModel({ scenario, policy: eased, seed: 5 });
          expect(risks(b)).not.toBe(risks(a));
          return;
        }
        const out = runModel({ scenario, policy, seed: 5 });
        expect(fingerprint(out)).not.toBe(fingerprint(base));
      });
    }
  }
});
