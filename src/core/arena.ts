/**
 * A bump allocator of Float64Array views. Allocating a typed array of more than a few elements
 * costs a separate off-heap buffer (about a microsecond to make and later free, and the freeing is
 * done by V8's background threads, which all isolates of the process share); a run that makes a
 * hundred small arrays spends more time on that than on many of its monthly steps. Views carved from
 * a few shared blocks cost one small object. Views start zeroed, as `new Float64Array(n)` does.
 *
 * An arena whose run is finished can be `release`d: its blocks go back to this thread's pool and the
 * next run's arena takes them (zeroed again) instead of allocating. An ensemble releases each run
 * after reading its outcomes, so it allocates no buffers in steady state; every other caller simply
 * drops the run and the garbage collector frees the blocks as before. A released arena's views must
 * not be used again (they will belong to another run).
 */

/** Spare buffers by length, per thread (module state is per isolate). */
const pool = new Map<number, Float64Array[]>();
/** Spare buffers kept per length: a paired replicate holds about a dozen at once. */
const POOL_DEPTH = 64;

/** A zeroed buffer of `n` doubles, from the pool when one of that length is spare. */
function take(n: number): Float64Array {
  const spare = pool.get(n)?.pop();
  if (!spare) return new Float64Array(n);
  spare.fill(0);
  return spare;
}

function give(buffer: Float64Array): void {
  let list = pool.get(buffer.length);
  if (!list) {
    list = [];
    pool.set(buffer.length, list);
  }
  if (list.length < POOL_DEPTH) list.push(buffer);
}

export class Float64Arena {
  private block: Float64Array;
  private at = 0;
  /** Every buffer this arena took (blocks and large requests), for `release`. */
  private readonly owned: Float64Array[] = [];
  private released = false;

  /** `blockSize`: doubles per block; a request larger than a quarter block gets its own buffer. */
  constructor(private readonly blockSize = 4096) {
    this.block = this.takeOwned(blockSize);
  }

  private takeOwned(n: number): Float64Array {
    const buffer = take(n);
    this.owned.push(buffer);
    return buffer;
  }

  /** A zeroed view of `n` doubles. */
  zeros(n: number): Float64Array {
    if (this.released) throw new Error('core/arena: arena used after release');
    if (n > this.blockSize >> 2) return this.takeOwned(n);
    if (this.at + n > this.block.length) {
      this.block = this.takeOwned(this.blockSize);
      this.at = 0;
    }
    const view = this.block.subarray(this.at, this.at + n);
    this.at += n;
    return view;
  }

  /** A view of `n` doubles, each `value`. */
  filled(n: number, value: number): Float64Array {
    return this.zeros(n).fill(value);
  }

  /** A view holding a copy of `values`. */
  copy(values: ArrayLike<number>): Float64Array {
    const view = this.zeros(values.length);
    view.set(values);
    return view;
  }

  /** Hand every buffer back to the pool; the arena and all its views are dead afterwards. */
  release(): void {
    if (this.released) return;
    this.released = true;
    for (const buffer of this.owned) give(buffer);
    this.owned.length = 0;
  }
}
