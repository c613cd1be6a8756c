/**
 * The file formats, as zod schemas: the schema is the type. Scenario files set the world (parameters
 * with uncertainty and sources, historical series); policy files are packages of levers with time
 * profiles. Both export JSON Schema (`crossroads schema`) so editors validate them.
 */

import { z } from 'zod';
import {
  NetworkEditsSchema,
  NetworkSchema,
  OrganisationEditsSchema,
  OrganisationSchema,
  StreetTrendSchema,
} from './supply.js';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
/** A month written `YYYY-MM`. */
export const MonthSchema = z.string().regex(MONTH, { message: 'a month written YYYY-MM, e.g. 2026-01' });

/** How a parameter's uncertainty is drawn within its range. */
export const DistributionSchema = z.enum(['uniform', 'loguniform', 'triangular']);

/** One parameter: value, uncertainty, unit, source and note, declared once. */
export const ParameterSpecSchema = z
  .object({
    value: z.number().finite(),
    unit: z.string().min(1),
    source: z.string().min(1),
    note: z.string().optional(),
    range: z.tuple([z.number().finite(), z.number().finite()]).optional(),
    distribution: DistributionSchema.optional(),
    /** Set for parameters fitted by `crossroads calibrate`; ensembles draw them from the accepted sets. */
    calibrated: z.boolean().optional(),
  })
  .strict();
export type ParameterSpec = z.infer<typeof ParameterSpecSchema>;

/** An override of a parameter in a user scenario: a bare number or a partial declaration. */
export const ParameterOverrideSchema = z.union([
  z.number().finite(),
  z
    .object({
      value: z.number().finite().optional(),
      unit: z.string().optional(),
      source: z.string().optional(),
      note: z.string().optional(),
      range: z.tuple([z.number().finite(), z.number().finite()]).optional(),
      distribution: DistributionSchema.optional(),
    })
    .strict(),
]);

/** One year of a street-supply indicator series (supply-side evidence only, never deaths). */
export const StreetSupplyRowSchema = z
  .object({
    year: z.number().int().min(1990).max(2100),
    availability: z.number().finite().min(0),
    priceIndex: z.number().finite().positive(),
    potency: z.number().finite().min(0),
    source: z.string().min(1),
    note: z.string().optional(),
  })
  .strict();
export type StreetSupplyRow = z.infer<typeof StreetSupplyRowSchema>;

/** A yearly series of one quantity with its source per row. */
export const SeriesRowSchema = z
  .object({
    year: z.number().int().min(1990).max(2100),
    value: z.number().finite().min(0),
    source: z.string().min(1),
    note: z.string().optional(),
  })
  .strict();
export type SeriesRow = z.infer<typeof SeriesRowSchema>;

/** A demand-led market's reference consumption in a year (kg pure a year), with the range the evidence allows. */
export const DemandRowSchema = z
  .object({
    year: z.number().int().min(1990).max(2100),
    value: z.number().finite().positive(),
    low: z.number().finite().positive(),
    high: z.number().finite().positive(),
    source: z.string().min(1),
    note: z.string().optional(),
  })
  .strict()
  .refine((r) => r.low <= r.value && r.value <= r.high, {
    message: 'expected low <= value <= high',
  });
export type DemandRow = z.infer<typeof DemandRowSchema>;

/** Historical inputs that drive the model before the projection. */
export const HistorySchema = z
  .object({
    streetSupply: z
      .object({
        fentanyl: z.array(StreetSupplyRowSchema).min(1),
        cocaine: z.array(StreetSupplyRowSchema).min(1),
      })
      .strict(),
    treatmentCapacity: z.array(SeriesRowSchema).min(1),
    naloxoneKits: z.array(SeriesRowSchema).min(1),
    /** Methamphetamine supply index (seizures, first row = 1 at the first year's level); health reads it. */
    methamphetamine: z.array(SeriesRowSchema).min(1).optional(),
    /**
     * Demand as data: by commodity, by market node id, the market's reference consumption by year
     * (data/history/market-demand.json). A market listed here is demand-led; one not listed clears
     * what arrives.
     */
    /**
     * Share of the fentanyl precursor supply reaching labs by year (1 = before controls;
     * data/history/fentanyl-precursors.json); absent = 1 throughout.
     */
    precursorSupply: z.array(SeriesRowSchema).min(1).optional(),
    marketDemand: z
      .partialRecord(
        z.enum(['cocaine', 'fentanyl']),
        z.record(z.string().min(1), z.array(DemandRowSchema).min(1)),
      )
      .optional(),
  })
  .strict();
export type History = z.infer<typeof HistorySchema>;

/** A complete, resolved scenario (what the model runs on). */
export const ScenarioSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    horizon: z.object({ start: MonthSchema, end: MonthSchema }).strict(),
    /** Month new policies start unless a lever says otherwise. */
    policyStart: MonthSchema,
    /** Last year of historical data; inputs are held flat after it. */
    lastDataYear: z.number().int(),
    economics: z
      .object({
        dollarYear: z.literal(2024),
        discountRate: z.number().min(0).max(0.2),
      })
      .strict(),
    parameters: z.record(z.string(), ParameterSpecSchema),
    history: HistorySchema,
    /** The trafficking network per commodity (regions and countries only). */
    network: NetworkSchema,
    /** Stylised trafficking organisations. */
    organisations: z.array(OrganisationSchema),
    /** Names of the alternative assumption sets applied (none by default). */
    assumptions: z.array(z.string()),
    /** Trends on the projection's street supply from the assumption sets applied (absent by default). */
    streetTrends: z.array(StreetTrendSchema).optional(),
  })
  .strict();
export type Scenario = z.infer<typeof ScenarioSchema>;

/** A scenario file as a user writes it: overrides on top of a base scenario (the default). */
export const ScenarioFileSchema = z
  .object({
    $schema: z.string().optional(),
    name: z.string().min(1),
    description: z.string().optional(),
    base: z.literal('default').optional(),
    horizon: z.object({ start: MonthSchema.optional(), end: MonthSchema.optional() }).strict().optional(),
    policyStart: MonthSchema.optional(),
    economics: z
      .object({ discountRate: z.number().min(0).max(0.2).optional() })
      .strict()
      .optional(),
    parameters: z.record(z.string(), ParameterOverrideSchema).optional(),
    history: HistorySchema.partial().optional(),
    /** Alternative assumption sets to apply, by name (e.g. venezuela-fentanyl). */
    assumptions: z.array(z.string()).optional(),
    /** Edits to the trafficking network: patch nodes or edges by id, add, remove. */
    network: NetworkEditsSchema.optional(),
    /** Edits to the organisations: patch by id, add, remove. */
    organisations: OrganisationEditsSchema.optional(),
  })
  .strict();
export type ScenarioFile = z.infer<typeof ScenarioFileSchema>;

/** One lever in a policy: which lever, how strong (natural units), when. */
export const LeverUseSchema = z
  .object({
    lever: z.string().min(1),
    /** For levers that act on one place (a corridor, a country): its id. */
    target: z.string().optional(),
    intensity: z.number().finite(),
    start: MonthSchema.optional(),
    end: MonthSchema.optional(),
    /** Months of linear ramp from zero to full intensity. */
    rampMonths: z.number().int().min(0).max(120).optional(),
    /**
     * The action this entry belongs to (entries with the same label form one action of the Action ·
     * Intended Outcome · Potential Risk table); by default each entry is its own action.
     */
    action: z.string().min(1).max(80).optional(),
  })
  .strict();
export type LeverUse = z.infer<typeof LeverUseSchema>;

/** A policy file: a package of levers. */
export const PolicySchema = z
  .object({
    $schema: z.string().optional(),
    name: z.string().min(1),
    description: z.string().optional(),
    levers: z.array(LeverUseSchema).max(100),
    /**
     * Where the observed street-supply history hands over to the market, in every arm of a comparison
     * with this policy: at the scenario's policy start (default), or `before-first-action`: at the
     * month before this policy first acts, when that is earlier (the history signals of the months
     * it already acted contain whatever it did, so neither arm uses them).
     */
    handOver: z.enum(['policy-start', 'before-first-action']).optional(),
  })
  .strict();
export type Policy = z.infer<typeof PolicySchema>;

/** Export the JSON Schemas of the input files. */
export function inputJsonSchemas(): Record<string, unknown> {
  return {
    scenario: z.toJSONSchema(ScenarioFileSchema, { io: 'input' }),
    policy: z.toJSONSchema(PolicySchema, { io: 'input' }),
  };
}
