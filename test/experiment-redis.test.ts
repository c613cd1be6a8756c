/**
 * The BullMQ/Redis executor against the in-process one: the same ensemble bit for bit, a worker
 * killed mid-task loses no replicate, task errors come back with their field and value. Starts a
 * private redis-server on 127.0.0.1 (Debian's redis-server: scripts/test-deps.sh installs it) and
 * `crossroads worker` processes from dist/ (npm test builds first).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist', 'src');
if (!existsSync(join(dist, 'cli', 'main.js'))) {
  throw new Error('experiment-redis: dist/ is missing; run `npm run build` (npm test does) first');
}
const { runEnsemble } = await import(join(dist, 'experiment', 'ensemble.js'));
const { InProcessExecutor } = await import(join(dist, 'experiment', 'executor.js'));
const { RedisExecutor, encode, decode } = await import(join(dist, 'experiment', 'redis-executor.js'));
const { runSensitivity } = await import(join(dist, 'experiment', 'sensitivity.js'));
const { defaultScenario } = await import(join(dist, 'scenario', 'default.js'));
const { noPolicy } = await import(join(dist, 'scenario', 'resolve.js'));
const { CrossroadsError } = await import(join(dist, 'core', 'errors.js'));

function redisServerPath(): string {
  for (const p of ['/usr/bin/redis-server', '/usr/local/bin/redis-server']) if (existsSync(p)) return p;
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      'experiment-redis: redis-server is missing; run `sh scripts/test-deps.sh` (npm test does)',
    );
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Spawn a process and resolve once a stderr/stdout line matches. */
function started(child: ChildProcess, pattern: RegExp, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (b: Buffer): void => {
      text += b.toString();
      if (pattern.test(text)) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}): ${text}`)));
    setTimeout(() => reject(new Error(`${what} did not start: ${text}`)), 20_000);
  });
}

let redis: ChildProcess;
let url: string;
const workers: ChildProcess[] = [];
const logs = new Map<ChildProcess, string>();

function startWorker(): Promise<ChildProcess> {
  const w = spawn(
    process.execPath,
    [
      join(dist, 'cli', 'main.js'),
      'worker',
      '--redis',
      url,
      '--lock-ms',
      '1500',
      '--stalled-ms',
      '500',
      '--log-tasks',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  workers.push(w);
  logs.set(w, '');
  w.stderr?.on('data', (b: Buffer) => logs.set(w, (logs.get(w) ?? '') + b.toString()));
  return started(w, /serving queue/, 'crossroads worker').then(() => w);
}

beforeAll(async () => {
  const port = await freePort();
  url = `redis://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'crossroads-redis-'));
  redis = spawn(
    redisServerPath(),
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  await started(redis, /Ready to accept connections/, 'redis-server');
  await Promise.all([startWorker(), startWorker()]);
});

afterAll(() => {
  for (const w of workers) w.kill('SIGKILL');
  redis?.kill('SIGKILL');
});

const scenario = defaultScenario();
const arms = [
  { name: 'naloxone', policy: { name: 'naloxone', levers: [{ lever: 'naloxone', intensity: 5000000 }] } },
  { name: 'none', policy: noPolicy() },
];
const strip = (r: { arms: unknown; difference: unknown; manifest: unknown }) => ({
  arms: r.arms,
  difference: r.difference,
  manifest: r.manifest,
});

describe('wire format', () => {
  it('carries typed arrays and non-finite numbers bit for bit', () => {
    const x = {
      v: new Float64Array([0.1, -0, 1e-310, Math.PI]),
      n: Number.NaN,
      i: Number.POSITIVE_INFINITY,
      s: 'a',
    };
    const y = decode(encode(x)) as typeof x;
    expect(Object.is(y.v[1], -0)).toBe(true);
    expect(Array.from(y.v)).toEqual(Array.from(x.v));
    expect(y.v).toBeInstanceOf(Float64Array);
    expect(y.n).toBeNaN();
    expect(y.i).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('Redis executor (BullMQ)', () => {
  it('gives the in-process ensemble bit for bit, and the same sensitivity indices', async () => {
    const spec = { scenario, arms, n: 24, seed: 11, design: 'latin-hypercube' };
    const local = await runEnsemble(spec, { executor: new InProcessExecutor(), chunkSize: 4 });
    const ex = new RedisExecutor(url, 2);
    try {
      const remote = await runEnsemble(spec, { executor: ex, chunkSize: 4 });
      expect(strip(remote)).toEqual(strip(local));
      const job = {
        method: 'morris',
        n: 2,
        seed: 2,
        levels: 4,
        scenario,
        policy: null,
        accepted: null,
        outcome: 'deaths.total',
        stochastic: false,
      };
      const a = await runSensitivity(job, { executor: new InProcessExecutor() });
      const b = await runSensitivity(job, { executor: ex, chunkSize: 9 });
      expect(b.indices).toEqual(a.indices);
      // Nothing left behind: shared data and results are deleted once read.
      const { Redis } = await import('ioredis');
      const r = new Redis(url);
      expect(await r.keys('crossroads:*')).toEqual([]);
      r.disconnect();
    } finally {
      await ex.close();
    }
  });

  it('loses no replicate when a worker is killed mid-task: its task is run again elsewhere', async () => {
    const spec = { scenario, arms, n: 60, seed: 12 };
    const local = await runEnsemble(spec, { executor: new InProcessExecutor(), chunkSize: 3 });
    const victim = workers[0];
    const before = logs.get(victim) ?? '';
    let killedTask: string | null = null;
    const watcher = setInterval(() => {
      const fresh = (logs.get(victim) ?? '').slice(before.length);
      const m = /task (\S+) (\d+)\n/.exec(fresh);
      if (m && !killedTask) {
        killedTask = `${m[1]} ${m[2]}`;
        victim.kill('SIGKILL');
      }
    }, 5);
    const ex = new RedisExecutor(url, 2);
    try {
      const remote = await runEnsemble(spec, { executor: ex, chunkSize: 3 });
      expect(strip(remote)).toEqual(strip(local));
    } finally {
      clearInterval(watcher);
      await ex.close();
    }
    expect(killedTask).not.toBeNull();
    // The survivor ran the task the killed worker had started.
    expect(logs.get(workers[1])).toContain(`task ${killedTask}\n`);
    await startWorker();
  });

  it('returns a task error with its field, value and expectation', async () => {
    const ex = new RedisExecutor(url, 2);
    try {
      const job = {
        scenario,
        arms,
        paired: true,
        n: 4,
        seed: 1,
        design: 'monte-carlo',
        accepted: null,
        monthly: false,
        stochastic: true,
        alpha: 0.005,
        replicateRows: false,
      };
      await expect(ex.map('ensemble-chunk', job, [{ start: 0, end: 99 }])).rejects.toThrow(CrossroadsError);
      await expect(ex.map('ensemble-chunk', job, [{ start: 0, end: 99 }])).rejects.toThrow(
        /chunk: got "0..99"/,
      );
    } finally {
      await ex.close();
    }
  });

  it('crossroads compare --executor redis prints what the local run prints', () => {
    const cli = (...extra: string[]) =>
      execFileSync(
        process.execPath,
        [
          join(dist, 'cli', 'main.js'),
          'compare',
          'moud-expansion',
          'none',
          '-n',
          '30',
          '--format',
          'json',
          '--no-progress',
          ...extra,
        ],
        { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
      );
    expect(cli('--executor', 'redis', '--redis', url, '--workers', '3')).toBe(cli('--threads', '1'));
  });

  it('stops on abort (Ctrl-C) and takes its waiting tasks off the queue', async () => {
    const ex = new RedisExecutor(url, 2);
    const controller = new AbortController();
    try {
      const run = runEnsemble(
        { scenario, arms, n: 400, seed: 13 },
        {
          executor: ex,
          chunkSize: 2,
          signal: controller.signal,
          onProgress: (done: number) => done > 0 && controller.abort(),
        },
      );
      await expect(run).rejects.toThrow(/interrupted/);
      const { Queue } = await import('bullmq');
      const q = new Queue('crossroads', {
        connection: { host: '127.0.0.1', port: Number(new URL(url).port) },
      });
      const waiting = await q.getWaitingCount();
      await q.close();
      expect(waiting).toBe(0);
    } finally {
      await ex.close();
    }
  });

  it('refuses an unreachable server with the flag named', async () => {
    const ex = new RedisExecutor(`redis://127.0.0.1:${await freePort()}`, 1);
    await expect(ex.map('ensemble-chunk', {} as never, [])).rejects.toThrow(
      /--redis: got "redis:\/\/127.0.0.1:\d+", expected a reachable Redis server/,
    );
    await ex.close();
  });
});
