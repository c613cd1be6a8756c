/** The dashboard (web/) reaches the model only through the library's public entry, src/index.ts. */

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const WEB = join(ROOT, 'web', 'src');
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\b[^'"]*?\sfrom\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g;

describe('web/', () => {
  it('imports from src/ only src/index.ts, and no Node built-in', () => {
    const bad: string[] = [];
    const files = readdirSync(WEB).filter((f) => /\.(ts|tsx)$/.test(f));
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) {
      const text = readFileSync(join(WEB, f), 'utf8');
      for (const m of text.matchAll(IMPORT)) {
        const spec = m[1] ?? m[2] ?? m[3];
        if (spec.startsWith('node:')) bad.push(`${f}: ${spec}`);
        if (!spec.startsWith('.')) continue;
        const target = relative(ROOT, resolve(dirname(join(WEB, f)), spec));
        if (target.startsWith('web/')) continue;
        if (target !== 'src/index.js' && target !== 'src/index.ts') bad.push(`${f}: ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
