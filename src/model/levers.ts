/**
 * Levers: the catalogue (declared in data/levers/*.json) and the plan that turns a policy into
 * monthly effect-channel values and costs. A lever declares its own effect: the channel it feeds and
 * the kind of effect, whose handler (a registry keyed by kind: health-channels.ts for the demand
 * levers, supply/lever-effects.ts for the supply levers) declares the effect's fields and checks them.
 * Declarations are parsed with zod when this module loads; a misspelt field, kind, channel, target
 * or parameter id is an error naming the lever and the value. The engine never switches on lever ids.
 */

import { z } from 'zod';
import demand from '../../data/levers/demand.json' with { type: 'json' };
import risk from '../../data/levers/risk.json' with { type: 'json' };
import supply from '../../data/levers/supply.json' with { type: 'json' };
import conflictParameters from '../../data/parameters/conflict.json' with { type: 'json' };
import healthParameters from '../../data/parameters/health.json' with { type: 'json' };
import riskParameters from '../../data/parameters/risk.json' with { type: 'json' };
import supplyParameters from '../../data/parameters/supply.json' with { type: 'json' };
import { CrossroadsError, fail, type InputIssue } from '../core/errors.js';
import { parseMonth, type TimeAxis } from '../core/time.js';
import { zodIssues } from '../spec/issues.js';
import type { Policy, Scenario } from '../spec/scenario.js';
import { conflictChannelHandler } from './conflict/channels.js';
import { healthChannelHandler } from './health-channels.js';
import type { EffectHandler, LeverBase, LeverCheckContext } from './lever-effect.js';
import { PRONGS, unknownParameters } from './lever-effect.js';
import type { Params } from './params.js';
import { type RiskEasingEffect, riskEasingHandler } from './risk/lever-effects.js';
import { SUPPLY_EFFECT_HANDLERS, type SupplyLeverEffect } from './supply/lever-effects.js';
import { MARKET_EFFECT_HANDLERS, type MarketLeverEffect } from './supply/market-levers.js';

/** A lever declaration. `channel` may contain `{target}`, replaced by the target id. */
export interface LeverDef extends LeverBase {
  effect:
    | { kind: 'health-channel' }
    | { kind: 'conflict-channel' }
    | SupplyLeverEffect
    | MarketLeverEffect
    | RiskEasingEffect;
}

/** The effect handlers by kind; each declares its own kind (a kind declared twice is a programming error). */
function registry(handlers: readonly EffectHandler[]): ReadonlyMap<string, EffectHandler> {
  const out = new Map<string, EffectHandler>();
  for (const h of handlers) {
    if (out.has(h.kind)) throw new Error(`model/levers: effect kind ${h.kind} declared twice`);
    out.set(h.kind, h);
  }
  return out;
}

const EFFECT_HANDLERS = registry([
  healthChannelHandler as EffectHandler,
  ...SUPPLY_EFFECT_HANDLERS.values(),
  ...MARKET_EFFECT_HANDLERS.values(),
  conflictChannelHandler as EffectHandler,
  riskEasingHandler as EffectHandler,
]);

const LeverBaseSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'a lower-case id (letters, digits, hyphens)'),
    prong: z.enum(PRONGS),
    label: z.string().min(1),
    unit: z.string().min(1),
    min: z.number(),
    max: z.number(),
    costParameter: z.string().min(1),
    channel: z.string().min(1),
    description: z.string().min(1),
    targets: z.array(z.string().min(1)).min(1).optional(),
    effect: z.object({ kind: z.string() }).loose(),
  })
  .strict();

const LeverFileSchema = z.object({ $comment: z.string().optional(), levers: z.array(z.unknown()) }).strict();

/** Declared parameter ids (data/parameters/*.json, `$` keys aside). */
const PARAMETER_IDS: ReadonlySet<string> = new Set(
  [
    ...Object.keys(healthParameters),
    ...Object.keys(supplyParameters),
    ...Object.keys(conflictParameters),
    ...Object.keys(riskParameters),
  ].filter((k) => !k.startsWith('$')),
);

/** One lever declaration: the common fields, then its kind's own fields and checks. */
function parseLever(raw: unknown, context: LeverCheckContext): { lever?: LeverDef; issues: InputIssue[] } {
  const base = LeverBaseSchema.safeParse(raw);
  if (!base.success) return { issues: zodIssues(base.error, raw) };
  const lever = base.data;
  const issues: InputIssue[] = [];
  if (lever.min > lever.max)
    issues.push({ path: 'max', value: lever.max, expected: `at least min (${lever.min})` });
  issues.push(...unknownParameters({ costParameter: lever.costParameter }, context));
  if (lever.targets && new Set(lever.targets).size < lever.targets.length)
    issues.push({ path: 'targets', value: lever.targets.join(', '), expected: 'each target once' });
  const handler = EFFECT_HANDLERS.get(lever.effect.kind);
  if (!handler) {
    issues.push({
      path: 'effect.kind',
      value: lever.effect.kind,
      expected: `one of ${[...EFFECT_HANDLERS.keys()].join(', ')}`,
    });
    return { issues };
  }
  const effect = handler.schema.safeParse(lever.effect);
  if (!effect.success) return { issues: [...issues, ...zodIssues(effect.error, lever.effect, 'effect')] };
  issues.push(...handler.check(lever, effect.data, context));
  return { lever: { ...lever, effect: effect.data } as LeverDef, issues };
}

/**
 * Parse lever declaration files (`{ levers: [...] }` each): every problem is reported with the file,
 * the lever's id and the value; lever ids and channels must be unique over all files.
 */
export function parseLeverDeclarations(
  files: readonly { name: string; content: unknown }[],
  context: LeverCheckContext = { parameterIds: PARAMETER_IDS },
): LeverDef[] {
  const issues: InputIssue[] = [];
  const out: LeverDef[] = [];
  const channelOwner = new Map<string, string>();
  for (const file of files) {
    const parsed = LeverFileSchema.safeParse(file.content);
    if (!parsed.success) {
      issues.push(...zodIssues(parsed.error, file.content, file.name));
      continue;
    }
    parsed.data.levers.forEach((raw, i) => {
      const id = (raw as { id?: unknown } | null)?.id;
      const where = `${file.name}: levers[${i}] (${typeof id === 'string' ? `lever ${id}` : 'no id'})`;
      const { lever, issues: found } = parseLever(raw, context);
      for (const issue of found) issues.push({ ...issue, path: `${where}.${issue.path}` });
      if (!lever) return;
      if (out.some((d) => d.id === lever.id))
        issues.push({ path: `${where}.id`, value: lever.id, expected: 'a lever id not declared before' });
      for (const target of lever.targets ?? ['']) {
        const channel = lever.channel.replace('{target}', target);
        const owner = channelOwner.get(channel);
        if (owner)
          issues.push({
            path: `${where}.channel`,
            value: channel,
            expected: `a channel of its own (lever ${owner} feeds it already)`,
          });
        else channelOwner.set(channel, lever.id);
      }
      out.push(lever);
    });
  }
  if (issues.length) throw new CrossroadsError('model/levers', issues, 'bad lever declarations');
  return out;
}

/** The shipped declarations, validated when this module loads. */
const DECLARED: readonly LeverDef[] = parseLeverDeclarations([
  { name: 'data/levers/demand.json', content: demand },
  { name: 'data/levers/supply.json', content: supply },
  { name: 'data/levers/risk.json', content: risk },
]);

/** All levers by id, in declaration order. */
export function leverCatalogue(): Map<string, LeverDef> {
  return new Map(DECLARED.map((d) => [d.id, d]));
}

/** The shipped levers whose effect the supply module implements, in declaration order. */
export function supplyLevers(): (LeverDef & { effect: SupplyLeverEffect })[] {
  return DECLARED.filter((d): d is LeverDef & { effect: SupplyLeverEffect } =>
    SUPPLY_EFFECT_HANDLERS.has(d.effect.kind),
  );
}

/** The shipped levers that act on a market directly (supply/market-levers.ts), in declaration order. */
export function marketLevers(): (LeverDef & { effect: MarketLeverEffect })[] {
  return DECLARED.filter((d): d is LeverDef & { effect: MarketLeverEffect } =>
    MARKET_EFFECT_HANDLERS.has(d.effect.kind),
  );
}

/** One lever use, planned over the time axis. */
export interface PlannedLever {
  lever: string;
  target?: string;
  channel: string;
  /** Intensity per month (natural units). */
  intensity: Float64Array;
  /** Cost per month, USD 2024. */
  cost: Float64Array;
}

/** The monthly plan of a policy. */
export interface LeverPlan {
  levers: PlannedLever[];
  /** Sum of intensities per channel per month. */
  channels: Map<string, Float64Array>;
}

/** Intensity profile: zero before start and after end, linear ramp over `rampMonths`. */
export function profile(
  axis: TimeAxis,
  intensity: number,
  start: number,
  end: number,
  rampMonths: number,
): Float64Array {
  const out = new Float64Array(axis.steps);
  for (let t = 0; t < axis.steps; t++) {
    const abs = axis.start + t;
    if (abs < start || abs > end) continue;
    const ramp = rampMonths > 0 ? Math.min(1, (abs - start + 1) / rampMonths) : 1;
    out[t] = intensity * ramp;
  }
  return out;
}

/** Plan a (validated) policy. */
export function planPolicy(policy: Policy, scenario: Scenario, axis: TimeAxis, params: Params): LeverPlan {
  const catalogue = leverCatalogue();
  const channels = new Map<string, Float64Array>();
  const levers: PlannedLever[] = [];
  const defaultStart = parseMonth(scenario.policyStart);
  const lastMonth = axis.start + axis.steps - 1;
  for (const [i, use] of policy.levers.entries()) {
    const def = catalogue.get(use.lever);
    if (!def) fail('model/levers', `levers[${i}].lever`, use.lever, 'a lever id from the catalogue');
    const start = use.start ? parseMonth(use.start) : defaultStart;
    const end = use.end ? parseMonth(use.end) : lastMonth;
    const intensity = profile(axis, use.intensity, start, end, use.rampMonths ?? 0);
    const unitCost = params.get(def.costParameter);
    const cost = new Float64Array(axis.steps);
    for (let t = 0; t < axis.steps; t++) cost[t] = (intensity[t] * unitCost) / 12;
    const channel = def.channel.replace('{target}', use.target ?? '');
    const acc = channels.get(channel) ?? new Float64Array(axis.steps);
    for (let t = 0; t < axis.steps; t++) acc[t] += intensity[t];
    channels.set(channel, acc);
    levers.push({ lever: def.id, target: use.target, channel, intensity, cost });
  }
  return { levers, channels };
}
