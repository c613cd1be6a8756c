/**
 * vitest global setup: tests that start worker threads or the `crossroads` binary run the compiled
 * code in dist/, so build it when it is missing or older than any source file (`npm test` builds
 * first, so this is a no-op there; it makes `npx vitest run test/x.test.ts` safe after an edit).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p));
    else if (/\.(ts|json)$/.test(e.name)) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

export default function setup(): void {
  const stamp = join(ROOT, 'dist', 'src', 'cli', 'main.js');
  const sources = Math.max(
    newest(join(ROOT, 'src')),
    newest(join(ROOT, 'bench')),
    newest(join(ROOT, 'data')),
    statSync(join(ROOT, 'tsconfig.json')).mtimeMs,
  );
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= sources) return;
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
}
