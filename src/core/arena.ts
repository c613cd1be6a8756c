/**
 * A bump allocator of Float64Array views. Allocating a typed array of more than a few elements
 * costs a separate off-heap buffer (about a microsecond to make and later free, and the freeing is
 * serialised between threads); a run that makes a hundred small arrays spends more time on that
 * than on many of its monthly steps. Views carved from a few shared blocks cost one small object.
 * Views start zeroed, as `new Float64Array(n)` does.
 */
export class Float64Arena {
  private block: Float64Array;
  private at = 0;

  /** `blockSize`: doubles per block; a request larger than a quarter block gets its own array. */
  constructor(private readonly blockSize = 4096) {
    this.block = new Float64Array(blockSize);
  }

  /** A zeroed view of `n` doubles. */
  zeros(n: number): Float64Array {
    if (n > this.blockSize >> 2) return new Float64Array(n);
    if (this.at + n > this.block.length) {
      this.block = new Float64Array(this.blockSize);
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
}
