/**
 * The risk module's shipped data: the countries it follows (data/risk/actors.json) and its parameter
 * declarations (data/parameters/risk.json), validated when this module loads.
 */

import { z } from 'zod';
import riskParameters from '../../../data/parameters/risk.json' with { type: 'json' };
import actorsFile from '../../../data/risk/actors.json' with { type: 'json' };
import { CrossroadsError } from '../../core/errors.js';
import { zodIssues } from '../../spec/issues.js';

const ActorSchema = z
  .object({
    id: z.string().regex(/^[A-Z]{2}$/, 'a two-letter country code'),
    label: z.string().min(1),
    regional: z.boolean().optional(),
    partner: z.boolean().optional(),
    border: z.boolean().optional(),
    rivalTies: z.boolean().optional(),
  })
  .strict();
export type Actor = z.infer<typeof ActorSchema>;

const ActorsFileSchema = z
  .object({ $comment: z.string().optional(), actors: z.array(ActorSchema).min(1) })
  .strict();

function parseActors(raw: unknown): Actor[] {
  const parsed = ActorsFileSchema.safeParse(raw);
  if (!parsed.success)
    throw new CrossroadsError(
      'model/risk',
      zodIssues(parsed.error, raw, 'data/risk/actors.json'),
      'bad actors',
    );
  return parsed.data.actors;
}

/** The countries the risk module follows, in declared order. */
export const ACTORS: readonly Actor[] = parseActors(actorsFile);

/** The risk parameter declarations, without `$` keys. */
export function riskParameterFile(): Record<string, unknown> {
  return riskParameters as Record<string, unknown>;
}
