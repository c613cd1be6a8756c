/**
 * Crossroads as a library: `import { … } from 'crossroads'`. Everything exported here is pure (no
 * file system, no Node built-ins), so the same code runs in Node, a worker thread, a browser and a
 * Web Worker; Node-only helpers (worker-thread ensembles, files) are in `crossroads/node`.
 *
 * Typical use: `new InThreadRunner().runPolicy({ policy: 'demand-package', seed: 1 })`, or
 * `runEnsemble({ scenario: defaultScenario(), arms, n: 100 })` for bands.
 */

export { CrossroadsError, type InputIssue } from './core/errors.js';
export {
  type AnnualRecord,
  firstDifference,
  type MonthlySeries,
  type Prepared,
  prepare,
  type RunInput,
  type RunOutput,
  releaseRun,
  runModel,
  runPaired,
} from './engine/run.js';
export * from './experiment/index.js';
export {
  type IntervalRunResult,
  type IntervalRunSpec,
  runPolicyInterval,
} from './experiment/run-interval.js';
export { outcomeSpecs, registerOutcomes } from './model/catalogue.js';
export { DEATH_GROUPS } from './model/health-outcomes.js';
export { type LeverDef, leverCatalogue } from './model/levers.js';
export type {
  CompiledOutcome,
  Direction,
  OutcomeDef,
  OutcomeFamily,
  OutcomeRead,
  OutcomeSpec,
} from './model/outcomes.js';
export { Params } from './model/params.js';
export { type Manifest, makeManifest } from './report/manifest.js';
export { type ObservedYear, observedDeaths } from './report/observed.js';
export {
  annualRecordSchema,
  intervalRunResultSchema,
  type RunResult,
  runOutputSchema,
  runPolicy,
  runResultSchema,
  type Summary,
} from './report/run-result.js';
export * from './runner/index.js';
export { defaultScenario } from './scenario/default.js';
export { noPolicy, parseDocument, resolvePolicy, resolveScenario } from './scenario/resolve.js';
export {
  SHIPPED_ACCEPTED_PATH,
  shippedAcceptedData,
  shippedPolicy,
  shippedPolicyNames,
  shippedPolicyText,
} from './scenario/shipped.js';
export { COMMODITIES, type Commodity } from './spec/commodities.js';
export { inputJsonSchemas, type Policy, type Scenario } from './spec/scenario.js';
export { MODEL_VERSION, PACKAGE_VERSION } from './version.js';
