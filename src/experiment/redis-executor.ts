/**
 * A distributed executor on BullMQ (a Redis-backed job queue, https://docs.bullmq.io): the same
 * `Executor` interface and task registry as the in-process and worker-thread executors, so results are
 * the same bit for bit (each task's result goes back to the caller keyed by its index, and ensembles
 * merge chunks in index order). `crossroads worker --redis URL` serves tasks on any machine that can
 * reach the Redis server.
 *
 * Protocol: a `map` call gets a run id; its shared data (the job: scenario, arms, ...) is stored once
 * under `crossroads:shared:RUN` (workers fetch and cache it); each input is a BullMQ job
 * `{ run, kind, index, input }` with job id `RUN-INDEX`. A worker stores the encoded result under
 * `crossroads:result:RUN:INDEX` and completes the job; the caller, told by BullMQ's queue events (and
 * by a sweep every few seconds, should an event be missed), reads and deletes it. Events stay small,
 * so Redis's event stream does not hold the results. A worker that dies mid-task loses its job lock; after
 * `lockDuration` BullMQ's stalled-job check (run by every live worker) puts the job back in the queue
 * and another worker runs it: no task is lost, and a task's result does not depend on who ran it. A
 * task that throws fails its job without retry, and the caller rethrows the error (input errors keep
 * their field, value and expectation). Abort (Ctrl-C) removes the run's waiting jobs and its data.
 *
 * Values cross the wire as JSON with typed arrays as base64 of their bytes, so every double arrives
 * bit for bit.
 */

import { randomUUID } from 'node:crypto';
import { Worker as Thread } from 'node:worker_threads';
import { type Job, Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { fail } from '../core/errors.js';
import { type Executor, errorData, InterruptedError, type MapOptions, reviveError } from './executor.js';
import { type InputOf, type ResultOf, type SharedOf, TASKS, type TaskName } from './tasks.js';
import type { ReplyMessage, TaskMessage } from './worker.js';
import { defaultWorkerUrl } from './worker-executor.js';

const MODULE = 'experiment/redis-executor';

/** Settings. */
export const REDIS_DEFAULTS = {
  queue: 'crossroads',
  /** How long a worker's lock on a task lasts without renewal (renewed every half of it while the task runs on its thread). */
  lockDurationMs: 30_000,
  /** How often workers look for tasks whose worker died. */
  stalledIntervalMs: 15_000,
  /** How many times a task may be recovered from dead workers before it fails. */
  maxStalledCount: 20,
  /** How long a run's shared data and unread results stay in Redis if its caller dies. */
  sharedTtlSeconds: 24 * 3600,
  /** How often the caller looks for stored results whose completion event it missed. */
  sweepMs: 3000,
} as const;

/** Timing options (tests shorten them to see a killed worker's task recovered quickly). */
export interface RedisTiming {
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

/** Parse and check a Redis URL (redis://[user:password@]host[:port][/db]). */
export function checkRedisUrl(url: string, flag = '--redis'): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return fail('cli', flag, url, 'a Redis URL such as redis://127.0.0.1:6379');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    fail('cli', flag, url, 'a redis:// or rediss:// URL');
  return u;
}

/** Connection options for BullMQ from a URL. */
function connectionOf(url: string) {
  const u = checkRedisUrl(url);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: Number.isSafeInteger(db) ? db : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    // BullMQ workers block on Redis; they need unlimited retries per request.
    maxRetriesPerRequest: null,
  };
}

// ---- wire format ------------------------------------------------------------------------------

const TYPED = {
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
} as const;
type TypedName = keyof typeof TYPED;

/** JSON with typed arrays as `{ $typed, base64 }`, so doubles cross bit for bit. */
export function encode(value: unknown): string {
  return JSON.stringify(value, function (this: unknown, _key, v) {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      const name = v.constructor.name as TypedName;
      if (!(name in TYPED)) throw new Error(`${MODULE}: cannot send a ${name}`);
      return { $typed: name, base64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
    }
    if (typeof v === 'number' && !Number.isFinite(v)) return { $number: String(v) };
    return v;
  });
}

/** The inverse of `encode`. */
export function decode<T>(text: string): T {
  return JSON.parse(text, (_key, v) => {
    if (v && typeof v === 'object' && typeof v.$typed === 'string' && typeof v.base64 === 'string') {
      const Ctor = TYPED[v.$typed as TypedName];
      if (!Ctor) throw new Error(`${MODULE}: unknown typed array ${v.$typed}`);
      const bytes = Buffer.from(v.base64, 'base64');
      // Copy into a fresh, aligned buffer.
      const buf = new ArrayBuffer(bytes.length);
      new Uint8Array(buf).set(bytes);
      return new Ctor(buf);
    }
    if (v && typeof v === 'object' && typeof v.$number === 'string' && Object.keys(v).length === 1)
      return Number(v.$number);
    return v;
  }) as T;
}

/** What a queued job carries. */
interface TaskData {
  run: string;
  kind: TaskName;
  index: number;
  input: string;
}

/** What a worker returns. */
type TaskReturn = { ok: true } | { ok: false; error: ReturnType<typeof errorData> };

const sharedKey = (run: string): string => `crossroads:shared:${run}`;
const resultKey = (run: string, index: number): string => `crossroads:result:${run}:${index}`;

// ---- caller side --------------------------------------------------------------------------------

/** Runs tasks on whatever `crossroads worker` processes serve the queue. */
export class RedisExecutor implements Executor {
  readonly name: string;
  readonly concurrency: number;
  private readonly connection: ReturnType<typeof connectionOf>;
  private queue: Queue | null = null;
  private events: QueueEvents | null = null;
  private client: Redis | null = null;

  /**
   * @param url the Redis server
   * @param expectedWorkers how many workers are expected (sets chunk sizes like a thread count; results do not depend on it)
   */
  constructor(
    readonly url: string,
    expectedWorkers = 2,
    readonly queueName: string = REDIS_DEFAULTS.queue,
  ) {
    this.connection = connectionOf(url);
    this.concurrency = Math.max(1, Math.floor(expectedWorkers));
    this.name = `redis(${this.connection.host}:${this.connection.port})`;
  }

  private async open(): Promise<{ queue: Queue; events: QueueEvents; client: Redis }> {
    if (!this.queue || !this.events || !this.client) {
      this.client = new Redis({ ...this.connection, maxRetriesPerRequest: 3, lazyConnect: true });
      // Connection errors surface through the commands that fail; no unhandled 'error' events.
      this.client.on('error', () => undefined);
      try {
        await this.client.connect();
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        this.client.disconnect();
        this.client = null;
        fail('cli', '--redis', this.url, `a reachable Redis server (${msg})`);
      }
      this.queue = new Queue(this.queueName, { connection: this.connection });
      this.events = new QueueEvents(this.queueName, { connection: this.connection });
      await this.events.waitUntilReady();
    }
    return { queue: this.queue, events: this.events, client: this.client };
  }

  async map<K extends TaskName>(
    kind: K,
    shared: SharedOf<K>,
    inputs: readonly InputOf<K>[],
    options: MapOptions<ResultOf<K>> = {},
  ): Promise<ResultOf<K>[]> {
    if (!(kind in TASKS)) fail(MODULE, 'kind', kind, `one of ${Object.keys(TASKS).join(', ')}`);
    const { queue, events, client } = await this.open();
    const run = randomUUID();
    const retain = options.retain ?? true;
    const out: ResultOf<K>[] = retain ? new Array(inputs.length) : [];
    const done = new Uint8Array(inputs.length);
    let remaining = inputs.length;
    const prefix = `${run}-`;
    await client.set(sharedKey(run), encode(shared), 'EX', REDIS_DEFAULTS.sharedTtlSeconds);

    let finished = false;
    let sweeper: ReturnType<typeof setInterval> | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        const finish = (err?: Error): void => {
          if (finished) return;
          finished = true;
          events.off('completed', onCompleted);
          events.off('failed', onFailed);
          clearInterval(sweeper);
          options.signal?.removeEventListener('abort', onAbort);
          if (err) reject(err);
          else resolve();
        };
        // A result is delivered once, from its key, whether its completion event or the sweep finds it.
        const fetching = new Uint8Array(inputs.length);
        const deliver = (index: number, text: string | null): void => {
          if (finished || done[index] || text === null) return;
          try {
            const result = decode<ResultOf<K>>(text);
            done[index] = 1;
            remaining--;
            if (retain) out[index] = result;
            options.onResult?.(index, result, 0);
            client.del(resultKey(run, index)).catch(() => undefined);
            if (remaining === 0) finish();
          } catch (err) {
            finish(err instanceof Error ? err : new Error(String(err)));
          }
        };
        const onCompleted = ({ jobId, returnvalue }: { jobId: string; returnvalue: unknown }): void => {
          if (finished || !jobId.startsWith(prefix)) return;
          const index = Number(jobId.slice(prefix.length));
          if (!(index >= 0 && index < inputs.length) || done[index] || fetching[index]) return;
          const ret = (typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as TaskReturn;
          if (!ret.ok) {
            finish(reviveError(ret.error));
            return;
          }
          fetching[index] = 1;
          client
            .get(resultKey(run, index))
            .then((text) => deliver(index, text))
            .catch((err: unknown) => finish(err instanceof Error ? err : new Error(String(err))))
            .finally(() => {
              fetching[index] = 0;
            });
        };
        const onFailed = ({ jobId, failedReason }: { jobId: string; failedReason: string }): void => {
          if (!jobId.startsWith(prefix)) return;
          finish(new Error(`${MODULE}: task ${jobId} failed on a worker: ${failedReason}`));
        };
        // Events can be missed (a reconnect): every few seconds, look for results already stored.
        const sweep = async (): Promise<void> => {
          const missing: number[] = [];
          for (let i = 0; i < inputs.length && missing.length < 1000; i++)
            if (!done[i] && !fetching[i]) missing.push(i);
          if (missing.length === 0 || finished) return;
          const texts = await client.mget(missing.map((i) => resultKey(run, i)));
          missing.forEach((i, k) => {
            deliver(i, texts[k]);
          });
        };
        sweeper = setInterval(() => {
          sweep().catch(() => undefined);
        }, REDIS_DEFAULTS.sweepMs);
        const onAbort = (): void => finish(new InterruptedError());
        events.on('completed', onCompleted);
        events.on('failed', onFailed);
        if (options.signal?.aborted) {
          finish(new InterruptedError());
          return;
        }
        options.signal?.addEventListener('abort', onAbort);
        if (inputs.length === 0) {
          finish();
          return;
        }
        Promise.resolve()
          .then(() =>
            queue.addBulk(
              inputs.map((input, index) => ({
                name: kind,
                data: { run, kind, index, input: encode(input) } satisfies TaskData,
                opts: { jobId: `${prefix}${index}`, attempts: 1, removeOnComplete: true, removeOnFail: 1000 },
              })),
            ),
          )
          .catch((err: unknown) => finish(err instanceof Error ? err : new Error(String(err))));
      });
    } catch (err) {
      // Interrupted or failed: take the run's remaining jobs off the queue.
      await Promise.allSettled(inputs.map((_, i) => (done[i] ? null : queue.remove(`${prefix}${i}`))));
      throw err;
    } finally {
      clearInterval(sweeper);
      const left: string[] = [];
      for (let i = 0; i < inputs.length; i++) if (!done[i]) left.push(resultKey(run, i));
      for (let i = 0; i < left.length; i += 1000)
        await client.del(...left.slice(i, i + 1000)).catch(() => undefined);
      await client.del(sharedKey(run)).catch(() => undefined);
    }
    return out;
  }

  async close(): Promise<void> {
    const q = this.queue;
    const e = this.events;
    const c = this.client;
    this.queue = null;
    this.events = null;
    this.client = null;
    await Promise.allSettled([q?.close(), e?.close()]);
    c?.disconnect();
  }
}

// ---- worker side --------------------------------------------------------------------------------

/** A running worker. */
export interface RedisWorkerHandle {
  worker: Worker;
  close(): Promise<void>;
  /** Tasks completed by this worker. */
  completed(): number;
}

/**
 * One worker thread running the task registry (the same entry as the worker-thread executor), so the
 * worker process's event loop stays free to renew its BullMQ lock while a task runs.
 */
class TaskThread {
  private readonly thread: Thread;
  private job = 0;
  private run = '';
  private pending: { resolve: (v: unknown) => void; reject: (e: Error) => void } | null = null;

  constructor() {
    this.thread = new Thread(defaultWorkerUrl());
    this.thread.on('message', (msg: ReplyMessage) => {
      const p = this.pending;
      this.pending = null;
      if (!p) return;
      if (msg.type === 'result') p.resolve(msg.result);
      else p.reject(reviveError(msg.error));
    });
    this.thread.on('error', (err) => {
      const p = this.pending;
      this.pending = null;
      p?.reject(err);
    });
  }

  /** Run one task; `shared` is read (and sent to the thread) only when the run changes. */
  async exec(
    run: string,
    kind: TaskName,
    shared: () => Promise<unknown>,
    index: number,
    input: unknown,
  ): Promise<unknown> {
    if (this.pending) throw new Error(`${MODULE}: one task at a time`);
    const message: TaskMessage = { type: 'task', job: this.job, kind, index, input };
    if (run !== this.run) {
      message.job = ++this.job;
      message.shared = await shared();
      this.run = run;
    }
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.thread.postMessage(message);
    });
  }

  async close(): Promise<void> {
    await this.thread.terminate();
  }
}

/** Serve tasks from the queue until closed (one task at a time, on a worker thread). */
export async function serveRedisWorker(
  url: string,
  options: RedisTiming & { queue?: string; onTask?: (kind: string, run: string, index: number) => void } = {},
): Promise<RedisWorkerHandle> {
  const connection = connectionOf(url);
  const client = new Redis({ ...connection, maxRetriesPerRequest: 3, lazyConnect: true });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    client.disconnect();
    fail('cli', '--redis', url, `a reachable Redis server (${msg})`);
  }
  const thread = new TaskThread();
  let completed = 0;
  const processor = async (job: Job<TaskData>): Promise<TaskReturn> => {
    const { run, kind, index, input } = job.data;
    try {
      if (!(kind in TASKS)) throw new Error(`${MODULE}: unknown task kind ${kind}`);
      options.onTask?.(kind, run, index);
      const result = await thread.exec(
        run,
        kind,
        async () => {
          const text = await client.get(sharedKey(run));
          if (text === null)
            throw new Error(`${MODULE}: the data of run ${run} is gone (the caller stopped?)`);
          return decode(text);
        },
        index,
        decode(input),
      );
      // The result goes to its own key (events stay small, and the caller deletes it once read).
      await client.set(resultKey(run, index), encode(result), 'EX', REDIS_DEFAULTS.sharedTtlSeconds);
      completed++;
      return { ok: true };
    } catch (err) {
      // Errors are results: the caller rethrows them; BullMQ does not retry them.
      return { ok: false, error: errorData(err) };
    }
  };
  const worker = new Worker<TaskData, TaskReturn>(options.queue ?? REDIS_DEFAULTS.queue, processor, {
    connection,
    concurrency: 1,
    lockDuration: options.lockDurationMs ?? REDIS_DEFAULTS.lockDurationMs,
    stalledInterval: options.stalledIntervalMs ?? REDIS_DEFAULTS.stalledIntervalMs,
    maxStalledCount: REDIS_DEFAULTS.maxStalledCount,
  });
  await worker.waitUntilReady();
  return {
    worker,
    completed: () => completed,
    async close() {
      await worker.close();
      await thread.close();
      client.disconnect();
    },
  };
}
