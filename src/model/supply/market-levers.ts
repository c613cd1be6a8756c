/**
 * Levers that act on a market directly rather than on the trafficking network (issue 12 item 3):
 *
 * - `demand-shift`: treatment of use disorder. A year's treatment episodes remove a share of the US
 *   market's reference demand, with diminishing returns up to a ceiling:
 *   shift = 1 - maxCut x (1 - exp(-episodes x perEpisode / maxCut)). RAND *Controlling Cocaine*
 *   (Rydell & Everingham 1994): treating all heavy users cuts consumption by about a third (the
 *   ceiling); per episode, that third spread over the heavy users (DATA-SHEET sections 7 and 9).
 *   The effect lasts while episodes are funded (contingency management: d = 0.66 during treatment,
 *   no effect at 6 months; DATA-SHEET section 9).
 * - `retail-markup`: domestic drug-law enforcement (street-level arrests and incarceration) raises
 *   dealers' risk and so the retail price: markup = (1 + units / base)^elasticity, the elasticity of
 *   the retail price to the enforcement stock (Kuziemko & Levitt 2004). Consumption then responds
 *   through the demand curve like any other price rise.
 *
 * Each kind declares its fields (zod) and is checked at load like the other kinds; the supply module
 * binds the month-by-month multipliers onto the commodity's US market (markets.ts reads them).
 */

import { z } from 'zod';
import type { InputIssue } from '../../core/errors.js';
import { type EffectHandler, type LeverBase, unknownParameters } from '../lever-effect.js';
import type { CommodityRt } from './state.js';

const Commodity = z.enum(['cocaine', 'fentanyl']);

const DemandShiftEffect = z
  .object({
    kind: z.literal('demand-shift'),
    commodity: Commodity,
    /** Share of reference demand removed per unit of intensity at low intensity. */
    perUnitParameter: z.string().min(1),
    /** Largest share of reference demand the lever can remove. */
    maxCutParameter: z.string().min(1),
  })
  .strict();

const RetailMarkupEffect = z
  .object({
    kind: z.literal('retail-markup'),
    commodity: Commodity,
    /** The existing enforcement stock the intensity adds to (same unit as the intensity). */
    baseParameter: z.string().min(1),
    /** Elasticity of the retail price to the enforcement stock. */
    elasticityParameter: z.string().min(1),
  })
  .strict();

export type DemandShiftEffect = z.infer<typeof DemandShiftEffect>;
export type RetailMarkupEffect = z.infer<typeof RetailMarkupEffect>;
export type MarketLeverEffect = DemandShiftEffect | RetailMarkupEffect;

/** A market lever acts nationally on one market: a `market.` channel, no targets. */
function checkMarketLever(lever: LeverBase): InputIssue[] {
  const issues: InputIssue[] = [];
  if (!lever.channel.startsWith('market.'))
    issues.push({
      path: 'channel',
      value: lever.channel,
      expected: 'a channel under "market." (read by the market)',
    });
  if (lever.targets)
    issues.push({
      path: 'targets',
      value: lever.targets,
      expected: 'no targets (the lever acts on the US market)',
    });
  return issues;
}

const demandShiftHandler: EffectHandler<DemandShiftEffect> = {
  kind: 'demand-shift',
  schema: DemandShiftEffect,
  check: (lever, effect, context) => [
    ...checkMarketLever(lever),
    ...unknownParameters(
      {
        'effect.perUnitParameter': effect.perUnitParameter,
        'effect.maxCutParameter': effect.maxCutParameter,
      },
      context,
    ),
  ],
};

const retailMarkupHandler: EffectHandler<RetailMarkupEffect> = {
  kind: 'retail-markup',
  schema: RetailMarkupEffect,
  check: (lever, effect, context) => [
    ...checkMarketLever(lever),
    ...unknownParameters(
      {
        'effect.baseParameter': effect.baseParameter,
        'effect.elasticityParameter': effect.elasticityParameter,
      },
      context,
    ),
  ],
};

/** The market effect kinds, by kind. */
export const MARKET_EFFECT_HANDLERS: ReadonlyMap<string, EffectHandler> = new Map<string, EffectHandler>([
  ['demand-shift', demandShiftHandler as EffectHandler],
  ['retail-markup', retailMarkupHandler as EffectHandler],
]);

/** A market lever declaration as the binder needs it. */
export interface MarketLever {
  channel: string;
  effect: MarketLeverEffect;
}

/**
 * Bind the market levers whose channels the policy uses onto each commodity's US market: the
 * product of their monthly demand shifts and retail markups (null when no lever acts).
 */
export function bindMarketLevers(
  levers: readonly MarketLever[],
  rts: readonly CommodityRt[],
  channels: ReadonlyMap<string, Float64Array>,
  g: (id: string) => number,
): void {
  for (const lever of levers) {
    const intensity = channels.get(lever.channel);
    if (!intensity) continue;
    const rt = rts.find((r) => r.c.commodity === lever.effect.commodity);
    if (!rt) continue;
    const m = rt.market;
    const e = lever.effect;
    const steps = intensity.length;
    if (e.kind === 'demand-shift') {
      const maxCut = g(e.maxCutParameter);
      const per = g(e.perUnitParameter);
      const out = m.demandShift ?? new Float64Array(steps).fill(1);
      for (let t = 0; t < steps; t++)
        if (intensity[t] > 0 && maxCut > 0)
          out[t] *= 1 - maxCut * (1 - Math.exp((-intensity[t] * per) / maxCut));
      m.demandShift = out;
    } else {
      const base = g(e.baseParameter);
      const eta = g(e.elasticityParameter);
      const out = m.retailMarkup ?? new Float64Array(steps).fill(1);
      for (let t = 0; t < steps; t++)
        if (intensity[t] > 0) out[t] *= Math.exp(eta * Math.log1p(intensity[t] / base));
      m.retailMarkup = out;
    }
  }
}
