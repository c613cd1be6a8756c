/** `crossroads worker --redis URL`: serve ensemble, sensitivity and other tasks from a Redis queue. */

import type { Command } from 'commander';
import { REDIS_DEFAULTS, serveRedisWorker } from '../../experiment/redis-executor.js';
import { intOption } from '../options.js';

/** Register the command. */
export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(
      'serve tasks from a Redis queue (BullMQ) for commands run with --executor redis; run one per core, on any machine that reaches the server',
    )
    .requiredOption('--redis <url>', 'the Redis server, e.g. redis://127.0.0.1:6379')
    .option('--queue <name>', 'queue name (the same for callers and workers)', REDIS_DEFAULTS.queue)
    .option(
      '--lock-ms <ms>',
      'how long a task may run without its worker being heard from before another worker takes it over',
      String(REDIS_DEFAULTS.lockDurationMs),
    )
    .option(
      '--stalled-ms <ms>',
      'how often to look for tasks whose worker died',
      String(REDIS_DEFAULTS.stalledIntervalMs),
    )
    .option('--quiet', 'no log lines on stderr')
    .option('--log-tasks', 'log every task as it starts')
    .action(
      async (opts: {
        redis: string;
        queue: string;
        lockMs: string;
        stalledMs: string;
        quiet?: boolean;
        logTasks?: boolean;
      }) => {
        const lockDurationMs = intOption(
          '--lock-ms',
          opts.lockMs,
          REDIS_DEFAULTS.lockDurationMs,
          500,
          86_400_000,
        );
        const stalledIntervalMs = intOption(
          '--stalled-ms',
          opts.stalledMs,
          REDIS_DEFAULTS.stalledIntervalMs,
          200,
          86_400_000,
        );
        const log = (s: string): void => {
          if (!opts.quiet) process.stderr.write(`crossroads worker ${process.pid}: ${s}\n`);
        };
        let lastRun = '';
        const handle = await serveRedisWorker(opts.redis, {
          queue: opts.queue,
          lockDurationMs,
          stalledIntervalMs,
          onTask: (kind, run, index) => {
            if (opts.logTasks) log(`task ${run} ${index}`);
            else if (run !== lastRun) log(`${kind} tasks of run ${run}`);
            lastRun = run;
          },
        });
        log(`serving queue "${opts.queue}" on ${opts.redis}; Ctrl-C to stop`);
        await new Promise<void>((resolve) => {
          const stop = (): void => {
            process.removeListener('SIGINT', stop);
            process.removeListener('SIGTERM', stop);
            resolve();
          };
          process.prependListener('SIGINT', stop);
          process.prependListener('SIGTERM', stop);
        });
        await handle.close();
        log(`stopped after ${handle.completed()} tasks`);
      },
    );
}
