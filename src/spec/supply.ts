/**
 * File formats of the supply side, as zod schemas (the schema is the type): the trafficking network
 * per commodity (regions or countries only, never facilities), the stylised organisations, the
 * scenario's edits to both, and assumption overlays. Every number carries its source.
 */

import { z } from 'zod';
import { COMMODITIES, type Commodity } from './commodities.js';

/** The supply side's commodities: the one list in spec/commodities.ts. */
export const SUPPLY_COMMODITIES = COMMODITIES;
export type SupplyCommodity = Commodity;

const YearValueSchema = z
  .object({
    year: z.number().int().min(1990).max(2100),
    value: z.number().finite().min(0),
    source: z.string().min(1),
    note: z.string().optional(),
  })
  .strict();

/** What limits production at a production node besides lab capacity. */
export const ProductionInputSchema = z.discriminatedUnion('kind', [
  z
    .object({
      /** Coca cultivation: potential production = area x yield. */
      kind: z.literal('cultivation'),
      areaHa: z.array(YearValueSchema).min(1),
      yieldKgPerHa: z.array(YearValueSchema).min(1),
    })
    .strict(),
  z
    .object({
      /** Precursor chemicals arriving on the node's precursor edges (fentanyl-equivalent kg). */
      kind: z.literal('precursor'),
    })
    .strict(),
]);

/** A market node's reference prices and demand (retail and wholesale per kg of the traded form). */
export const MarketSpecSchema = z
  .object({
    referenceYear: z.number().int(),
    retailUsdPerKg: z.number().positive(),
    wholesaleUsdPerKg: z.number().positive(),
    demandKgPerYear: z.number().positive(),
    /** Parameter id of the price elasticity of demand. */
    elasticityParameter: z.string().min(1),
    /** Parameter id of yearly demand growth (0 = flat). */
    demandGrowthParameter: z.string().min(1),
    /** Purity (pure share) at the reference year. */
    purity: z.number().min(0).max(1),
    /** True for the US market: the one that feeds the street-supply interface. */
    us: z.boolean().optional(),
    source: z.string().min(1),
    note: z.string().optional(),
  })
  .strict();

export const NODE_KINDS = [
  'precursor-source',
  'production',
  'transit',
  'corridor',
  'staging',
  'entry',
  'market',
  /** A region of clandestine airstrips (air departures). */
  'airstrip',
  /** A stretch of coast where maritime departures leave (go-fasts, fishing vessels). */
  'departure',
] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

/** A node: a country, a region, or a maritime/air corridor. Never a facility. */
export const NetworkNodeSchema = z
  .object({
    id: z.string().min(1),
    label: z.string().min(1),
    kind: z.enum(NODE_KINDS),
    /** ISO 3166 alpha-2 code, or a region code such as 'central-america' or 'international-waters'. */
    country: z.string().min(1),
    /** [longitude, latitude] of the country or region centroid, for drawing only. */
    centroid: z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]).optional(),
    productionCostUsdPerKg: z.number().min(0).optional(),
    input: ProductionInputSchema.optional(),
    market: MarketSpecSchema.optional(),
    source: z.string().min(1),
    note: z.string().optional(),
  })
  .strict();
export type NetworkNode = z.infer<typeof NetworkNodeSchema>;

export const EDGE_MODES = ['land', 'maritime', 'air', 'mail', 'precursor'] as const;

/** A directed edge: one leg of a route between two regions. */
export const NetworkEdgeSchema = z
  .object({
    id: z.string().min(1),
    from: z.string().min(1),
    to: z.string().min(1),
    mode: z.enum(EDGE_MODES),
    capacityKgPerYear: z.number().min(0),
    transportCostUsdPerKg: z.number().min(0),
    /** Probability that a shipment on this leg is seized at baseline enforcement. */
    detection: z.number().min(0).max(0.99),
    /** Country code of the territory or waters crossed, or 'international-waters'. */
    sovereignty: z.string().min(1),
    /** Maritime or air corridor the leg belongs to (lever target), e.g. 'eastern-pacific'. */
    corridor: z.string().optional(),
    /** US border checkpoint type (lever target): 'ports-of-entry' or 'between-ports'. */
    checkpoint: z.string().optional(),
    /** Counts in the documented non-commercial maritime flow (GAO-14-527's denominator). */
    documentedMaritime: z.boolean().optional(),
    source: z.string().min(1),
    note: z.string().optional(),
  })
  .strict();
export type NetworkEdge = z.infer<typeof NetworkEdgeSchema>;

/** One commodity's network. */
export const CommodityNetworkSchema = z
  .object({
    nodes: z.array(NetworkNodeSchema).min(2),
    edges: z.array(NetworkEdgeSchema).min(1),
  })
  .strict();
export type CommodityNetwork = z.infer<typeof CommodityNetworkSchema>;

/** The network of every commodity. */
export const NetworkSchema = z
  .object({ cocaine: CommodityNetworkSchema, fentanyl: CommodityNetworkSchema })
  .strict();
export type Network = z.infer<typeof NetworkSchema>;

/** Production capacity an organisation holds at a production node. */
export const HoldingSchema = z
  .object({
    commodity: z.enum(SUPPLY_COMMODITIES),
    node: z.string().min(1),
    capacityKgPerYear: z.number().min(0),
    inventoryKg: z.number().min(0),
    source: z.string().min(1),
  })
  .strict();

/** A stylised trafficking organisation (descriptive label, never a real group's name). */
export const OrganisationSchema = z
  .object({
    id: z.string().min(1),
    label: z.string().min(1),
    inspiredBy: z.string().optional(),
    capitalUsd: z.number().min(0),
    /** 0 = avoids any perceived risk, 1 = ignores it. */
    riskTolerance: z.number().min(0).max(1),
    holdings: z.array(HoldingSchema).min(1),
    source: z.string().min(1),
    note: z.string().optional(),
  })
  .strict();
export type Organisation = z.infer<typeof OrganisationSchema>;

const NodePatchSchema = NetworkNodeSchema.omit({ id: true }).partial().strict();
const EdgePatchSchema = NetworkEdgeSchema.omit({ id: true }).partial().strict();

/** Edits to one commodity's network: patch nodes or edges by id, add, or remove edges. */
export const CommodityNetworkEditsSchema = z
  .object({
    nodes: z.record(z.string(), NodePatchSchema).optional(),
    edges: z.record(z.string(), EdgePatchSchema).optional(),
    addNodes: z.array(NetworkNodeSchema).optional(),
    addEdges: z.array(NetworkEdgeSchema).optional(),
    removeEdges: z.array(z.string()).optional(),
  })
  .strict();
export type CommodityNetworkEdits = z.infer<typeof CommodityNetworkEditsSchema>;

export const NetworkEditsSchema = z
  .object({
    cocaine: CommodityNetworkEditsSchema.optional(),
    fentanyl: CommodityNetworkEditsSchema.optional(),
  })
  .strict();
export type NetworkEdits = z.infer<typeof NetworkEditsSchema>;

/** Edits to the organisations: patch by id, add, remove. */
export const OrganisationEditsSchema = z
  .object({
    edit: z.record(z.string(), OrganisationSchema.omit({ id: true }).partial().strict()).optional(),
    add: z.array(OrganisationSchema).optional(),
    remove: z.array(z.string()).optional(),
  })
  .strict();
export type OrganisationEdits = z.infer<typeof OrganisationEditsSchema>;

/** A named alternative assumption set, applied as an overlay on a scenario. */
const TREND_MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const TrendMonthSchema = z.string().regex(TREND_MONTH, { message: 'a month written YYYY-MM, e.g. 2026-01' });

/** The street-supply fields a trend may move (the street interface the health module reads). */
export const STREET_TREND_FIELDS = ['availability', 'potency', 'priceIndex', 'fentanylAdulteration'] as const;

/**
 * A trend on one street-supply field of one commodity in the projection (from the policy start, the
 * hand-over from the historical driver to the market): the field is multiplied by
 * (1 + annualChange)^(months / 12), months counted from `from` (at the earliest the policy start)
 * to the month (at most `until`; after `until` the level reached is held). `basis: 'market'` (the
 * default) multiplies what the market gives; `basis: 'handOver'` multiplies the field's value at
 * the hand-over instead (annualChange 0 holds it flat).
 */
export const StreetTrendSchema = z
  .object({
    commodity: z.enum(COMMODITIES),
    field: z.enum(STREET_TREND_FIELDS),
    /** Proportional change a year, e.g. -0.1 for -10% a year. */
    annualChange: z.number().gt(-1).lt(10),
    from: TrendMonthSchema.optional(),
    until: TrendMonthSchema.optional(),
    basis: z.enum(['market', 'handOver']).optional(),
    note: z.string().optional(),
  })
  .strict()
  .refine((t) => !t.from || !t.until || t.from <= t.until, {
    message: '`from` must not be after `until`',
    path: ['until'],
  })
  .refine((t) => t.field !== 'fentanylAdulteration' || t.basis !== 'handOver', {
    message: "fentanylAdulteration follows fentanyl availability at the hand-over: use basis 'market'",
    path: ['basis'],
  });
export type StreetTrend = z.infer<typeof StreetTrendSchema>;

export const AssumptionOverlaySchema = z
  .object({
    $comment: z.string().optional(),
    name: z.string().min(1),
    label: z.string().min(1),
    description: z.string().min(1),
    /** Where the claim comes from. */
    claimSource: z.string().min(1),
    /** What the evidence says. */
    evidenceNote: z.string().min(1),
    network: NetworkEditsSchema.optional(),
    organisations: OrganisationEditsSchema.optional(),
    /** Trends on the projection's street supply (alternative baselines); none by default. */
    street: z.array(StreetTrendSchema).min(1).optional(),
  })
  .strict();
export type AssumptionOverlay = z.infer<typeof AssumptionOverlaySchema>;
