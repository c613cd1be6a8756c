/**
 * Files that appear whole or not at all: content goes to a temporary name in the same directory
 * (same filesystem, so the final rename is atomic) and is renamed over the target only on commit.
 * An interrupted run aborts its pending files, which removes the temporary names.
 */

import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fail } from '../core/errors.js';

const pending = new Set<AtomicFile>();
let counter = 0;

/** A file being written under a temporary name. */
export class AtomicFile {
  readonly path: string;
  readonly tempPath: string;
  private fd: number | null;

  private constructor(path: string, flag: string) {
    this.path = resolve(path);
    this.tempPath = join(dirname(this.path), `.${basename(this.path)}.${process.pid}-${++counter}.tmp`);
    try {
      this.fd = openSync(this.tempPath, 'wx');
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      fail('experiment/output', flag, path, `a file in a writable directory (${msg})`);
    }
    pending.add(this);
  }

  /** Start writing `path`; `flag` names the option in errors. */
  static open(path: string, flag = 'out'): AtomicFile {
    return new AtomicFile(path, flag);
  }

  write(text: string): void {
    if (this.fd === null) throw new Error('experiment/output: file already closed');
    writeSync(this.fd, text);
  }

  /** Flush and close, keeping the temporary file (to read it back, e.g. to convert it). */
  close(): void {
    if (this.fd === null) throw new Error('experiment/output: file already closed');
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = null;
  }

  /**
   * Rename the temporary file over the target. Its content may have been written by another
   * program (the Parquet converter writes to `tempPath`); the descriptor is flushed and closed first
   * if still open.
   */
  commit(): void {
    if (this.fd !== null) this.close();
    renameSync(this.tempPath, this.path);
    pending.delete(this);
  }

  /** Close and remove the temporary file; the target is untouched. */
  abort(): void {
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        // already closed
      }
      this.fd = null;
    }
    try {
      unlinkSync(this.tempPath);
    } catch {
      // already gone
    }
    pending.delete(this);
  }
}

/** Write `text` to `path` atomically. */
export function writeFileAtomic(path: string, text: string, flag = 'out'): void {
  const f = AtomicFile.open(path, flag);
  try {
    f.write(text);
    f.commit();
  } catch (err) {
    f.abort();
    throw err;
  }
}

/** Abort every file still being written (for interrupts). */
export function abortPendingFiles(): void {
  for (const f of [...pending]) f.abort();
}
