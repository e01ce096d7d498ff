/**
 * Working arrays a caller lends to a whole-layer sweep (originSharesAll, propagateRisk) and reuses
 * from one call to the next. On a large snapshot a fresh array of megabytes per call costs more
 * than the sweep's arithmetic (fresh pages, and every one brings a full collection of the heap
 * closer), so a caller that sweeps again and again keeps one Scratch; one that does not need one
 * lets the sweep allocate. One sweep at a time per Scratch: the arrays are views of its buffers,
 * valid until the next call that uses it. Nothing else holds them (no cache lends its arrays).
 */
export class Scratch {
  #buffers: Float64Array[] = [];
  /** Per slot: whether its buffer is known to be all 0 (its last borrower said so). */
  #clean: boolean[] = [];

  /** Working array number `slot` of `length` entries, all 0. */
  zeroed(slot: number, length: number): Float64Array {
    let buffer = this.#buffers[slot];
    if (buffer === undefined || buffer.length < length) this.#buffers[slot] = buffer = new Float64Array(length);
    else if (this.#clean[slot] !== true) buffer.fill(0);
    this.#clean[slot] = false; // until the borrower gives it back zeroed
    return buffer.subarray(0, length);
  }

  /**
   * The borrower of `slot` is done and left every entry 0 (a walk that zeroes what it visits):
   * the next lend skips the fill. A borrower that throws never says so, and the next lend fills.
   */
  returnZeroed(slot: number): void {
    this.#clean[slot] = true;
  }
}

/** A zeroed working array: from the caller's scratch when it lent one, else fresh. */
export function workingArray(scratch: Scratch | undefined, slot: number, length: number): Float64Array {
  return scratch === undefined ? new Float64Array(length) : scratch.zeroed(slot, length);
}
