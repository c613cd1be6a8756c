/**
 * A vitest reporter that ends the run with one plain line, `N passed, N failed`, for CI to read (the
 * default reporter's summary is coloured and laid out for people). A file that fails to load counts
 * as a failure, and so does an unhandled error, so a broken suite never reads as green.
 */
import type { Reporter, SerializedError, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
  ): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const m of testModules) {
      let tests = 0;
      for (const t of m.children.allTests()) {
        tests++;
        const state = t.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      // A module that failed before collecting its tests (an import or top-level error).
      if (tests === 0 && m.state() === 'failed') failed++;
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? ` (${skipped} skipped)` : ''}\n`);
  }
}
