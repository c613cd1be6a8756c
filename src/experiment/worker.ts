/**
 * Worker-thread entry: receives tasks from WorkerThreadsExecutor and runs them with the same task
 * registry as the in-process executor. The job's shared data comes once per job; the context built
 * from it is kept until the next job.
 */

import { parentPort } from 'node:worker_threads';
import { errorData, transferables } from './executor.js';
import { TASKS, type TaskName } from './tasks.js';

/** A message from the pool. */
export interface TaskMessage {
  type: 'task';
  job: number;
  kind: TaskName;
  /** Present the first time this worker sees `job`. */
  shared?: unknown;
  index: number;
  input: unknown;
}

/** A message to the pool. */
export type ReplyMessage =
  | { type: 'result'; job: number; index: number; result: unknown }
  | { type: 'error'; job: number; index: number; error: ReturnType<typeof errorData> };

const port = parentPort;
if (!port) throw new Error('experiment/worker: must run in a worker thread');
let current: { job: number; context: unknown } | undefined;

port.on('message', (msg: TaskMessage) => {
  try {
    const task = TASKS[msg.kind] as { setup(s: unknown): unknown; run(c: unknown, i: unknown): unknown };
    if (!current || current.job !== msg.job) {
      if (msg.shared === undefined) throw new Error(`experiment/worker: no shared data for job ${msg.job}`);
      current = { job: msg.job, context: task.setup(msg.shared) };
    }
    const result = task.run(current.context, msg.input);
    // Typed arrays (a chunk's values) move to the main thread without a copy.
    port.postMessage(
      { type: 'result', job: msg.job, index: msg.index, result } satisfies ReplyMessage,
      transferables(result),
    );
  } catch (err) {
    port.postMessage({
      type: 'error',
      job: msg.job,
      index: msg.index,
      error: errorData(err),
    } satisfies ReplyMessage);
  }
});
