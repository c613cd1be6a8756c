/**
 * The recorder: turns the declared outcomes (model/outcomes.ts) into the run's annual records and
 * monthly series. Monthly readers are accumulated into a flat accumulator; in December every
 * outcome's value for the year goes into a flat row (`values`, years x outcomes, what ensembles read)
 * and the nested annual record is built from that row by a precompiled list of object operations.
 */

import type { CompiledOutcome, OutcomeRead, Reading } from '../model/outcomes.js';
import type { SimState } from '../model/state.js';

/** How the recorder reads each outcome, compiled once per outcome list. */
export interface RecorderPlan {
  outcomes: readonly CompiledOutcome[];
  /** Monthly readings, each adding into accumulator slot `accSlot[k]`. */
  monthly: Reading[];
  accSlot: Int32Array;
  accSize: number;
  /** Per outcome: the accumulator slot(s) it uses (-1 if none). */
  slotA: Int32Array;
  slotB: Int32Array;
  /** Outcomes recorded as monthly series, with their series names. */
  series: { index: number; name: string; value: Reading }[];
  /** Builds the nested annual record from a row of values. */
  build: (values: Float64Array, offset: number, year: number) => Record<string, unknown>;
}

const plans = new WeakMap<readonly CompiledOutcome[], RecorderPlan>();

/** Compile (once per outcome list) how the recorder reads and builds. */
export function recorderPlan(outcomes: readonly CompiledOutcome[]): RecorderPlan {
  const hit = plans.get(outcomes);
  if (hit) return hit;
  const monthly: Reading[] = [];
  const slots: number[] = [];
  const slotA = new Int32Array(outcomes.length).fill(-1);
  const slotB = new Int32Array(outcomes.length).fill(-1);
  let accSize = 0;
  const series: RecorderPlan['series'] = [];
  outcomes.forEach((o, i) => {
    const r = o.read;
    if (r.aggregate === 'sum' || r.aggregate === 'mean') {
      slotA[i] = accSize++;
      monthly.push(r.value);
      slots.push(slotA[i]);
    } else if (r.aggregate === 'ratio') {
      slotA[i] = accSize++;
      slotB[i] = accSize++;
      monthly.push(r.num, r.den);
      slots.push(slotA[i], slotB[i]);
    }
    if (o.series) {
      if (r.aggregate === 'year' || r.aggregate === 'ratio') {
        throw new Error(`engine/recorder: outcome "${o.path}" has a series but is not read monthly`);
      }
      series.push({ index: i, name: o.series, value: r.value });
    }
  });
  const plan: RecorderPlan = {
    outcomes,
    monthly,
    accSlot: Int32Array.from(slots),
    accSize,
    slotA,
    slotB,
    series,
    build: compileBuilder(outcomes.map((o) => o.path)),
  };
  plans.set(outcomes, plan);
  return plan;
}

/** A run's readings, bound to its state: typed-array readings resolved once, functions kept. */
export interface BoundReadings {
  /** Array readings: `arrays[k][index[k]]` adds to `acc[slot[k]]`. */
  arrays: Float64Array[];
  index: Int32Array;
  slot: Int32Array;
  /** Function readings: `fns[k](sim)` adds to `acc[fnSlot[k]]`. */
  fns: ((sim: SimState) => number)[];
  fnSlot: Int32Array;
  /** Year readers bound to this run, by outcome (undefined: the reader takes the state). */
  year: (((t: number) => number) | undefined)[];
}

/** Bind the plan's monthly readings to one run's state (its module arrays live for the whole run). */
export function bindReadings(plan: RecorderPlan, sim: SimState): BoundReadings {
  const arrays: Float64Array[] = [];
  const index: number[] = [];
  const slot: number[] = [];
  const fns: ((sim: SimState) => number)[] = [];
  const fnSlot: number[] = [];
  plan.monthly.forEach((r, k) => {
    if (typeof r === 'function') {
      fns.push(r);
      fnSlot.push(plan.accSlot[k]);
    } else {
      arrays.push(r.array(sim));
      index.push(r.index);
      slot.push(plan.accSlot[k]);
    }
  });
  const year = plan.outcomes.map((o) => (o.read.aggregate === 'year' ? o.read.bind?.(sim) : undefined));
  return {
    arrays,
    index: Int32Array.from(index),
    slot: Int32Array.from(slot),
    fns,
    fnSlot: Int32Array.from(fnSlot),
    year,
  };
}

/** Read a reading now (series and `end` values). */
export function readNow(r: Reading, sim: SimState): number {
  return typeof r === 'function' ? r(sim) : r.array(sim)[r.index];
}

/** Add this month's readings to the accumulators. */
export function accumulate(b: BoundReadings, sim: SimState, acc: Float64Array): void {
  const { arrays, index, slot, fns, fnSlot } = b;
  for (let k = 0; k < arrays.length; k++) acc[slot[k]] += arrays[k][index[k]];
  for (let k = 0; k < fns.length; k++) acc[fnSlot[k]] += fns[k](sim);
}

/** The year's values (December is step `t`) into `values[offset ...]`; clears the accumulators. */
export function closeYear(
  plan: RecorderPlan,
  bound: BoundReadings,
  sim: SimState,
  t: number,
  acc: Float64Array,
  values: Float64Array,
  offset: number,
): void {
  const { outcomes, slotA, slotB } = plan;
  const year = bound.year;
  for (let i = 0; i < outcomes.length; i++) {
    const y = year[i];
    values[offset + i] = y ? y(t) : yearValue(outcomes[i].read, sim, t, acc, slotA[i], slotB[i]);
  }
  acc.fill(0);
}

function yearValue(
  r: OutcomeRead,
  sim: SimState,
  t: number,
  acc: Float64Array,
  a: number,
  b: number,
): number {
  switch (r.aggregate) {
    case 'sum':
      return acc[a];
    case 'mean':
      return acc[a] / 12;
    case 'ratio':
      return acc[b] > 0 ? (r.scale * acc[a]) / acc[b] : 0;
    case 'end':
      return readNow(r.value, sim);
    case 'year':
      return r.value(sim, t);
  }
}

/**
 * Recompute, for years already recorded by another run that was forked into this one, the outcomes
 * that depend on the policy's own plan (its cost): the forked months' state is shared, the plan is not.
 */
export function replanYears(plan: RecorderPlan, sim: SimState, values: Float64Array, years: number): void {
  const { outcomes } = plan;
  const n = outcomes.length;
  for (let i = 0; i < n; i++) {
    const r = outcomes[i].read;
    if (r.aggregate !== 'year' || !r.planOnly) continue;
    for (let y = 0; y < years; y++) values[y * n + i] = r.value(sim, 12 * y + 11);
  }
}

type Op =
  | { kind: 'obj'; parent: number; key: string; slot: number }
  | { kind: 'num'; parent: number; key: string; index: number };

/**
 * A builder of nested records from dotted paths: keys in declaration order (an object appears where
 * its first leaf does). Compiled to one object literal (`new Function`), which V8 creates and
 * serialises as fast as hand-written code; where code generation is not allowed (a strict Content
 * Security Policy), the generic builder below gives the same records.
 */
export function compileBuilder(paths: readonly string[]): RecorderPlan['build'] {
  try {
    return literalBuilder(paths);
  } catch {
    return genericBuilder(paths);
  }
}

type Tree = Map<string, Tree | number>;

/** The builder as generated code: `{ year, "deaths": { "total": v[o + 0], ... }, ... }`. */
function literalBuilder(paths: readonly string[]): RecorderPlan['build'] {
  const root: Tree = new Map();
  paths.forEach((path, index) => {
    const parts = path.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      let next = node.get(part);
      if (next === undefined) {
        next = new Map();
        node.set(part, next);
      }
      if (typeof next === 'number') throw new Error(`engine/recorder: "${path}" is both a value and a group`);
      node = next;
    }
    node.set(parts[parts.length - 1], index);
  });
  const literal = (t: Tree): string =>
    `{${[...t].map(([k, v]) => `${JSON.stringify(k)}: ${typeof v === 'number' ? `v[o + ${v}]` : literal(v)}`).join(', ')}}`;
  const body = `return { year: year${root.size ? `, ${literal(root).slice(1, -1)}` : ''} };`;
  return new Function('v', 'o', 'year', body) as RecorderPlan['build'];
}

/** The builder without code generation: the same records, built key by key. */
export function genericBuilder(paths: readonly string[]): RecorderPlan['build'] {
  const ops: Op[] = [];
  const slotOf = new Map<string, number>([['', 0]]);
  paths.forEach((path, index) => {
    const parts = path.split('.');
    let parentPath = '';
    for (let d = 0; d < parts.length - 1; d++) {
      const here = parentPath ? `${parentPath}.${parts[d]}` : parts[d];
      if (!slotOf.has(here)) {
        const slot = slotOf.size;
        slotOf.set(here, slot);
        ops.push({ kind: 'obj', parent: slotOf.get(parentPath)!, key: parts[d], slot });
      }
      parentPath = here;
    }
    ops.push({ kind: 'num', parent: slotOf.get(parentPath)!, key: parts[parts.length - 1], index });
  });
  const nObjects = slotOf.size;
  return (values, offset, year) => {
    const objs: Record<string, unknown>[] = new Array(nObjects);
    objs[0] = { year };
    for (const op of ops) {
      if (op.kind === 'obj') {
        const o = {};
        objs[op.slot] = o;
        objs[op.parent][op.key] = o;
      } else objs[op.parent][op.key] = values[offset + op.index];
    }
    return objs[0];
  };
}
