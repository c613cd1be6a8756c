/** Model runners: one interface, an in-thread and a Web Worker implementation. */

export { InThreadRunner, toRecord } from './in-thread.js';
export type { ModelRunner, OutcomeMeta, PolicyRef, RunRecord, RunRequest } from './model-runner.js';
export { type MessageEndpoint, serveModelRunner, WorkerRunner } from './web-worker.js';
