/** Experiments: sampling, ensembles, paired comparisons, executors and their outputs. */

export * from './chunk.js';
export * from './ensemble.js';
export * from './executor.js';
export * from './outcomes.js';
export * from './paired.js';
export * from './report.js';
export * from './sampling.js';
export * from './views.js';
