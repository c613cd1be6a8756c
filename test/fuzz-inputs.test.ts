/**
 * Property-based fuzzing of scenario and policy documents (fast-check, seeded so any failure
 * replays): documents are generated from the input files' own JSON Schemas (the ones
 * `crossroads schema` exports), with ids, lever names and targets drawn from what the model
 * declares, then mutated (a value replaced by anything, a key deleted, an unknown key added). Each is
 * fed to the resolver and to `crossroads validate`. The property: never an uncaught exception; either
 * a resolved document or input errors that each name a path, the value and an expectation.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { main } from '../src/cli/main.js';
import { CrossroadsError, formatIssue } from '../src/core/errors.js';
import { leverCatalogue } from '../src/model/levers.js';
import { assumptionNames } from '../src/model/supply/index.js';
import { defaultScenario } from '../src/scenario/default.js';
import { parseDocument, resolvePolicy, resolveScenario } from '../src/scenario/resolve.js';
import { inputJsonSchemas } from '../src/spec/scenario.js';
import { captureStdio } from './helpers/stdio.js';

/** The seed of every property here; change it to explore, keep it fixed to replay. */
const SEED = 20261201;
const io = captureStdio();
const work = mkdtempSync(join(tmpdir(), 'crossroads-fuzz-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema | false;
  prefixItems?: JsonSchema[];
  minItems?: number;
  maxItems?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  $ref?: string;
};

const scenario = defaultScenario();
const parameterIds = Object.keys(scenario.parameters);
const levers = [...leverCatalogue().values()];
const targets = [...new Set(levers.flatMap((l) => l.targets ?? []))];

/** Strings the model knows for a field, by its name, so generated documents reach past the schema. */
function knownStrings(key: string): string[] | undefined {
  if (key === 'lever') return levers.map((l) => l.id);
  if (key === 'target') return targets;
  if (key === 'assumptions') return assumptionNames();
  return undefined;
}

/** Months: mostly ones the horizon and levers accept (history start, policy start, Decembers). */
const month = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom('2015-01', '2019-06', '2026-01', '2030-12', '2035-12', '2040-12') },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 2010, max: 2045 }), fc.integer({ min: 1, max: 12 }))
      .map(([y, m]) => `${y}-${String(m).padStart(2, '0')}`),
  },
);

/** An arbitrary of documents valid (mostly) against a JSON Schema, to a bounded depth. */
function fromSchema(s: JsonSchema, key = '', depth = 0): fc.Arbitrary<unknown> {
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return fc.oneof(...alts.map((a) => fromSchema(a, key, depth)));
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'string': {
      if (s.pattern?.includes('\\d{4}')) return month;
      const known = knownStrings(key);
      const free = fc.string({ minLength: s.minLength ?? 0, maxLength: 12 });
      return known
        ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: free })
        : free;
    }
    case 'integer':
      return fc.integer({ min: Math.ceil(s.minimum ?? -1000), max: Math.floor(s.maximum ?? 1_000_000) });
    case 'number': {
      const min = s.minimum ?? s.exclusiveMinimum ?? -1e7;
      const max = s.maximum ?? 1e7;
      return fc.oneof(
        fc.double({ min, max, noNaN: true, noDefaultInfinity: true }),
        fc.integer({ min: Math.ceil(min), max: Math.floor(max) }),
      );
    }
    case 'boolean':
      return fc.boolean();
    case 'array': {
      if (s.prefixItems) return fc.tuple(...s.prefixItems.map((p) => fromSchema(p, key, depth + 1)));
      if (!s.items || depth > 4) return fc.constant([]);
      return fc.array(fromSchema(s.items, key, depth + 1), {
        minLength: s.minItems ?? 0,
        maxLength: Math.min(s.maxItems ?? 4, 4),
      });
    }
    case 'object': {
      if (depth > 5) return fc.constant({});
      const props = s.properties ?? {};
      const required = new Set(s.required ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      // Optional parts appear one time in four, so a document is often small enough to be valid.
      for (const [k, v] of Object.entries(props)) {
        const value = fromSchema(v, k, depth + 1);
        record[k] = required.has(k)
          ? value
          : fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: value });
      }
      const fixed = fc
        .record(record)
        .map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)));
      if (typeof s.additionalProperties === 'object') {
        // Records keyed by id: the parameters of the scenario, mostly declared ones.
        const keys =
          key === 'parameters'
            ? fc.oneof(
                { weight: 5, arbitrary: fc.constantFrom(...parameterIds) },
                { weight: 1, arbitrary: fc.string() },
              )
            : fc.string({ maxLength: 10 });
        const extra = fc.dictionary(keys, fromSchema(s.additionalProperties, key, depth + 1), { maxKeys: 4 });
        return fc.tuple(fixed, extra).map(([a, b]) => ({ ...b, ...a }));
      }
      return fixed;
    }
    default:
      return fc.anything({ maxDepth: 2 });
  }
}

type Path = (string | number)[];

function paths(v: unknown, base: Path = [], out: Path[] = []): Path[] {
  out.push(base);
  if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) paths(x, [...base, Array.isArray(v) ? Number(k) : k], out);
  }
  return out;
}

/** Mutations applied at a chosen path of a document. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), value: fc.anything({ maxDepth: 2 }) }),
  fc.record({ kind: fc.constant('delete' as const) }),
  fc.record({ kind: fc.constant('unknown-key' as const), key: fc.string({ maxLength: 8 }) }),
  fc.record({
    kind: fc.constant('number' as const),
    value: fc.oneof(fc.double(), fc.constantFrom(-1, 0, 1e308, -1e-300, Number.NaN)),
  }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(doc: unknown, at: number, m: Mutation): unknown {
  const copy = structuredClone(doc);
  const all = paths(copy);
  const path = all[at % all.length];
  if (path.length === 0) return m.kind === 'replace' ? m.value : copy;
  let parent = copy as Record<string | number, unknown>;
  for (const p of path.slice(0, -1)) parent = parent[p] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (m.kind === 'replace' || m.kind === 'number') parent[last] = m.value;
  else if (m.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else if (parent[last] && typeof parent[last] === 'object' && !Array.isArray(parent[last]))
    (parent[last] as Record<string, unknown>)[m.key] = 1;
  return copy;
}

const schemas = inputJsonSchemas() as { scenario: JsonSchema; policy: JsonSchema };
const scenarioDoc = fromSchema(schemas.scenario);
const policyDoc = fromSchema(schemas.policy);
const mutated = (doc: fc.Arbitrary<unknown>) =>
  fc
    .tuple(doc, fc.array(fc.tuple(fc.nat(), mutation), { maxLength: 3 }))
    .map(([d, ms]) => ms.reduce((acc, [at, m]) => mutate(acc, at, m), d));

/** The property: a result, or input errors that each name a path, a value and an expectation. */
function resolvesOrNamesPaths(resolve: () => unknown): { ok: boolean; issues: number } {
  try {
    resolve();
    return { ok: true, issues: 0 };
  } catch (err) {
    if (!(err instanceof CrossroadsError)) throw err;
    expect(err.issues.length).toBeGreaterThan(0);
    for (const issue of err.issues) {
      expect(typeof issue.path).toBe('string');
      expect(issue.expected.length).toBeGreaterThan(0);
      expect(formatIssue(issue)).toMatch(/: got .*, expected /);
    }
    return { ok: false, issues: err.issues.length };
  }
}

describe('fuzzing scenario and policy documents (fast-check, seeded)', () => {
  it('scenario documents from the schema, mutated: resolved or errors naming paths', () => {
    let ok = 0;
    let bad = 0;
    fc.assert(
      fc.property(mutated(scenarioDoc), (doc) => {
        const r = resolvesOrNamesPaths(() => resolveScenario(doc));
        if (r.ok) ok++;
        else bad++;
      }),
      { seed: SEED, numRuns: 1500 },
    );
    // Both outcomes are exercised: the generator reaches valid documents and broken ones.
    expect(ok).toBeGreaterThan(50);
    expect(bad).toBeGreaterThan(50);
  });

  it('policy documents from the schema, mutated: resolved or errors naming paths', () => {
    let ok = 0;
    let bad = 0;
    fc.assert(
      fc.property(mutated(policyDoc), (doc) => {
        const r = resolvesOrNamesPaths(() => resolvePolicy(doc, scenario));
        if (r.ok) ok++;
        else bad++;
      }),
      { seed: SEED, numRuns: 2000 },
    );
    expect(ok).toBeGreaterThan(50);
    expect(bad).toBeGreaterThan(50);
  });

  it('any text as a .json or .yaml file: parsed, or one error naming the file', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.json()), fc.boolean(), (text, json) => {
        const label = json ? 'doc.json' : 'doc.yaml';
        resolvesOrNamesPaths(() => {
          const doc = parseDocument(text, label);
          return json ? resolvePolicy(doc, scenario) : resolveScenario(doc);
        });
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it('crossroads validate on mutated files: exit 0 or 2, one line per problem, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(mutated(scenarioDoc), mutated(policyDoc)),
        fc.boolean(),
        async (doc, asJson) => {
          const file = join(work, asJson ? 'doc.json' : 'doc.yaml');
          writeFileSync(file, asJson ? (JSON.stringify(doc) ?? 'null') : (stringify(doc) ?? 'null'));
          io.out = '';
          io.err = '';
          const code = await main(['validate', file]);
          expect([0, 2]).toContain(code);
          if (code === 0) expect(io.out).toMatch(/: valid (scenario|policy)\n$/);
          else {
            expect(io.err).not.toMatch(/internal error|\n\s+at /);
            for (const line of io.err.trim().split('\n'))
              expect(line).toMatch(/problems? in this|: got .*, expected /);
          }
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });
});
