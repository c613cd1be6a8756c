/**
 * Outcomes, declared once (in the manner of the EMA Workbench's `model.outcomes`). Each model module
 * exports its outcomes as data: the dotted path in the annual record, a label, a unit, a direction
 * (minimise / maximise / info), how a year aggregates the months, the summary over the projection
 * window, and how the value is read from the simulation state. The engine's annual and monthly
 * records, the output JSON Schema, the ensembles' bands and directions and the CLI's outcome names all
 * come from this list; nothing downstream lists outcomes by name.
 */

import { COMMODITIES } from '../spec/commodities.js';
import type { SimState } from './state.js';

/** Whether smaller or larger is better, or neither. */
export type Direction = 'minimise' | 'maximise' | 'info';

/** How an annual outcome is summarised over the projection window. */
export type SummaryStatistic = 'sum' | 'last';

/** What the readers of a run may see at compile time (for keyed families such as corridors). */
export interface OutcomeContext {
  /** The compiled supply side (typed loosely here: only its own declarations read it). */
  supply: unknown;
  /** Parameter values by id. */
  param(id: string): number;
}

/**
 * A monthly reading: a function of the state, or (faster, for the hot loop) an element of a typed
 * array the module keeps for the whole run, found once per run by `array(sim)`.
 */
export type Reading = ((sim: SimState) => number) | { array: (sim: SimState) => Float64Array; index: number };

/**
 * How a value is read. `sum` / `mean` / `end`: the engine takes the reading every month (`end`: in
 * December only) and aggregates the year; `ratio`: `scale · Σ num / Σ den` over the year (0 when the
 * denominator is not positive); `year`: the module computes the year itself from its own monthly
 * records at December (`t` is December's step); `planOnly` marks a value that depends only on the
 * policy's plan (its cost), recomputed for each arm of a forked run.
 */
export type OutcomeRead =
  | { aggregate: 'sum' | 'mean' | 'end'; value: Reading }
  | { aggregate: 'ratio'; num: Reading; den: Reading; scale: number }
  | {
      aggregate: 'year';
      value: (sim: SimState, t: number) => number;
      /** The same reader bound to one run (what it needs found once, when the run starts). */
      bind?: (sim: SimState) => (t: number) => number;
      planOnly?: boolean;
    };

/** One outcome (a leaf of the annual record). */
export interface OutcomeDef {
  /** Dotted path in the annual record, e.g. `deaths.total`. */
  path: string;
  label: string;
  unit: string;
  direction: Direction;
  /** Summary over the projection window, if the outcome has one. */
  summary?: SummaryStatistic;
  /** Also recorded month by month under this name when monthly series are asked for. */
  series?: string;
  /** What the number means, with its caveats (shown in `crossroads outcomes`). */
  note?: string;
  /** A potential risk of a policy: always reported beside the intended outcomes. */
  risk?: boolean;
  /**
   * Also report the probability that the outcome's summary over the window is positive, under this
   * label (e.g. "P(diplomatic crisis)"); the action table shows it beside the amount.
   */
  probability?: string;
  /** How the value is read; a function when the reader needs the scenario's parameters. */
  read: OutcomeRead | ((ctx: OutcomeContext) => OutcomeRead);
}

/** An outcome expanded for one scenario: its reader resolved. */
export interface CompiledOutcome extends Omit<OutcomeDef, 'read'> {
  read: OutcomeRead;
}

/**
 * A family of outcomes with one `{key}` segment in its path, expanded per scenario (corridors of the
 * network, sovereignties). `read` receives the key's index in `keys(ctx)`.
 */
export interface OutcomeFamily extends Omit<OutcomeDef, 'read'> {
  keys: (ctx: OutcomeContext) => readonly string[];
  read: (key: string, index: number, ctx: OutcomeContext) => OutcomeRead;
}

export type OutcomeSpec = OutcomeDef | OutcomeFamily;

/** Is this declaration a keyed family? */
export function isFamily(s: OutcomeSpec): s is OutcomeFamily {
  return 'keys' in s;
}

/** Expand declarations for one scenario: families become one outcome per key, in declared order. */
export function expandOutcomes(specs: readonly OutcomeSpec[], ctx: OutcomeContext): CompiledOutcome[] {
  const out: CompiledOutcome[] = [];
  const seen = new Set<string>();
  const push = (d: CompiledOutcome): void => {
    if (seen.has(d.path)) throw new Error(`model/outcomes: outcome "${d.path}" is declared twice`);
    seen.add(d.path);
    out.push(d);
  };
  for (const s of specs) {
    if (isFamily(s)) {
      const { keys, read, ...meta } = s;
      keys(ctx).forEach((key, i) => {
        push({ ...meta, path: s.path.replace('{key}', key), read: read(key, i, ctx) });
      });
    } else push({ ...s, read: typeof s.read === 'function' ? s.read(ctx) : s.read });
  }
  return out;
}

/** Declarations for one field per commodity, `prefix.{commodity}.suffix`, in the commodities' order. */
export function perCommodity(
  make: (commodity: (typeof COMMODITIES)[number]) => OutcomeSpec[],
): OutcomeSpec[] {
  return COMMODITIES.flatMap((c) => make(c));
}
