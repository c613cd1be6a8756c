/** Worker-thread entry: runs one optimisation or one posterior chain (`chains.ts` sends the job). */

import { parentPort } from 'node:worker_threads';
import { type Job, runJob } from './chains.js';

const port = parentPort;
if (!port) throw new Error('calibration/chain-worker: must run in a worker thread');
port.on('message', (job: Job) => {
  try {
    const result = runJob(job);
    const transfer =
      result && 'draws' in result
        ? [result.draws.buffer as ArrayBuffer, result.logDensity.buffer as ArrayBuffer]
        : [];
    port.postMessage({ ok: true, result }, transfer);
  } catch (err) {
    port.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) });
  }
});
