/** Experiments: sampling, ensembles, paired comparisons, executors and their outputs. */

export {
  type ActionAttribution,
  type ActionEntry,
  type ActionRow,
  fmtEntry,
  isNonZero,
} from './actions.js';
export * from './chunk.js';
export * from './ensemble.js';
export * from './executor.js';
export * from './outcomes.js';
export * from './paired.js';
export * from './report.js';
export * from './sampling.js';
export * from './views.js';
