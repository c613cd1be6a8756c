/**
 * The lever channels the conflict module reads, and the `conflict-channel` effect kind of the
 * financial-sanctions, official-sanctions and leadership-capture levers (data/levers/supply.json): a
 * lever of this kind adds its intensity to one of these channels; the conflict module's parameters
 * (data/parameters/conflict.json) say what a unit does. A channel not listed here would reach nothing,
 * so it is an error when the catalogue loads.
 */

import { z } from 'zod';
import type { InputIssue } from '../../core/errors.js';
import type { EffectHandler } from '../lever-effect.js';

/** Channel names (templates with `{target}`, a country code) read by the conflict module. */
export const CONFLICT_CHANNELS = {
  /** Sanctions on laundering networks (one national intensity). */
  laundering: 'finance.laundering',
  /** Sanctions on a country's officials; the risk module's tension reads the same channel. */
  officials: 'finance.officials.{target}',
  /** Leadership captures per year in a country. */
  captures: 'conflict.captures.{target}',
} as const;

const TEMPLATES: ReadonlySet<string> = new Set(Object.values(CONFLICT_CHANNELS));

const ConflictChannelEffect = z.object({ kind: z.literal('conflict-channel') }).strict();

/** A lever whose intensity feeds a channel the conflict module reads. */
export const conflictChannelHandler: EffectHandler<z.infer<typeof ConflictChannelEffect>> = {
  kind: 'conflict-channel',
  schema: ConflictChannelEffect,
  check(lever) {
    const issues: InputIssue[] = [];
    if (!TEMPLATES.has(lever.channel))
      issues.push({
        path: 'channel',
        value: lever.channel,
        expected: `a channel the conflict module reads (${[...TEMPLATES].join(', ')})`,
      });
    const targeted = lever.channel.includes('{target}');
    if (targeted && !lever.targets)
      issues.push({
        path: 'targets',
        value: undefined,
        expected: 'country codes (the channel has {target})',
      });
    if (!targeted && lever.targets)
      issues.push({
        path: 'targets',
        value: lever.targets,
        expected: 'no targets (the channel is national)',
      });
    (lever.targets ?? []).forEach((t, i) => {
      if (!/^[A-Z]{2}$/.test(t))
        issues.push({ path: `targets[${i}]`, value: t, expected: 'a two-letter country code' });
    });
    return issues;
  },
};
