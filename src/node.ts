/**
 * Crossroads' Node-only helpers: `import { … } from 'crossroads/node'`. Ensembles on worker threads
 * and reading scenario, policy and accepted-set files. Everything else is in `crossroads` (pure).
 */

export { loadPolicy, loadScenario, shippedPolicies } from './cli/inputs.js';
export { loadAcceptedSets } from './experiment/accepted-file.js';
export {
  checkThreads,
  executorFor,
  maxThreads,
  WorkerThreadsExecutor,
} from './experiment/worker-executor.js';
