/**
 * The contract of a lever effect kind. Every lever declaration (data/levers/*.json) names the kind of
 * its effect; the handler of that kind declares the effect's fields (a strict zod schema) and checks
 * what the schema cannot: that the values it selects and the parameters it names exist. The catalogue
 * (levers.ts) dispatches on `effect.kind` through a registry of handlers, never on lever ids; the
 * module that owns the channel implements the monthly response (the supply kinds also bind the
 * effect to a run, see supply/lever-effects.ts).
 */

import type { z } from 'zod';
import type { InputIssue } from '../core/errors.js';

/** The fields every lever declaration has (besides its effect). */
/** The strategy's prongs, which group the levers in the dashboard. */
export const PRONGS = ['military', 'financial', 'border', 'demand', 'diplomacy', 'enforcement'] as const;
export type Prong = (typeof PRONGS)[number];

export interface LeverBase {
  id: string;
  /** The prong of the strategy the lever belongs to. */
  prong: Prong;
  label: string;
  unit: string;
  min: number;
  max: number;
  costParameter: string;
  /** Effect channel; may contain `{target}`, replaced by the target id. */
  channel: string;
  description: string;
  targets?: string[];
}

/** What a handler may check a declaration against: the declared parameter ids. */
export interface LeverCheckContext {
  parameterIds: ReadonlySet<string>;
}

/** A handler of one effect kind. */
export interface EffectHandler<E extends { kind: string } = { kind: string }> {
  kind: E['kind'];
  /** The effect's fields, `kind` included (strict: an unknown or misspelt field is an error). */
  schema: z.ZodType<E>;
  /**
   * Problems with a parsed declaration the schema cannot see (paths relative to the lever, such as
   * `targets[1]` or `effect.hazardParameter`): a channel or target that reaches nothing, an unknown
   * parameter id.
   */
  check(lever: LeverBase, effect: E, context: LeverCheckContext): InputIssue[];
}

/** An issue for each parameter id in `ids` (path -> id) that is not declared. */
export function unknownParameters(ids: Record<string, string>, context: LeverCheckContext): InputIssue[] {
  return Object.entries(ids)
    .filter(([, id]) => !context.parameterIds.has(id))
    .map(([path, id]) => ({ path, value: id, expected: 'the id of a declared parameter (data/parameters)' }));
}
