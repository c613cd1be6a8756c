/**
 * The `risk-easing` effect kind (data/levers/risk.json): a lever of this kind adds its intensity to a
 * channel `risk.<name>.{target}` the risk module reads; each unit of intensity times `perUnit` times
 * the named parameter is an extra monthly easing rate of the tension with the target country.
 * Targets must be countries the risk module follows (data/risk/actors.json).
 */

import { z } from 'zod';
import type { InputIssue } from '../../core/errors.js';
import type { EffectHandler } from '../lever-effect.js';
import { unknownParameters } from '../lever-effect.js';
import { ACTORS } from './data.js';

const RiskEasingEffect = z
  .object({
    kind: z.literal('risk-easing'),
    /** Parameter: extra monthly easing rate per (intensity x perUnit). */
    easingParameter: z.string().min(1),
    /** Scale of the intensity (e.g. 0.01: per USD 100 million when the unit is USD million). */
    perUnit: z.number().positive(),
  })
  .strict();
export type RiskEasingEffect = z.infer<typeof RiskEasingEffect>;

const ACTOR_IDS: ReadonlySet<string> = new Set(ACTORS.map((a) => a.id));

/** A diplomacy lever: eases the tension with its target country. */
export const riskEasingHandler: EffectHandler<RiskEasingEffect> = {
  kind: 'risk-easing',
  schema: RiskEasingEffect,
  check(lever, effect, context) {
    const issues: InputIssue[] = [
      ...unknownParameters({ 'effect.easingParameter': effect.easingParameter }, context),
    ];
    if (!/^risk\.[a-z-]+\.\{target\}$/.test(lever.channel))
      issues.push({ path: 'channel', value: lever.channel, expected: 'a risk channel risk.<name>.{target}' });
    if (!lever.targets)
      issues.push({ path: 'targets', value: undefined, expected: 'the countries it may target' });
    lever.targets?.forEach((t, i) => {
      if (!ACTOR_IDS.has(t))
        issues.push({
          path: `targets[${i}]`,
          value: t,
          expected: `a country the risk module follows (${[...ACTOR_IDS].join(', ')})`,
        });
    });
    return issues;
  },
};
