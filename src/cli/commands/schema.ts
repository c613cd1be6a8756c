/** `crossroads schema`: JSON Schemas of the input files, or of the run output with --output. */

import type { Command } from 'commander';
import { z } from 'zod';
import { runOutputSchema } from '../../report/run-result.js';
import { inputJsonSchemas } from '../../spec/scenario.js';
import { openOutput } from '../output.js';

/** JSON Schema of the output of `crossroads run --format json`. */
export function outputJsonSchema(): unknown {
  return z.toJSONSchema(runOutputSchema(), { io: 'output' });
}

/** Register the command. */
export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('print JSON Schemas: scenario and policy files (default), or the run output (--output)')
    .option('--output', 'the schema of `crossroads run --format json`')
    .option('--kind <kind>', 'scenario | policy (input schemas only)')
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .action((opts: { output?: boolean; kind?: string; out?: string }) => {
      const output = openOutput(opts.out);
      const schemas = inputJsonSchemas();
      const value = opts.output ? outputJsonSchema() : opts.kind ? schemas[opts.kind] : schemas;
      if (value === undefined) {
        process.stderr.write(
          `crossroads: --kind: got ${JSON.stringify(opts.kind)}, expected scenario or policy\n`,
        );
        process.exitCode = 2;
        return;
      }
      output(`${JSON.stringify(value, null, 2)}\n`);
    });
}
