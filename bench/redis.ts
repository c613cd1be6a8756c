/**
 * Bench section (f): the BullMQ/Redis executor against the in-process one on the same paired
 * ensemble, with 1 and 2 local `crossroads worker` processes (a private redis-server on 127.0.0.1,
 * Debian's package). Throughput, efficiency per worker, and the queue's cost per replicate (one
 * worker does the in-process work plus the queue, so the difference is the queue's share).
 */

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type EnsembleSpec, runEnsemble } from '../src/experiment/ensemble.js';
import { type Executor, InProcessExecutor } from '../src/experiment/executor.js';
import { RedisExecutor } from '../src/experiment/redis-executor.js';

function redisServer(): string | null {
  for (const p of ['/usr/bin/redis-server', '/usr/local/bin/redis-server']) if (existsSync(p)) return p;
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function waitFor(child: ChildProcess, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let text = '';
    const on = (b: Buffer): void => {
      text += b.toString();
      if (pattern.test(text)) resolve();
    };
    child.stdout?.on('data', on);
    child.stderr?.on('data', on);
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${text}`)));
  });
}

async function seconds(spec: EnsembleSpec, executor: Executor): Promise<number> {
  const t0 = performance.now();
  await runEnsemble(spec, { executor });
  return (performance.now() - t0) / 1000;
}

/** Run section (f). */
export async function redisSection(spec: EnsembleSpec): Promise<void> {
  console.log(
    `\n(f) distributed executor (BullMQ on a local redis-server) vs in-process, paired ensemble of ${spec.n.toLocaleString('en-US')} replicates`,
  );
  const server = redisServer();
  if (!server) {
    console.log('    skipped: redis-server is not installed (sh scripts/test-deps.sh installs it)');
    return;
  }
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'crossroads-bench-redis-'));
  const redis = spawn(
    server,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const workers: ChildProcess[] = [];
  const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
  try {
    await waitFor(redis, /Ready to accept connections/);
    const local = await seconds(spec, new InProcessExecutor());
    const runs = spec.n * spec.arms.length;
    console.log(
      `    in-process          ${local.toFixed(2).padStart(7)} s  ${(runs / local).toFixed(0).padStart(5)} runs/s`,
    );
    for (const k of [1, 2]) {
      while (workers.length < k) {
        const w = spawn(process.execPath, [cli, 'worker', '--redis', url, '--quiet'], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        workers.push(w);
        // --quiet: no log line; give the worker a moment to connect.
        await new Promise((r) => setTimeout(r, 1500));
      }
      const ex = new RedisExecutor(url, k);
      const s = await seconds(spec, ex);
      await ex.close();
      const speedUp = local / s;
      const line = `    redis, ${k} worker${k > 1 ? 's' : ' '}    ${s.toFixed(2).padStart(7)} s  ${(runs / s).toFixed(0).padStart(5)} runs/s  speed-up ${speedUp.toFixed(2)}x, efficiency ${((100 * speedUp) / k).toFixed(0)}% per worker`;
      console.log(
        k === 1 ? `${line}; queue cost ${((1000 * (s - local)) / spec.n).toFixed(2)} ms per replicate` : line,
      );
    }
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    redis.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}
