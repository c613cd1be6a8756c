/** `crossroads validate FILE`: report every problem in a scenario or policy file. */

import type { Command } from 'commander';
import { CrossroadsError, formatIssue } from '../../core/errors.js';
import { defaultScenario } from '../../scenario/default.js';
import { parseDocument, resolvePolicy, resolveScenario } from '../../scenario/resolve.js';
import { readInputFile } from '../inputs.js';

/** Register the command. */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check a scenario or policy file; print every problem with its path, value and expectation')
    .argument('<file>', 'scenario or policy file (YAML or JSON)')
    .option(
      '-k, --kind <kind>',
      'scenario | policy (detected from the file when omitted: a file with `levers` is a policy)',
    )
    .action((file: string, opts: { kind?: string }) => {
      const doc = parseDocument(readInputFile(file, 'FILE'), file);
      const kind = opts.kind ?? (doc && typeof doc === 'object' && 'levers' in doc ? 'policy' : 'scenario');
      if (kind !== 'policy' && kind !== 'scenario') {
        throw new CrossroadsError('cli', [{ path: '--kind', value: kind, expected: 'scenario or policy' }]);
      }
      try {
        if (kind === 'policy') resolvePolicy(doc, defaultScenario());
        else resolveScenario(doc);
      } catch (err) {
        if (err instanceof CrossroadsError) {
          const n = err.issues.length;
          process.stderr.write(`${file}: ${n} problem${n === 1 ? '' : 's'} in this ${kind} file\n`);
          for (const issue of err.issues) process.stderr.write(`  ${formatIssue(issue)}\n`);
          process.exitCode = 2;
          return;
        }
        throw err;
      }
      process.stdout.write(`${file}: valid ${kind}\n`);
    });
}
