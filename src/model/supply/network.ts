/**
 * The trafficking network: edits (scenario patches and assumption overlays), validation, and the
 * compiled form the monthly loop runs on (typed arrays and precomputed route sets). Route sets are
 * all simple paths from a production region to a market over transport legs, enumerated once; the
 * monthly loop never solves an optimisation problem.
 */

import type { InputIssue } from '../../core/errors.js';
import { zodIssues } from '../../spec/issues.js';
import {
  type AssumptionOverlay,
  AssumptionOverlaySchema,
  type CommodityNetwork,
  type CommodityNetworkEdits,
  type Network,
  type NetworkEdits,
  type Organisation,
  type OrganisationEdits,
  type StreetTrend,
  SUPPLY_COMMODITIES,
  type SupplyCommodity,
} from '../../spec/supply.js';

const MODULE = 'model/supply/network';

/** Largest number of routes from one production region (a guard against pathological graphs). */
export const MAX_ROUTES_PER_ORIGIN = 500;

function listIds(ids: string[]): string {
  return ids.length > 12 ? `${ids.slice(0, 12).join(', ')}, ...` : ids.join(', ');
}

/** Apply edits to one commodity's network; problems are pushed to `issues` with their path. */
function editCommodity(
  net: CommodityNetwork,
  edits: CommodityNetworkEdits,
  path: string,
  issues: InputIssue[],
): CommodityNetwork {
  const nodes = net.nodes.map((n) => ({ ...n }));
  let edges = net.edges.map((e) => ({ ...e }));
  for (const n of edits.addNodes ?? []) {
    if (nodes.some((x) => x.id === n.id)) {
      issues.push({
        path: `${path}.addNodes`,
        value: n.id,
        expected: 'a node id not already in the network',
      });
    } else nodes.push({ ...n });
  }
  for (const e of edits.addEdges ?? []) {
    if (edges.some((x) => x.id === e.id)) {
      issues.push({
        path: `${path}.addEdges`,
        value: e.id,
        expected: 'an edge id not already in the network',
      });
    } else edges.push({ ...e });
  }
  for (const [id, patch] of Object.entries(edits.nodes ?? {})) {
    const i = nodes.findIndex((x) => x.id === id);
    if (i < 0) {
      issues.push({
        path: `${path}.nodes.${id}`,
        value: id,
        expected: `the id of a node of the network (one of ${listIds(nodes.map((n) => n.id))})`,
      });
    } else nodes[i] = { ...nodes[i], ...patch };
  }
  for (const [id, patch] of Object.entries(edits.edges ?? {})) {
    const i = edges.findIndex((x) => x.id === id);
    if (i < 0) {
      issues.push({
        path: `${path}.edges.${id}`,
        value: id,
        expected: `the id of an edge of the network (one of ${listIds(edges.map((e) => e.id))})`,
      });
    } else edges[i] = { ...edges[i], ...patch };
  }
  (edits.removeEdges ?? []).forEach((id, k) => {
    if (!edges.some((x) => x.id === id)) {
      issues.push({
        path: `${path}.removeEdges[${k}]`,
        value: id,
        expected: `the id of an edge of the network (one of ${listIds(edges.map((e) => e.id))})`,
      });
    } else edges = edges.filter((x) => x.id !== id);
  });
  return { nodes, edges };
}

/** Apply network edits; problems are pushed to `issues`, naming `path`. */
export function applyNetworkEdits(
  network: Network,
  edits: NetworkEdits | undefined,
  path: string,
  issues: InputIssue[],
): Network {
  if (!edits) return network;
  const out = { ...network };
  for (const c of SUPPLY_COMMODITIES) {
    const e = edits[c];
    if (e) out[c] = editCommodity(network[c], e, `${path}.${c}`, issues);
  }
  return out;
}

/** Apply organisation edits; problems are pushed to `issues`, naming `path`. */
export function applyOrganisationEdits(
  orgs: Organisation[],
  edits: OrganisationEdits | undefined,
  path: string,
  issues: InputIssue[],
): Organisation[] {
  if (!edits) return orgs;
  let out = orgs.map((o) => ({ ...o }));
  for (const o of edits.add ?? []) {
    if (out.some((x) => x.id === o.id)) {
      issues.push({ path: `${path}.add`, value: o.id, expected: 'an organisation id not already declared' });
    } else out.push({ ...o });
  }
  for (const [id, patch] of Object.entries(edits.edit ?? {})) {
    const i = out.findIndex((x) => x.id === id);
    if (i < 0) {
      issues.push({
        path: `${path}.edit.${id}`,
        value: id,
        expected: `the id of an organisation (one of ${out.map((o) => o.id).join(', ')})`,
      });
    } else out[i] = { ...out[i], ...patch };
  }
  (edits.remove ?? []).forEach((id, k) => {
    if (!out.some((x) => x.id === id)) {
      issues.push({
        path: `${path}.remove[${k}]`,
        value: id,
        expected: `the id of an organisation (one of ${out.map((o) => o.id).join(', ')})`,
      });
    } else out = out.filter((x) => x.id !== id);
  });
  return out;
}

/** Check the network and organisations for consistency; push problems to `issues`. */
export function checkSupply(network: Network, orgs: Organisation[], issues: InputIssue[]): void {
  for (const c of SUPPLY_COMMODITIES) {
    const net = network[c];
    const path = `network.${c}`;
    const ids = new Set<string>();
    net.nodes.forEach((n, i) => {
      if (ids.has(n.id))
        issues.push({ path: `${path}.nodes[${i}].id`, value: n.id, expected: 'a unique node id' });
      ids.add(n.id);
      if (n.kind === 'market' && !n.market)
        issues.push({
          path: `${path}.nodes[${i}].market`,
          value: undefined,
          expected: 'market prices and demand',
        });
      if (n.kind === 'production' && (!n.input || n.productionCostUsdPerKg === undefined))
        issues.push({
          path: `${path}.nodes[${i}]`,
          value: n.id,
          expected: 'a production node with `input` and `productionCostUsdPerKg`',
        });
    });
    const eids = new Set<string>();
    net.edges.forEach((e, i) => {
      if (eids.has(e.id))
        issues.push({ path: `${path}.edges[${i}].id`, value: e.id, expected: 'a unique edge id' });
      eids.add(e.id);
      for (const end of ['from', 'to'] as const) {
        if (!ids.has(e[end]))
          issues.push({
            path: `${path}.edges[${i}].${end}`,
            value: e[end],
            expected: `the id of a node of the ${c} network (one of ${listIds([...ids])})`,
          });
      }
    });
    if (net.nodes.filter((n) => n.market?.us).length !== 1)
      issues.push({
        path: `${path}.nodes`,
        value: c,
        expected: 'exactly one market node with `market.us: true`',
      });
    if (hasCycle(net))
      issues.push({ path: `${path}.edges`, value: 'a cycle', expected: 'a network without directed cycles' });
  }
  const orgIds = new Set<string>();
  orgs.forEach((o, i) => {
    if (orgIds.has(o.id))
      issues.push({ path: `organisations[${i}].id`, value: o.id, expected: 'a unique id' });
    orgIds.add(o.id);
    o.holdings.forEach((h, k) => {
      const node = network[h.commodity].nodes.find((n) => n.id === h.node);
      if (node?.kind !== 'production')
        issues.push({
          path: `organisations[${i}].holdings[${k}].node`,
          value: h.node,
          expected: `a production node of the ${h.commodity} network (one of ${network[h.commodity].nodes
            .filter((n) => n.kind === 'production')
            .map((n) => n.id)
            .join(', ')})`,
        });
    });
  });
}

function hasCycle(net: CommodityNetwork): boolean {
  const idx = new Map(net.nodes.map((n, i) => [n.id, i]));
  const out: number[][] = net.nodes.map(() => []);
  for (const e of net.edges) {
    const a = idx.get(e.from);
    const b = idx.get(e.to);
    if (a !== undefined && b !== undefined) out[a].push(b);
  }
  const state = new Uint8Array(net.nodes.length);
  const visit = (u: number): boolean => {
    state[u] = 1;
    for (const v of out[u]) {
      if (state[v] === 1) return true;
      if (state[v] === 0 && visit(v)) return true;
    }
    state[u] = 2;
    return false;
  };
  for (let u = 0; u < net.nodes.length; u++) if (state[u] === 0 && visit(u)) return true;
  return false;
}

/** Parse an assumption overlay (from a file the caller read); problems name `label`. */
export function parseAssumptionOverlay(
  raw: unknown,
  label: string,
  issues: InputIssue[],
): AssumptionOverlay | undefined {
  const parsed = AssumptionOverlaySchema.safeParse(raw);
  if (!parsed.success) {
    issues.push(...zodIssues(parsed.error, raw, label));
    return undefined;
  }
  return parsed.data;
}

/** The supply part of a scenario. */
export interface SupplySection {
  network: Network;
  organisations: Organisation[];
  assumptions: string[];
  /** Trends on the projection's street supply (from assumption overlays); absent by default. */
  streetTrends?: StreetTrend[];
}

/** Apply an assumption overlay to a supply section. */
export function applyAssumption(
  section: SupplySection,
  overlay: AssumptionOverlay,
  issues: InputIssue[],
): SupplySection {
  if (section.assumptions.includes(overlay.name)) return section;
  const path = `assumptions.${overlay.name}`;
  return {
    network: applyNetworkEdits(section.network, overlay.network, `${path}.network`, issues),
    organisations: applyOrganisationEdits(
      section.organisations,
      overlay.organisations,
      `${path}.organisations`,
      issues,
    ),
    assumptions: [...section.assumptions, overlay.name],
    ...(overlay.street || section.streetTrends
      ? { streetTrends: [...(section.streetTrends ?? []), ...(overlay.street ?? [])] }
      : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Compiled form.

/** A route: a path of transport legs from a production region to a market. */
export interface Route {
  origin: number;
  market: number;
  edges: Int32Array;
  /** Production cost at the origin plus transport costs, USD per kg shipped. */
  cost: number;
  /** Corridor label of the route (first corridor, else first checkpoint, else 'overland'). */
  corridor: string;
}

/** A holding compiled: which organisation, which node, which routes. */
export interface CompiledHolding {
  org: number;
  node: number;
  capacity: number;
  inventory: number;
  routes: Int32Array;
  /** Share of the node's declared capacity (splits the node's production input). */
  nodeShare: number;
}

/** One commodity's network in typed arrays. */
export interface CompiledCommodity {
  commodity: SupplyCommodity;
  net: CommodityNetwork;
  nodeIndex: Map<string, number>;
  edgeIndex: Map<string, number>;
  edgeFrom: Int32Array;
  edgeTo: Int32Array;
  isPrecursor: Uint8Array;
  isMaritime: Uint8Array;
  /** Edge enters a documented maritime corridor (from a non-corridor node). */
  entersDocumented: Uint8Array;
  isDocumented: Uint8Array;
  /** Edge crosses the US border (has a checkpoint). */
  isBorder: Uint8Array;
  /** 1 = Eastern Pacific, 2 = Caribbean, 0 = other (documented-flow shares). */
  maritimeCorridorCode: Uint8Array;
  /** Sovereignty of each edge (a plain array of strings, so the hot loop never reads edge objects). */
  edgeSovereignty: string[];
  baseDetection: Float64Array;
  capacityPerMonth: Float64Array;
  routes: Route[];
  /** Routes in CSR form for the hot loop: legs of route r are routeEdges[routeEdgeStart[r] ..]. */
  routeEdgeStart: Int32Array;
  routeEdges: Int32Array;
  routeMarket: Int32Array;
  routeCost: Float64Array;
  /** Corridor labels of routes to the US market, and each route's label index (-1 if not US-bound). */
  corridors: string[];
  routeCorridor: Int32Array;
  markets: number[];
  usMarket: number;
  productionNodes: number[];
  /** Precursor edges feeding each node (by node index). */
  precursorIn: number[][];
  holdings: CompiledHolding[];
}

/** Enumerate simple paths over transport legs from `origin` to any market (DFS; the graph is a DAG). */
function enumerateRoutes(c: CompiledCommodity, origin: number): Route[] {
  const out: number[][] = c.net.nodes.map(() => []);
  c.net.edges.forEach((_, e) => {
    if (!c.isPrecursor[e]) out[c.edgeFrom[e]].push(e);
  });
  const routes: Route[] = [];
  const stack: number[] = [];
  const prodCost = c.net.nodes[origin].productionCostUsdPerKg ?? 0;
  const walk = (u: number) => {
    if (routes.length >= MAX_ROUTES_PER_ORIGIN) return;
    if (c.net.nodes[u].kind === 'market' && stack.length > 0) {
      const edges = Int32Array.from(stack);
      let cost = prodCost;
      let corridor = '';
      let checkpoint = '';
      for (const e of edges) {
        const edge = c.net.edges[e];
        cost += edge.transportCostUsdPerKg;
        if (!corridor && edge.corridor) corridor = edge.corridor;
        if (!checkpoint && edge.checkpoint) checkpoint = edge.checkpoint;
      }
      routes.push({ origin, market: u, edges, cost, corridor: corridor || checkpoint || 'overland' });
      return;
    }
    for (const e of out[u]) {
      stack.push(e);
      walk(c.edgeTo[e]);
      stack.pop();
    }
  };
  walk(origin);
  return routes;
}

/** Compile one commodity's network and the organisations' holdings in it. */
export function compileCommodity(
  commodity: SupplyCommodity,
  net: CommodityNetwork,
  orgs: Organisation[],
): CompiledCommodity {
  const n = net.nodes.length;
  const m = net.edges.length;
  const nodeIndex = new Map(net.nodes.map((x, i) => [x.id, i]));
  const edgeIndex = new Map(net.edges.map((x, i) => [x.id, i]));
  const c: CompiledCommodity = {
    commodity,
    net,
    nodeIndex,
    edgeIndex,
    edgeFrom: new Int32Array(m),
    edgeTo: new Int32Array(m),
    isPrecursor: new Uint8Array(m),
    isMaritime: new Uint8Array(m),
    entersDocumented: new Uint8Array(m),
    isDocumented: new Uint8Array(m),
    isBorder: new Uint8Array(m),
    maritimeCorridorCode: new Uint8Array(m),
    edgeSovereignty: net.edges.map((e) => e.sovereignty),
    baseDetection: new Float64Array(m),
    capacityPerMonth: new Float64Array(m),
    routes: [],
    routeEdgeStart: new Int32Array(1),
    routeEdges: new Int32Array(0),
    routeMarket: new Int32Array(0),
    routeCost: new Float64Array(0),
    corridors: [],
    routeCorridor: new Int32Array(0),
    markets: [],
    usMarket: -1,
    productionNodes: [],
    precursorIn: Array.from({ length: n }, () => []),
    holdings: [],
  };
  net.edges.forEach((e, i) => {
    c.edgeFrom[i] = nodeIndex.get(e.from)!;
    c.edgeTo[i] = nodeIndex.get(e.to)!;
    c.isPrecursor[i] = e.mode === 'precursor' ? 1 : 0;
    c.isMaritime[i] = e.mode === 'maritime' ? 1 : 0;
    c.isDocumented[i] = e.documentedMaritime ? 1 : 0;
    c.entersDocumented[i] = e.documentedMaritime && net.nodes[c.edgeFrom[i]].kind !== 'corridor' ? 1 : 0;
    c.isBorder[i] = e.checkpoint ? 1 : 0;
    c.maritimeCorridorCode[i] = e.corridor === 'eastern-pacific' ? 1 : e.corridor === 'caribbean' ? 2 : 0;
    c.baseDetection[i] = e.detection;
    c.capacityPerMonth[i] = e.capacityKgPerYear / 12;
    if (c.isPrecursor[i]) c.precursorIn[c.edgeTo[i]].push(i);
  });
  net.nodes.forEach((x, i) => {
    if (x.kind === 'market') {
      c.markets.push(i);
      if (x.market?.us) c.usMarket = i;
    }
    if (x.kind === 'production') c.productionNodes.push(i);
  });
  const routesByOrigin = new Map<number, number[]>();
  for (const p of c.productionNodes) {
    const rs = enumerateRoutes(c, p);
    routesByOrigin.set(
      p,
      rs.map((_, k) => c.routes.length + k),
    );
    c.routes.push(...rs);
  }
  const R = c.routes.length;
  c.routeEdgeStart = new Int32Array(R + 1);
  c.routes.forEach((r, k) => {
    c.routeEdgeStart[k + 1] = c.routeEdgeStart[k] + r.edges.length;
  });
  c.routeEdges = new Int32Array(c.routeEdgeStart[R]);
  c.routes.forEach((r, k) => {
    c.routeEdges.set(r.edges, c.routeEdgeStart[k]);
  });
  c.routeMarket = Int32Array.from(c.routes, (r) => r.market);
  c.routeCost = Float64Array.from(c.routes, (r) => r.cost);
  c.routeCorridor = new Int32Array(R).fill(-1);
  c.routes.forEach((r, k) => {
    if (r.market !== c.usMarket) return;
    let j = c.corridors.indexOf(r.corridor);
    if (j < 0) {
      j = c.corridors.length;
      c.corridors.push(r.corridor);
    }
    c.routeCorridor[k] = j;
  });
  const nodeTotal = new Float64Array(n);
  orgs.forEach((o) => {
    for (const h of o.holdings)
      if (h.commodity === commodity) nodeTotal[nodeIndex.get(h.node)!] += h.capacityKgPerYear;
  });
  orgs.forEach((o, oi) => {
    for (const h of o.holdings) {
      if (h.commodity !== commodity) continue;
      const node = nodeIndex.get(h.node)!;
      c.holdings.push({
        org: oi,
        node,
        capacity: h.capacityKgPerYear,
        inventory: h.inventoryKg,
        routes: Int32Array.from(routesByOrigin.get(node) ?? []),
        nodeShare: nodeTotal[node] > 0 ? h.capacityKgPerYear / nodeTotal[node] : 0,
      });
    }
  });
  return c;
}

/** Both commodities compiled. */
export interface CompiledSupply {
  commodities: CompiledCommodity[];
  organisations: Organisation[];
}

/** Compile a validated supply section. */
export function compileSupply(network: Network, organisations: Organisation[]): CompiledSupply {
  return {
    commodities: SUPPLY_COMMODITIES.map((c) => compileCommodity(c, network[c], organisations)),
    organisations,
  };
}

export { MODULE as NETWORK_MODULE };
