/**
 * Output files that appear whole or not at all, and never anywhere else.
 *
 * - A target is checked before any work starts (`checkOutputTarget`): its directory must exist and
 *   take a new file; a directory, FIFO, socket or device node is refused (writing there would either
 *   fail late or replace the special file with a regular one); a symlink is followed, so the file it
 *   points to is replaced and the link stays a link.
 * - Content goes to a temporary name beside the target (same filesystem, so the rename is atomic)
 *   only at the end, and is renamed over the target. Anything long-running (per-replicate rows)
 *   streams into a private directory under the system's temporary directory instead, so a killed run
 *   leaves nothing in the user's directory.
 * - What a killed process leaves behind (a private directory, or a temporary name beside a target
 *   after a kill during the final copy) carries its process id and is removed by the next run once
 *   that process is gone.
 * - Write errors (a full disk, a read-only filesystem) become input errors naming the flag and the
 *   file, never stack traces.
 */

import {
  closeSync,
  copyFileSync,
  fsyncSync,
  lstatSync,
  mkdtempSync,
  openSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { CrossroadsError, fail } from '../core/errors.js';

const MODULE = 'experiment/output';

/** Temporary names beside a target: `.NAME.PID-N.tmp`. */
const TEMP_NAME = /^\.(.+)\.(\d+)-(\d+|probe)\.tmp$/;
/** Private row directories under the system temporary directory: `crossroads-rows-PID-XXXXXX`. */
const PRIVATE_DIR = /^crossroads-rows-(\d+)-[A-Za-z0-9]{6}$/;

let counter = 0;

/** True while process `pid` exists (EPERM: it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'a special file';
}

function errMessage(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const first = String(e?.message ?? err).split('\n')[0];
  return e?.code && !first.startsWith(e.code) ? `${e.code}: ${first}` : first;
}

/** The expectation a write error breaks, for the one-line message. */
function writeExpectation(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT')
    return `a file on a device with free space (${errMessage(err)})`;
  if (code === 'EROFS') return `a file on a writable filesystem (${errMessage(err)})`;
  if (code === 'EACCES' || code === 'EPERM')
    return `a file in a directory you may write to (${errMessage(err)})`;
  return `a writable file (${errMessage(err)})`;
}

/** Turn a file-system error on `path` into an input error naming `flag` and the file. */
export function outputError(flag: string, path: string, err: unknown): CrossroadsError {
  if (err instanceof CrossroadsError) return err;
  return new CrossroadsError(MODULE, [{ path: flag, value: path, expected: writeExpectation(err) }]);
}

/**
 * Check that `path` can be written as a regular file, before any work: returns the file that will be
 * replaced (the symlink's target for a symlink). Refuses directories, special files, a missing or
 * unwritable directory. `flag` names the option in errors.
 */
export function checkOutputTarget(path: string, flag = '--out'): string {
  if (path.trim() === '') fail(MODULE, flag, path, 'a file name');
  let target = resolve(path);
  let st: Stats | null = null;
  try {
    st = lstatSync(target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') fail(MODULE, flag, path, `a file that can be examined (${errMessage(err)})`);
  }
  if (st?.isSymbolicLink()) {
    try {
      target = realpathSync(target);
      st = statSync(target);
    } catch (err) {
      fail(MODULE, flag, path, `a symlink to an existing file, or a regular file (${errMessage(err)})`);
    }
  }
  if (st?.isDirectory()) fail(MODULE, flag, path, 'a file name, not a directory');
  if (st && !st.isFile()) {
    fail(
      MODULE,
      flag,
      path,
      `a regular file (this is ${kindOf(st)}; Crossroads does not write to special files)`,
    );
  }
  const dir = dirname(target);
  let dst: Stats;
  try {
    dst = statSync(dir);
  } catch {
    return fail(MODULE, flag, path, `a file in an existing directory (${dir} does not exist)`);
  }
  if (!dst.isDirectory()) fail(MODULE, flag, path, `a file in a directory (${dir} is not a directory)`);
  // A probe proves the directory takes a new file (permissions, read-only mounts, /proc, ...).
  const probe = join(dir, `.${basename(target)}.${process.pid}-probe.tmp`);
  try {
    closeSync(openSync(probe, 'wx'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      fail(MODULE, flag, path, `a file in a directory you may write to (${errMessage(err)})`);
    }
  }
  try {
    unlinkSync(probe);
  } catch {
    // already gone
  }
  return target;
}

/** Remove temporary names of `target` left beside it by processes that no longer exist. */
export function sweepStaleTemps(target: string): void {
  const dir = dirname(target);
  const base = basename(target);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    // The earlier naming, `.crossroads-tmp-PID-NAME`, is swept too.
    const old = /^\.crossroads-tmp-(\d+)-(.+)$/.exec(name);
    const pid = m && m[1] === base ? Number(m[2]) : old && old[2] === base ? Number(old[1]) : null;
    if (pid !== null && !processAlive(pid)) rmSync(join(dir, name), { force: true });
  }
}

const privateDirs = new Set<string>();

function removePrivateDirs(): void {
  for (const d of privateDirs) rmSync(d, { recursive: true, force: true });
  privateDirs.clear();
}

/**
 * A private directory for rows being streamed (under the system's temporary directory), removed
 * when the process exits; directories of processes that died (kill -9) are removed here first.
 */
export function privateTempDir(): string {
  const root = tmpdir();
  try {
    for (const name of readdirSync(root)) {
      const m = PRIVATE_DIR.exec(name);
      if (m && !processAlive(Number(m[1]))) rmSync(join(root, name), { recursive: true, force: true });
    }
  } catch {
    // an unreadable temporary directory: nothing to sweep
  }
  const dir = mkdtempSync(join(root, `crossroads-rows-${process.pid}-`));
  if (privateDirs.size === 0) process.on('exit', removePrivateDirs);
  privateDirs.add(dir);
  return dir;
}

/** Remove a private directory now (it would go at exit anyway). */
export function removePrivateDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  privateDirs.delete(dir);
  if (privateDirs.size === 0) process.removeListener('exit', removePrivateDirs);
}

const pending = new Set<string>();

function abortPending(): void {
  for (const p of pending) rmSync(p, { force: true });
  pending.clear();
}

/** Remove every temporary name this process still has beside a target (for interrupts and exits). */
export function abortPendingFiles(): void {
  abortPending();
}

/** Run `fill` on a fresh temporary name beside `target`, then rename it over the target. */
function replaceVia(target: string, flag: string, fill: (tmp: string) => void): void {
  sweepStaleTemps(target);
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}-${++counter}.tmp`);
  if (pending.size === 0) process.on('exit', abortPending);
  pending.add(tmp);
  try {
    fill(tmp);
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw outputError(flag, target, err);
  } finally {
    pending.delete(tmp);
    if (pending.size === 0) process.removeListener('exit', abortPending);
  }
}

/** Write `text` to `path` atomically (checked first; a symlink's target is replaced). */
export function writeFileAtomic(path: string, text: string, flag = '--out'): void {
  const target = checkOutputTarget(path, flag);
  replaceVia(target, flag, (tmp) => {
    const fd = openSync(tmp, 'wx');
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  });
}

/** Move (or copy, across filesystems) a finished file into place at `path` atomically. */
export function commitFileAtomic(source: string, path: string, flag = '--out'): void {
  const target = checkOutputTarget(path, flag);
  replaceVia(target, flag, (tmp) => {
    try {
      renameSync(source, tmp);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      copyFileSync(source, tmp);
      const fd = openSync(tmp, 'r+');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
  });
}

/** A file appended to while a run goes on (rows), in a private temporary directory. */
export class StreamFile {
  readonly path: string;
  private fd: number | null;

  constructor(
    path: string,
    private readonly flag: string,
    private readonly target: string,
  ) {
    this.path = path;
    this.fd = openSync(path, 'wx');
  }

  write(text: string): void {
    if (this.fd === null) throw new Error(`${MODULE}: file already closed`);
    try {
      writeSync(this.fd, text);
    } catch (err) {
      throw outputError(this.flag, this.target, err);
    }
  }

  close(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }
}
