/**
 * Model check: the corners of the declared ranges of the supply and market parameters. Morris
 * screening visits the ends of every range; the model must stay a model there: every outcome
 * finite, deaths and populations non-negative, the street-supply interface within bounds the
 * market model itself implies (below).
 *
 * The worlds checked: the corner Morris found (`crossroads sensitivity --method morris -n 2 --seed 1`,
 * design row 43: accepted calibration set 133, `supply.routeChoiceTemperature` at its lower bound,
 * `market.cocaineElasticityOther` = -0.6, `market.cocaineElasticityUs` ~ -1.53), the same three values
 * with every other parameter at its declared value, every supply and market parameter at its lower
 * bound, at its upper bound, and seeded random corners (each ranged supply or market parameter at one
 * end, chosen by a seeded generator, with one accepted calibration set drawn per corner).
 */

import { describe, expect, it } from 'vitest';
import { Xoshiro128 } from '../src/core/rng.js';
import { type RunOutput, runModel } from '../src/engine/run.js';
import { checkAcceptedSets } from '../src/experiment/sampling.js';
import { DEFAULTS } from '../src/model/supply/state.js';
import { defaultScenario } from '../src/scenario/default.js';
import { noPolicy } from '../src/scenario/resolve.js';
import { shippedAcceptedData } from '../src/scenario/shipped.js';

const scenario = defaultScenario();
const accepted = checkAcceptedSets(shippedAcceptedData(), 'data/calibration/accepted.json');
const acceptedSet = (k: number): Record<string, number> =>
  Object.fromEntries(accepted.parameters.map((id, j) => [id, accepted.sets[k][j]]));
/** Set 133 of the shipped sets when the Morris corner was found; a recalibration may ship fewer. */
const morrisSet = Math.min(133, accepted.sets.length - 1);

/** Every supply and market parameter with a non-degenerate declared range, by id. */
const ranged = Object.keys(scenario.parameters)
  .filter((id) => /^(supply|market)\./.test(id))
  .filter((id) => {
    const r = scenario.parameters[id].range;
    return r !== undefined && r[1] > r[0];
  })
  .sort();
const end = (id: string, hi: boolean) => scenario.parameters[id].range![hi ? 1 : 0];

const morrisCorner = {
  'supply.routeChoiceTemperature': 0.04,
  'market.cocaineElasticityOther': -0.6,
  'market.cocaineElasticityUs': -1.5253205655191038,
};

const worlds: { name: string; parameters: Record<string, number> }[] = [
  {
    name: 'Morris design row 43 (accepted set 133)',
    parameters: { ...acceptedSet(morrisSet), ...morrisCorner },
  },
  { name: 'the same supply corner, declared health values', parameters: { ...morrisCorner } },
  {
    name: 'every supply/market parameter at its lower bound',
    parameters: Object.fromEntries(ranged.map((id) => [id, end(id, false)])),
  },
  {
    name: 'every supply/market parameter at its upper bound',
    parameters: Object.fromEntries(ranged.map((id) => [id, end(id, true)])),
  },
];
const g = Xoshiro128.fromSeed(2026, 0);
for (let i = 0; i < 32; i++) {
  const parameters: Record<string, number> = acceptedSet(g.nextU32() % accepted.sets.length);
  for (const id of ranged) parameters[id] = end(id, (g.nextU32() & 1) === 1);
  worlds.push({ name: `random corner ${i}`, parameters });
}

/**
 * Bounds of the street-supply interface in the projection, relative to the last historical month
 * (December 2025), which the market's values are normalised to:
 * - availability: at most ratioHigh / ratioLow = 16 times the last historical value. The market
 *   prices supply/demand ratios only within [ratioLow, ratioHigh] (DEFAULTS); a move of the street
 *   beyond that span is not something the market model represents.
 * - retail price: at most the dearest retail price the market can clear relative to the cheapest.
 *   Retail = reference retail + (wholesale - reference wholesale) (additive markups); wholesale is at
 *   most costCapMultiple x reference wholesale x the largest scarcity factor ratioLow^(1/eps) over
 *   the declared elasticity ranges, and retail is at least reference retail - reference wholesale.
 * - potency and adulteration are shares in [0, 1].
 */
function streetBounds(): { availability: number; price: number } {
  const maxScarcity = Math.max(
    ...['market.cocaineElasticityUs', 'market.cocaineElasticityOther', 'market.fentanylElasticity'].map(
      (id) => DEFAULTS.ratioLow ** (1 / end(id, true)),
    ),
  );
  let price = 0;
  for (const net of Object.values(scenario.network)) {
    const us = net.nodes.find((n) => n.market?.us)!.market!;
    const hi =
      us.retailUsdPerKg -
      us.wholesaleUsdPerKg +
      DEFAULTS.costCapMultiple * us.wholesaleUsdPerKg * maxScarcity;
    price = Math.max(price, hi / (us.retailUsdPerKg - us.wholesaleUsdPerKg));
  }
  return { availability: DEFAULTS.ratioHigh / DEFAULTS.ratioLow, price };
}

function problems(out: RunOutput): string[] {
  const found: string[] = [];
  out.values.forEach((v, i) => {
    if (!Number.isFinite(v)) found.push(`value ${i} (${out.outcomes[i % out.outcomes.length]?.id}) = ${v}`);
  });
  for (const [k, v] of Object.entries(out.monthly!)) {
    if (k === 'month') continue;
    (v as number[]).forEach((x, t) => {
      if (!(Number.isFinite(x) && x >= 0)) found.push(`monthly ${k}[${t}] = ${x}`);
    });
  }
  if (!(out.minCompartment >= 0)) found.push(`smallest compartment ${out.minCompartment}`);
  const bounds = streetBounds();
  const last = out.annual.find((a) => a.year === Number(scenario.policyStart.slice(0, 4)) - 1)!;
  for (const a of out.annual) {
    for (const [k, v] of Object.entries(a.deaths)) if (!(v >= 0)) found.push(`${a.year} deaths.${k} = ${v}`);
    for (const [k, v] of Object.entries(a.population))
      if (!(v >= 0)) found.push(`${a.year} population.${k} = ${v}`);
    if (a.year <= last.year) continue;
    for (const [c, s] of Object.entries(a.streetSupply)) {
      const ref = last.streetSupply[c];
      if (!(s.availability >= 0 && s.availability <= bounds.availability * ref.availability))
        found.push(`${a.year} ${c} availability ${s.availability} (last historical ${ref.availability})`);
      if (!(s.priceIndex > 0 && s.priceIndex <= bounds.price * ref.priceIndex))
        found.push(`${a.year} ${c} price index ${s.priceIndex} (last historical ${ref.priceIndex})`);
      if (!(s.potency >= 0 && s.potency <= 1)) found.push(`${a.year} ${c} potency ${s.potency}`);
      if (!(s.fentanylAdulteration >= 0 && s.fentanylAdulteration <= 1))
        found.push(`${a.year} ${c} adulteration ${s.fentanylAdulteration}`);
    }
  }
  return found;
}

describe('supply: corners of the declared ranges', () => {
  it('covers every ranged supply and market parameter, and the corner Morris found', () => {
    expect(ranged.length).toBeGreaterThan(30);
    expect(ranged).toContain('supply.routeChoiceTemperature');
    expect(end('supply.routeChoiceTemperature', false)).toBe(0.04);
    expect(end('market.cocaineElasticityOther', true)).toBe(-0.6);
  });

  for (const w of worlds) {
    it(`${w.name}: outcomes finite, deaths and populations >= 0, street supply within bounds`, () => {
      const out = runModel({
        scenario,
        policy: noPolicy(),
        seed: 1,
        stochastic: false,
        parameters: w.parameters,
        monthly: true,
      });
      expect(problems(out).slice(0, 5)).toEqual([]);
    });
  }
});
