import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseChecks, runCheck } from '../src/checks/runner.js';
import { loadPolicy } from '../src/cli/inputs.js';

const dir = join(import.meta.dirname, '..', 'checks');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

describe('model checks (checks/*.yaml)', () => {
  it('finds check files', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const file of files) {
    const checks = parseChecks(parse(readFileSync(join(dir, file), 'utf8')), file);
    describe(file, () => {
      for (const check of checks) {
        it(`${check.describe}: ${check.it}`, () => {
          const result = runCheck(check, (name, scenario) => loadPolicy(name, scenario));
          expect(result.passed, result.details.join('\n')).toBe(true);
        });
      }
    });
  }
});
