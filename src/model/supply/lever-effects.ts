/**
 * The supply side's lever effect kinds, one handler each: `detection` (more enforcement on legs:
 * seizure hazard with diminishing returns), `capacity-cut` (less capacity on legs: precursor
 * controls), `vessel-strikes` (cargo destroyed at sea) and `capacity-strikes` (lab capacity and
 * stocks destroyed in a country). A handler declares its fields (zod, strict), checks at load that
 * its selection and parameters exist in the shipped network and parameter files, and binds a
 * lever use to a run's commodity (the selected legs or holdings, the parameter values, the monthly
 * intensity; the bound effects' types are in state.ts). The monthly response to the bound effects
 * is in interdiction.ts.
 */

import { z } from 'zod';
import cocaineNetwork from '../../../data/network/cocaine.json' with { type: 'json' };
import fentanylNetwork from '../../../data/network/fentanyl.json' with { type: 'json' };
import type { InputIssue } from '../../core/errors.js';
import type { EffectHandler, LeverBase } from '../lever-effect.js';
import { unknownParameters } from '../lever-effect.js';
import { selectEdges } from './layout.js';
import type { CommodityRt } from './state.js';

const EDGE_FIELDS = ['corridor', 'checkpoint', 'fromCountry'] as const;
type EdgeField = (typeof EDGE_FIELDS)[number];

const SelectEdges = z
  .object({ on: z.literal('edges'), field: z.enum(EDGE_FIELDS), value: z.string().min(1).optional() })
  .strict();
const SelectHoldings = z
  .object({ on: z.literal('holdings'), field: z.literal('country'), value: z.string().min(1).optional() })
  .strict();
const ParameterId = z.string().min(1);

const DetectionEffect = z
  .object({ kind: z.literal('detection'), select: SelectEdges, hazardParameter: ParameterId })
  .strict();
const VesselStrikesEffect = z.object({ kind: z.literal('vessel-strikes'), select: SelectEdges }).strict();
const CapacityCutEffect = z
  .object({
    kind: z.literal('capacity-cut'),
    select: SelectEdges,
    maxCutParameter: ParameterId,
    rateParameter: ParameterId,
  })
  .strict();
const CapacityStrikesEffect = z
  .object({
    kind: z.literal('capacity-strikes'),
    select: SelectHoldings,
    /** Capacity destroyed per strike, by commodity (a commodity without one loses stocks only). */
    capacityParameter: z.object({ cocaine: ParameterId, fentanyl: ParameterId }).partial().strict(),
    leadershipParameter: ParameterId,
  })
  .strict();

/** A supply lever's declared effect. */
export type SupplyLeverEffect =
  | z.infer<typeof DetectionEffect>
  | z.infer<typeof VesselStrikesEffect>
  | z.infer<typeof CapacityCutEffect>
  | z.infer<typeof CapacityStrikesEffect>;

/** One lever use bound to one commodity of a run. */
export interface BindArgs<E> {
  rt: CommodityRt;
  effect: E;
  /** What the selection matches: the effect's fixed value, else the lever's target. */
  value: string;
  intensity: Float64Array;
  /** A parameter value by id. */
  g: (id: string) => number;
}

/** A supply effect kind: declaration, load-time check and binding to a run. */
export interface SupplyEffectHandler<E extends SupplyLeverEffect = SupplyLeverEffect>
  extends EffectHandler<E> {
  bind(args: BindArgs<E>): void;
}

// ---- What the shipped network offers to select (load-time checks) ----------------------------------

interface RawEdge {
  from: string;
  mode: string;
  corridor?: string;
  checkpoint?: string;
}
const RAW = [cocaineNetwork, fentanylNetwork] as unknown as {
  nodes: { id: string; country?: string }[];
  edges: RawEdge[];
}[];
const nodeCountry = new Map(RAW.flatMap((n) => n.nodes.map((x) => [x.id, x.country] as const)));
const RAW_EDGES = RAW.flatMap((n) => n.edges);

function edgeValue(e: RawEdge, field: EdgeField): string | undefined {
  return field === 'fromCountry' ? nodeCountry.get(e.from) : e[field];
}

/** Values of an edge field in the shipped network (maritime legs only if asked). */
function edgeValues(field: EdgeField, maritimeOnly: boolean): Set<string> {
  const out = new Set<string>();
  for (const e of RAW_EDGES) {
    const v = edgeValue(e, field);
    if (v !== undefined && (!maritimeOnly || e.mode === 'maritime')) out.add(v);
  }
  return out;
}

/** Countries of the shipped network's nodes (strikes may hit a country without modelled labs). */
const NODE_COUNTRIES = new Set([...nodeCountry.values()].filter((c): c is string => c !== undefined));

/**
 * The checks every supply kind shares: a `supply.` channel with `{target}` exactly when the lever
 * has targets; a fixed selection value or targets, not both; every value selects something.
 */
function checkSelection(
  lever: LeverBase,
  select: { field: string; value?: string },
  offered: ReadonlySet<string>,
  what: string,
): InputIssue[] {
  const issues: InputIssue[] = [];
  const perTarget = lever.channel.includes('{target}');
  if (!lever.channel.startsWith('supply.'))
    issues.push({
      path: 'channel',
      value: lever.channel,
      expected: 'a channel under "supply." (read by the supply module)',
    });
  else if (perTarget !== Boolean(lever.targets))
    issues.push({
      path: 'channel',
      value: lever.channel,
      expected: lever.targets
        ? 'a channel containing {target} (the lever has targets, each needs its own channel)'
        : 'a channel without {target} (the lever has no targets)',
    });
  if (select.value !== undefined && lever.targets)
    issues.push({
      path: 'effect.select.value',
      value: select.value,
      expected: 'no fixed value on a lever with targets (each target is the value)',
    });
  if (select.value === undefined && !lever.targets)
    issues.push({ path: 'effect.select', value: select, expected: 'a fixed value, or targets on the lever' });
  const expected = `a ${select.field} of ${what} in the shipped network (one of ${[...offered].sort().join(', ')})`;
  if (lever.targets)
    lever.targets.forEach((t, i) => {
      if (!offered.has(t)) issues.push({ path: `targets[${i}]`, value: t, expected });
    });
  else if (select.value !== undefined && !offered.has(select.value))
    issues.push({ path: 'effect.select.value', value: select.value, expected });
  return issues;
}

// ---- The handlers ------------------------------------------------------------------------------

const detection: SupplyEffectHandler<z.infer<typeof DetectionEffect>> = {
  kind: 'detection',
  schema: DetectionEffect,
  check: (lever, fx, context) => [
    ...checkSelection(lever, fx.select, edgeValues(fx.select.field, false), 'some leg'),
    ...unknownParameters({ 'effect.hazardParameter': fx.hazardParameter }, context),
  ],
  bind({ rt, effect, value, intensity, g }) {
    const edges = selectEdges(rt.c, effect.select.field, value, false);
    if (edges.length) rt.fx.detection.push({ edges, hazard: g(effect.hazardParameter), intensity });
  },
};

const capacityCut: SupplyEffectHandler<z.infer<typeof CapacityCutEffect>> = {
  kind: 'capacity-cut',
  schema: CapacityCutEffect,
  check: (lever, fx, context) => [
    ...checkSelection(lever, fx.select, edgeValues(fx.select.field, false), 'some leg'),
    ...unknownParameters(
      { 'effect.maxCutParameter': fx.maxCutParameter, 'effect.rateParameter': fx.rateParameter },
      context,
    ),
  ],
  bind({ rt, effect, value, intensity, g }) {
    const edges = selectEdges(rt.c, effect.select.field, value, false);
    if (edges.length)
      rt.fx.cuts.push({ edges, maxCut: g(effect.maxCutParameter), rate: g(effect.rateParameter), intensity });
  },
};

const vesselStrikes: SupplyEffectHandler<z.infer<typeof VesselStrikesEffect>> = {
  kind: 'vessel-strikes',
  schema: VesselStrikesEffect,
  check: (lever, fx) =>
    checkSelection(lever, fx.select, edgeValues(fx.select.field, true), 'some maritime leg'),
  bind({ rt, effect, value, intensity }) {
    const edges = selectEdges(rt.c, effect.select.field, value, true);
    if (edges.length) rt.fx.seaStrikes.push({ edges, intensity });
  },
};

const capacityStrikes: SupplyEffectHandler<z.infer<typeof CapacityStrikesEffect>> = {
  kind: 'capacity-strikes',
  schema: CapacityStrikesEffect,
  check: (lever, fx, context) => [
    ...checkSelection(lever, fx.select, NODE_COUNTRIES, 'some node'),
    ...unknownParameters(
      {
        ...Object.fromEntries(
          Object.entries(fx.capacityParameter).map(([k, id]) => [`effect.capacityParameter.${k}`, id]),
        ),
        'effect.leadershipParameter': fx.leadershipParameter,
      },
      context,
    ),
  ],
  bind({ rt, effect, value, intensity, g }) {
    const c = rt.c;
    const hs: number[] = [];
    c.holdings.forEach((h, i) => {
      if (c.net.nodes[h.node].country === value) hs.push(i);
    });
    // Strikes in a country with no modelled production still happen (and are recorded) once.
    const perStrike = effect.capacityParameter[c.commodity];
    if (hs.length || c.commodity === 'cocaine')
      rt.fx.landStrikes.push({
        holdings: Int32Array.from(hs),
        country: value,
        perStrike: perStrike ? g(perStrike) : 0,
        leadership: g(effect.leadershipParameter),
        intensity,
      });
  },
};

/** The supply effect kinds, by kind. */
export const SUPPLY_EFFECT_HANDLERS: ReadonlyMap<string, SupplyEffectHandler> = new Map(
  ([detection, capacityCut, vesselStrikes, capacityStrikes] as unknown as SupplyEffectHandler[]).map((h) => [
    h.kind,
    h,
  ]),
);

/** A supply lever as the supply module reads it (validated by the catalogue, levers.ts). */
export interface SupplyLever extends LeverBase {
  effect: SupplyLeverEffect;
}

/**
 * Bind every (supply lever, target) whose channel the plan uses to each commodity of a run, in
 * declaration order (the order the monthly sums run in).
 */
export function bindLeverEffects(
  levers: readonly SupplyLever[],
  rts: readonly CommodityRt[],
  channels: ReadonlyMap<string, Float64Array>,
  g: (id: string) => number,
): void {
  for (const def of levers) {
    const handler = SUPPLY_EFFECT_HANDLERS.get(def.effect.kind)!;
    for (const target of def.targets ?? ['']) {
      const intensity = channels.get(def.channel.replace('{target}', target));
      if (!intensity) continue;
      const value = def.effect.select.value ?? target;
      for (const rt of rts) handler.bind({ rt, effect: def.effect, value, intensity, g });
    }
  }
}
