/**
 * The supply side's lever effect kinds, one handler each: `detection` (more enforcement on legs:
 * seizure hazard with diminishing returns), `capacity-cut` (less capacity on legs: precursor
 * controls), `vessel-strikes` (cargo destroyed at sea), `capacity-strikes` (lab capacity and
 * stocks destroyed in a country) and `infrastructure-strikes` (staging, airstrip and departure nodes
 * struck in a country: capacity of the legs leaving them cut, stocks destroyed). Each declares what it
 * can act on (`actsOn`: node kinds or leg modes); a target with nothing of these in the scenario's
 * network is an error when the policy is validated (`unreachedTarget`). A handler declares its fields (zod, strict), checks at load that
 * its selection and parameters exist in the shipped network and parameter files, and binds a
 * lever use to a run's commodity (the selected legs or holdings, the parameter values, the monthly
 * intensity; the bound effects' types are in state.ts). The monthly response to the bound effects
 * is in interdiction.ts.
 */

import { z } from 'zod';
import cocaineNetwork from '../../../data/network/cocaine.json' with { type: 'json' };
import fentanylNetwork from '../../../data/network/fentanyl.json' with { type: 'json' };
import organisationsFile from '../../../data/network/organisations.json' with { type: 'json' };
import type { InputIssue } from '../../core/errors.js';
import {
  type CommodityNetwork,
  EDGE_MODES,
  type Network,
  NODE_KINDS,
  type NodeKind,
  type Organisation,
  SUPPLY_COMMODITIES,
} from '../../spec/supply.js';
import type { EffectHandler, LeverBase } from '../lever-effect.js';
import { unknownParameters } from '../lever-effect.js';
import { selectEdges } from './layout.js';
import type { CommodityRt } from './state.js';
import { hasSettings, settingShares } from './strike-settings.js';

const EDGE_FIELDS = ['corridor', 'checkpoint', 'fromCountry'] as const;
type EdgeField = (typeof EDGE_FIELDS)[number];

const SelectEdges = z
  .object({ on: z.literal('edges'), field: z.enum(EDGE_FIELDS), value: z.string().min(1).optional() })
  .strict();
const SelectHoldings = z
  .object({ on: z.literal('holdings'), field: z.literal('country'), value: z.string().min(1).optional() })
  .strict();
const SelectNodes = z
  .object({ on: z.literal('nodes'), field: z.literal('country'), value: z.string().min(1).optional() })
  .strict();
const ParameterId = z.string().min(1);

/**
 * What a lever can act on, declared with it: node kinds (a strike on production acts on the
 * production holdings of the country's production nodes; a strike on infrastructure on the staging,
 * airstrip and departure nodes and the legs leaving them) and leg modes (legs of the selected
 * corridor or checkpoint that the lever reaches: vessel strikes act on maritime legs only). A target
 * where nothing of these kinds exists is an error when the policy is validated.
 */
const ActsOnEdges = z.object({ legs: z.array(z.enum(EDGE_MODES)).min(1) }).strict();
const ActsOnNodes = z.object({ nodes: z.array(z.enum(NODE_KINDS)).min(1) }).strict();

const DetectionEffect = z
  .object({
    kind: z.literal('detection'),
    select: SelectEdges,
    actsOn: ActsOnEdges,
    hazardParameter: ParameterId,
  })
  .strict();
const VesselStrikesEffect = z
  .object({ kind: z.literal('vessel-strikes'), select: SelectEdges, actsOn: ActsOnEdges })
  .strict();
const CapacityCutEffect = z
  .object({
    kind: z.literal('capacity-cut'),
    select: SelectEdges,
    actsOn: ActsOnEdges,
    maxCutParameter: ParameterId,
    rateParameter: ParameterId,
  })
  .strict();
const CapacityStrikesEffect = z
  .object({
    kind: z.literal('capacity-strikes'),
    select: SelectHoldings,
    actsOn: ActsOnNodes,
    /** Capacity destroyed per strike, by commodity (a commodity without one loses stocks only). */
    capacityParameter: z.object({ cocaine: ParameterId, fentanyl: ParameterId }).partial().strict(),
    leadershipParameter: ParameterId,
  })
  .strict();

/**
 * Strikes on trafficking infrastructure in a country (staging, airstrip and departure nodes):
 * capacity of the legs leaving them is cut with diminishing returns (1 - maxCut (1 - exp(-D))), where
 * the damage D grows by `damageParameter` a strike and is rebuilt at `rebuildParameter` a month;
 * each strike destroys up to `stockParameter` kg of the stock staged there (the product passing
 * through this month). Strikes on land by sovereignty, leadership losses and strikes by setting are
 * recorded for the risk module.
 */
const InfrastructureStrikesEffect = z
  .object({
    kind: z.literal('infrastructure-strikes'),
    select: SelectNodes,
    actsOn: ActsOnNodes,
    damageParameter: ParameterId,
    maxCutParameter: ParameterId,
    rebuildParameter: ParameterId,
    stockParameter: ParameterId,
    leadershipParameter: ParameterId,
  })
  .strict();

/** A supply lever's declared effect. */
export type SupplyLeverEffect =
  | z.infer<typeof DetectionEffect>
  | z.infer<typeof VesselStrikesEffect>
  | z.infer<typeof CapacityCutEffect>
  | z.infer<typeof CapacityStrikesEffect>
  | z.infer<typeof InfrastructureStrikesEffect>;

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

// ---- What a lever can act on in a network (load-time and policy-time checks) -----------------------

/** The shipped network and organisations, as the load-time checks read them (not parsed again). */
const SHIPPED: { network: Network; organisations: Organisation[] } = {
  network: { cocaine: cocaineNetwork, fentanyl: fentanylNetwork } as unknown as Network,
  organisations: (organisationsFile as unknown as { organisations: Organisation[] }).organisations,
};

type ActsOn = { legs: readonly string[] } | { nodes: readonly NodeKind[] };

function actsOnText(a: ActsOn): string {
  return 'legs' in a ? `${a.legs.join(' or ')} legs` : `${a.nodes.join(', ')} nodes`;
}

function edgeFieldValue(net: CommodityNetwork, e: CommodityNetwork['edges'][number], field: EdgeField) {
  return field === 'fromCountry' ? net.nodes.find((n) => n.id === e.from)?.country : e[field];
}

/** What one selection value reaches in a network: the count, and what exists under that value. */
interface Reach {
  count: number;
  there: string;
}

function listThere(items: string[], none: string): string {
  if (!items.length) return none;
  return items.length > 10
    ? `${items.slice(0, 10).join(', ')} and ${items.length - 10} more`
    : items.join(', ');
}

/** Legs of the selection (field = value) and those of them the lever acts on (declared modes). */
function reachLegs(network: Network, field: EdgeField, value: string, modes: readonly string[]): Reach {
  let count = 0;
  const there: string[] = [];
  for (const c of SUPPLY_COMMODITIES) {
    const net = network[c];
    for (const e of net.edges) {
      if (edgeFieldValue(net, e, field) !== value) continue;
      there.push(`${e.id} (${c}, ${e.mode} leg)`);
      if (modes.includes(e.mode)) count++;
    }
  }
  return { count, there: listThere(there, `no leg with ${field} ${value}`) };
}

/**
 * Nodes of a country the lever acts on: production nodes with holdings (strikes on production), or
 * nodes of the declared kinds with at least one transport leg leaving them (strikes on infrastructure).
 */
function reachNodes(
  network: Network,
  orgs: readonly Organisation[],
  country: string,
  kinds: readonly NodeKind[],
  needHoldings: boolean,
): Reach {
  let count = 0;
  const there: string[] = [];
  for (const c of SUPPLY_COMMODITIES) {
    const net = network[c];
    for (const n of net.nodes) {
      if (n.country !== country) continue;
      const holdings = orgs.reduce(
        (a, o) => a + o.holdings.filter((h) => h.commodity === c && h.node === n.id).length,
        0,
      );
      const out = net.edges.filter((e) => e.from === n.id && e.mode !== 'precursor').length;
      there.push(`${n.id} (${c}, ${n.kind}${n.kind === 'production' ? `, ${holdings} holdings` : ''})`);
      if (!kinds.includes(n.kind)) continue;
      if (needHoldings ? holdings > 0 : out > 0) count++;
    }
  }
  return { count, there: listThere(there, 'no node of the network') };
}

/** What a supply effect reaches for one selection value in a network. */
function reachOf(
  effect: SupplyLeverEffect,
  value: string,
  network: Network,
  orgs: readonly Organisation[],
): Reach {
  if (effect.select.on === 'edges' && 'legs' in effect.actsOn)
    return reachLegs(network, effect.select.field, value, effect.actsOn.legs);
  const kinds = 'nodes' in effect.actsOn ? effect.actsOn.nodes : [];
  return reachNodes(network, orgs, value, kinds, effect.kind === 'capacity-strikes');
}

/** Every value the selection field takes in a network (candidates for the load-time listing). */
function valuesOf(effect: SupplyLeverEffect, network: Network): string[] {
  const out = new Set<string>();
  for (const c of SUPPLY_COMMODITIES) {
    const net = network[c];
    if (effect.select.on === 'edges') {
      const field = effect.select.field;
      for (const e of net.edges) {
        const v = edgeFieldValue(net, e, field);
        if (v !== undefined) out.add(v);
      }
    } else for (const n of net.nodes) out.add(n.country);
  }
  return [...out].sort();
}

/**
 * Policy-time check: the expectation a lever use fails when its target (or fixed selection) has
 * nothing the lever acts on in the scenario's network and organisations, naming the lever, the
 * target and what exists there; undefined when it reaches something.
 */
export function unreachedTarget(
  lever: SupplyLever,
  target: string | undefined,
  network: Network,
  orgs: readonly Organisation[],
): string | undefined {
  const value = lever.effect.select.value ?? target;
  if (value === undefined) return undefined;
  const r = reachOf(lever.effect, value, network, orgs);
  if (r.count > 0) return undefined;
  return `a target where lever ${lever.id} has something to act on (${actsOnText(lever.effect.actsOn)}${
    lever.effect.kind === 'capacity-strikes' ? ' with holdings' : ''
  }); ${value} has ${r.there} in the scenario's network`;
}

/**
 * The checks every supply kind shares: a `supply.` channel with `{target}` exactly when the lever
 * has targets; a fixed selection value or targets, not both; every value reaches something the
 * lever acts on in the shipped network (declared `actsOn`).
 */
function checkSelection(lever: LeverBase, effect: SupplyLeverEffect, what: string): InputIssue[] {
  const issues: InputIssue[] = [];
  const select = effect.select;
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
  const { network, organisations } = SHIPPED;
  const offered = valuesOf(effect, network).filter(
    (v) => reachOf(effect, v, network, organisations).count > 0,
  );
  const expected = (v: string) =>
    `a ${select.field} of some ${what} in the shipped network (one of ${offered.join(', ')}); ${v} has ${
      reachOf(effect, v, network, organisations).there
    }`;
  if (lever.targets)
    lever.targets.forEach((t, i) => {
      if (!offered.includes(t)) issues.push({ path: `targets[${i}]`, value: t, expected: expected(t) });
    });
  else if (select.value !== undefined && !offered.includes(select.value))
    issues.push({ path: 'effect.select.value', value: select.value, expected: expected(select.value) });
  return issues;
}

/** Legs of a commodity whose `field` equals `value`, of the modes the lever acts on. */
function selectLegs(rt: CommodityRt, field: EdgeField, value: string, modes: readonly string[]): Int32Array {
  const edges = rt.c.net.edges;
  return Int32Array.from(
    Array.from(selectEdges(rt.c, field, value, false)).filter((e) => modes.includes(edges[e].mode)),
  );
}

function legWhat(modes: readonly string[]): string {
  return `${modes.join(' or ')} leg`;
}

// ---- The handlers ------------------------------------------------------------------------------

const detection: SupplyEffectHandler<z.infer<typeof DetectionEffect>> = {
  kind: 'detection',
  schema: DetectionEffect,
  check: (lever, fx, context) => [
    ...checkSelection(lever, fx, legWhat(fx.actsOn.legs)),
    ...unknownParameters({ 'effect.hazardParameter': fx.hazardParameter }, context),
  ],
  bind({ rt, effect, value, intensity, g }) {
    const edges = selectLegs(rt, effect.select.field, value, effect.actsOn.legs);
    if (edges.length) rt.fx.detection.push({ edges, hazard: g(effect.hazardParameter), intensity });
  },
};

const capacityCut: SupplyEffectHandler<z.infer<typeof CapacityCutEffect>> = {
  kind: 'capacity-cut',
  schema: CapacityCutEffect,
  check: (lever, fx, context) => [
    ...checkSelection(lever, fx, legWhat(fx.actsOn.legs)),
    ...unknownParameters(
      { 'effect.maxCutParameter': fx.maxCutParameter, 'effect.rateParameter': fx.rateParameter },
      context,
    ),
  ],
  bind({ rt, effect, value, intensity, g }) {
    const edges = selectLegs(rt, effect.select.field, value, effect.actsOn.legs);
    if (edges.length)
      rt.fx.cuts.push({ edges, maxCut: g(effect.maxCutParameter), rate: g(effect.rateParameter), intensity });
  },
};

const vesselStrikes: SupplyEffectHandler<z.infer<typeof VesselStrikesEffect>> = {
  kind: 'vessel-strikes',
  schema: VesselStrikesEffect,
  check: (lever, fx) => [
    ...checkSelection(lever, fx, legWhat(fx.actsOn.legs)),
    ...(fx.actsOn.legs.every((m) => m === 'maritime')
      ? []
      : [
          {
            path: 'effect.actsOn.legs',
            value: fx.actsOn.legs,
            expected: '["maritime"] (strikes on vessels at sea)',
          },
        ]),
  ],
  bind({ rt, effect, value, intensity }) {
    const edges = selectLegs(rt, effect.select.field, value, effect.actsOn.legs);
    if (edges.length) rt.fx.seaStrikes.push({ edges, intensity });
  },
};

const capacityStrikes: SupplyEffectHandler<z.infer<typeof CapacityStrikesEffect>> = {
  kind: 'capacity-strikes',
  schema: CapacityStrikesEffect,
  check: (lever, fx, context) => [
    ...checkSelection(lever, fx, 'production node with holdings'),
    ...(fx.actsOn.nodes.every((k) => k === 'production')
      ? []
      : [
          {
            path: 'effect.actsOn.nodes',
            value: fx.actsOn.nodes,
            expected: '["production"] (holdings are at production nodes)',
          },
        ]),
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
    // A country's strikes are recorded once (by the cocaine side when no commodity holds capacity
    // there; a policy naming such a target is refused when it is validated).
    const perStrike = effect.capacityParameter[c.commodity];
    if (hs.length || c.commodity === 'cocaine')
      rt.fx.landStrikes.push({
        holdings: Int32Array.from(hs),
        country: value,
        perStrike: perStrike ? g(perStrike) : 0,
        leadership: g(effect.leadershipParameter),
        setting: settingShares('production'),
        intensity,
      });
  },
};

const infrastructureStrikes: SupplyEffectHandler<z.infer<typeof InfrastructureStrikesEffect>> = {
  kind: 'infrastructure-strikes',
  schema: InfrastructureStrikesEffect,
  check: (lever, fx, context) => [
    ...checkSelection(lever, fx, `${fx.actsOn.nodes.join(', ')} node with legs leaving it`),
    ...fx.actsOn.nodes
      .filter((k) => !hasSettings(k))
      .map((k) => ({
        path: 'effect.actsOn.nodes',
        value: k,
        expected: 'a node kind with strike settings in data/network/strike-settings.json',
      })),
    ...(fx.actsOn.nodes.some((k) => k === 'production' || k === 'market')
      ? [
          {
            path: 'effect.actsOn.nodes',
            value: fx.actsOn.nodes,
            expected: 'node kinds without production (capacity-strikes) or markets',
          },
        ]
      : []),
    ...unknownParameters(
      {
        'effect.damageParameter': fx.damageParameter,
        'effect.maxCutParameter': fx.maxCutParameter,
        'effect.rebuildParameter': fx.rebuildParameter,
        'effect.stockParameter': fx.stockParameter,
        'effect.leadershipParameter': fx.leadershipParameter,
      },
      context,
    ),
  ],
  bind({ rt, effect, value, intensity, g }) {
    const c = rt.c;
    const kinds: readonly string[] = effect.actsOn.nodes;
    const edges: number[] = [];
    const kindOfEdge: string[] = [];
    c.net.edges.forEach((_e, i) => {
      const from = c.net.nodes[c.edgeFrom[i]];
      if (c.isPrecursor[i] || from.country !== value || !kinds.includes(from.kind)) return;
      edges.push(i);
      kindOfEdge.push(from.kind);
    });
    if (!edges.length) return;
    rt.fx.infraStrikes.push({
      edges: Int32Array.from(edges),
      setting: kindOfEdge.map((k) => settingShares(k)),
      country: value,
      damage: g(effect.damageParameter),
      maxCut: g(effect.maxCutParameter),
      rebuild: g(effect.rebuildParameter),
      stockKg: g(effect.stockParameter),
      leadership: g(effect.leadershipParameter),
      intensity,
    });
  },
};

/** The supply effect kinds, by kind. */
export const SUPPLY_EFFECT_HANDLERS: ReadonlyMap<string, SupplyEffectHandler> = new Map(
  (
    [
      detection,
      capacityCut,
      vesselStrikes,
      capacityStrikes,
      infrastructureStrikes,
    ] as unknown as SupplyEffectHandler[]
  ).map((h) => [h.kind, h]),
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
