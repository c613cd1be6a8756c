/** `crossroads serve`: the dashboard and the JSON API over HTTP, saved policies in the data directory. */

import type { Command } from 'commander';
import { CrossroadsError } from '../../core/errors.js';
import { PAIRED_DEFAULTS } from '../../experiment/paired.js';
import { intervalRunText } from '../../experiment/session.js';
import { defaultDataDir } from '../../server/store.js';
import { loadPolicy, loadScenario } from '../inputs.js';
import { intOption } from '../options.js';

/** Register the command. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the dashboard and the JSON API (/api, documented at /api/openapi.json)')
    .option('--port <n>', 'TCP port', '8765')
    .option('--host <host>', 'interface to listen on (0.0.0.0 exposes it to the network)', '127.0.0.1')
    .option(
      '--data-dir <dir>',
      'where saved policies are kept (default $XDG_DATA_HOME/crossroads, else ~/.local/share/crossroads)',
    )
    .option(
      '--summary <policy>',
      'first print the one-screen summary of `crossroads run --policy <policy>` (what `npm start` does)',
    )
    .action(async (opts: { port: string; host: string; dataDir?: string; summary?: string }) => {
      const port = intOption('--port', opts.port, 8765, 0, 65535);
      if (opts.summary) {
        const scenario = loadScenario(undefined);
        const policy = loadPolicy(opts.summary, scenario, '--summary');
        process.stdout.write(
          await intervalRunText({
            scenario,
            policy,
            n: PAIRED_DEFAULTS.runReplicates,
            seed: 1,
            format: 'table',
          }),
        );
        process.stdout.write('\n');
      }
      const dataDir = opts.dataDir ?? defaultDataDir();
      // Loaded here so other commands do not load fastify and SQLite.
      const { buildServer } = await import('../../server/app.js');
      const app = buildServer({ dataDir });
      try {
        await app.listen({ port, host: opts.host });
      } catch (err) {
        await app.close();
        const e = err as { code?: string; message?: string };
        throw new CrossroadsError('cli', [
          {
            path: e.code === 'EADDRINUSE' ? '--port' : '--host',
            value: e.code === 'EADDRINUSE' ? port : opts.host,
            expected: `an address to listen on (${e.message ?? String(err)})`,
          },
        ]);
      }
      const address = app.server.address();
      const actual = typeof address === 'object' && address ? address.port : port;
      const shown = opts.host === '0.0.0.0' || opts.host === '::' ? 'localhost' : opts.host;
      const host = shown.includes(':') ? `[${shown}]` : shown;
      process.stdout.write(
        `Crossroads dashboard: http://${host}:${actual}/  (API: /api/openapi.json; saved policies in ${app.store.file})\nPress Ctrl-C to stop.\n`,
      );
      // Stay up until Ctrl-C (main's SIGINT handler exits; committed saves are already on disk).
      await new Promise<void>((done) => app.server.on('close', done));
    });
}
