/**
 * The lever channels the health module reads (health.ts binds them at its first step), and the
 * `health-channel` effect kind of the demand levers (data/levers/demand.json): a lever of this kind
 * adds its intensity to one of these channels, and the health module's parameters say what a unit
 * does. A channel not listed here would reach nothing, so it is an error at load.
 */

import { z } from 'zod';
import type { EffectHandler } from './lever-effect.js';

/** Channel names read by the health module. */
export const HEALTH_CHANNELS = {
  moudSlots: 'health.moudSlots',
  naloxoneKits: 'health.naloxoneKits',
  preventionParticipants: 'health.preventionParticipants',
  testStrips: 'health.testStrips',
} as const;

const CHANNELS: ReadonlySet<string> = new Set(Object.values(HEALTH_CHANNELS));

const HealthChannelEffect = z.object({ kind: z.literal('health-channel') }).strict();

/** A demand lever: its intensity feeds a channel the health module reads. */
export const healthChannelHandler: EffectHandler<z.infer<typeof HealthChannelEffect>> = {
  kind: 'health-channel',
  schema: HealthChannelEffect,
  check(lever) {
    const issues = [];
    if (!CHANNELS.has(lever.channel))
      issues.push({
        path: 'channel',
        value: lever.channel,
        expected: `a channel the health module reads (${[...CHANNELS].join(', ')})`,
      });
    if (lever.targets)
      issues.push({
        path: 'targets',
        value: lever.targets,
        expected: 'no targets (a health channel acts nationally)',
      });
    return issues;
  },
};
