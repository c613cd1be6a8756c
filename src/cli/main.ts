#!/usr/bin/env node
/**
 * The `crossroads` command. Each command lives in src/cli/commands/ and registers itself here.
 * Exit codes: 0 success; 1 unexpected internal error; 2 bad input (file, flag or value), with one
 * line per problem on stderr; 130 interrupted.
 */

import { Command, CommanderError } from 'commander';
import { CrossroadsError } from '../core/errors.js';
import { PACKAGE_VERSION } from '../version.js';
import { registerBacktest } from './commands/backtest.js';
import { registerCalibrate } from './commands/calibrate.js';
import { registerCompare } from './commands/compare.js';
import { registerDiscover } from './commands/discover.js';
import { registerEnsemble } from './commands/ensemble.js';
import { registerFit } from './commands/fit.js';
import { registerNetwork } from './commands/network.js';
import { registerCatalogues } from './commands/params.js';
import { registerRobust } from './commands/robust.js';
import { registerRun } from './commands/run.js';
import { registerSchema } from './commands/schema.js';
import { registerSensitivity } from './commands/sensitivity.js';
import { registerServe } from './commands/serve.js';
import { registerValidate } from './commands/validate.js';
import { registerWorker } from './commands/worker.js';

/** Build the program (exported so tests can run it in-process). */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('crossroads')
    .description('Crossroads: an evidence-calibrated counter-narcotics policy simulator')
    .version(PACKAGE_VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerRun(program);
  registerValidate(program);
  registerSchema(program);
  registerCalibrate(program);
  registerCatalogues(program);
  registerEnsemble(program);
  registerCompare(program);
  registerNetwork(program);
  registerSensitivity(program);
  registerDiscover(program);
  registerRobust(program);
  registerWorker(program);
  registerServe(program);
  registerFit(program);
  registerBacktest(program);
  // Further commands register here, one line each.
  return program;
}

/**
 * What to do when the standard streams fail: a reader that closed the pipe (`| head`) ends the
 * command quietly with exit 0; any other write error (a full disk) is one line on stderr and exit 2.
 */
export function onStreamError(stream: 'stdout' | 'stderr', err: NodeJS.ErrnoException): void {
  if (err.code === 'EPIPE') process.exit(0);
  if (stream === 'stdout') {
    try {
      process.stderr.write(
        `crossroads: cannot write the output to stdout (${String(err.message).split('\n')[0]})\n`,
      );
    } catch {
      // stderr is gone too
    }
  }
  process.exit(2);
}

let streamsGuarded = false;

/** Install onStreamError on stdout and stderr once per process. */
export function guardStreams(): void {
  if (streamsGuarded) return;
  streamsGuarded = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => onStreamError('stdout', err));
  process.stderr.on('error', (err: NodeJS.ErrnoException) => onStreamError('stderr', err));
}

/** Run the CLI with arguments (without the node and script names); returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  process.exitCode = 0;
  guardStreams();
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return Number(process.exitCode ?? 0);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help'
      )
        return 0;
      return 2;
    }
    if (err instanceof CrossroadsError) {
      for (const line of err.message.split('\n')) process.stderr.write(`crossroads: ${line}\n`);
      return 2;
    }
    process.stderr.write(
      `crossroads: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return 1;
  }
}

const invokedDirectly = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invokedDirectly) {
  process.on('SIGINT', () => process.exit(130));
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
