/**
 * Capture what the CLI writes to stdout and stderr during each test of the calling file, for the
 * in-process CLI tests (`main([...])` returns the exit code; the text lands here).
 */
import { afterEach, beforeEach, vi } from 'vitest';

export interface Captured {
  out: string;
  err: string;
}

/** Register the capture for every test of the calling file; read `io.out` and `io.err`. */
export function captureStdio(): Captured {
  const io: Captured = { out: '', err: '' };
  beforeEach(() => {
    io.out = '';
    io.err = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
      io.out += String(s);
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
      io.err += String(s);
      return true;
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = 0;
  });
  return io;
}
