/**
 * Levers: the catalogue (declared in data/levers/*.json) and the plan that turns a policy into
 * monthly effect-channel values and costs. A lever declares its own effect by naming the channel it
 * feeds; the module that reads the channel owns the response. The engine never switches on lever ids.
 */

import demand from '../../data/levers/demand.json' with { type: 'json' };
import supply from '../../data/levers/supply.json' with { type: 'json' };
import { fail } from '../core/errors.js';
import { parseMonth, type TimeAxis } from '../core/time.js';
import type { Policy, Scenario } from '../spec/scenario.js';
import type { Params } from './params.js';

/** A lever declaration. `channel` may contain `{target}`, replaced by the target id. */
export interface LeverDef {
  id: string;
  label: string;
  unit: string;
  min: number;
  max: number;
  costParameter: string;
  channel: string;
  description: string;
  targets?: string[];
}

const extraLevers: LeverDef[] = [];

/** Register more levers (the supply side adds its own at import time). */
export function registerLevers(defs: LeverDef[]): void {
  for (const d of defs) if (!extraLevers.some((x) => x.id === d.id)) extraLevers.push(d);
}

// The supply side's levers (data/levers/supply.json); each also declares its effect, read by
// src/model/supply/module.ts.
registerLevers(supply.levers as LeverDef[]);

/** All levers by id, in declaration order. */
export function leverCatalogue(): Map<string, LeverDef> {
  const out = new Map<string, LeverDef>();
  for (const d of [...(demand.levers as LeverDef[]), ...extraLevers]) out.set(d.id, d);
  return out;
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
