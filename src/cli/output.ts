/**
 * Where a command's result goes: stdout, or a file given with `--out`, checked when the command
 * starts (before any run) and written atomically at the end (see experiment/output.ts).
 */

import { checkOutputTarget, writeFileAtomic } from '../experiment/output.js';

/** A checked destination: call it once with the finished text. */
export type Output = (text: string) => void;

/** Check `out` now (a bad target fails before any work) and return the writer for the result. */
export function openOutput(out: string | undefined, flag = '--out'): Output {
  if (out === undefined) {
    return (text) => {
      process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    };
  }
  checkOutputTarget(out, flag);
  return (text) => writeFileAtomic(out, text.endsWith('\n') ? text : `${text}\n`, flag);
}

/** Write text to `out` atomically, or to stdout when `out` is undefined. */
export function writeOutput(text: string, out?: string, flag = '--out'): void {
  openOutput(out, flag)(text);
}
