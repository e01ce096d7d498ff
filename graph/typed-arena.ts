/**
 * Typed arrays carved out of one ArrayBuffer, for the snapshot compiler.
 *
 * Why: V8 starts a full collection of the heap each time some 64 MB of array memory has been
 * allocated since the last one, and on a large snapshot every such collection marks millions of
 * id and name strings (~0.1 s each at a million nodes). Compiling a million-node snapshot makes a
 * few hundred megabytes of arrays: allocated one by one, that is six collections or more per
 * compile; taken from one buffer sized in advance, one.
 *
 * The buffer is shared memory (a SharedArrayBuffer): a snapshot is immutable once compiled, and
 * posting it to the analysis workers then shares its arrays instead of copying them (at a million
 * nodes a copy per worker was 350 MB and a third of a second of the event loop per version).
 */

/** Where the compiler takes its arrays from: an arena, or plain `new` (HEAP). Arrays start zeroed. */
export interface ArrayAllocator {
  uint8(length: number): Uint8Array;
  int32(length: number): Int32Array;
  uint32(length: number): Uint32Array;
  float64(length: number): Float64Array;
}

export const HEAP: ArrayAllocator = {
  uint8: (length) => new Uint8Array(length),
  int32: (length) => new Int32Array(length),
  uint32: (length) => new Uint32Array(length),
  float64: (length) => new Float64Array(length),
};

/** Bytes an arena needs for an array of `length` elements of `bytesPerElement` (8-byte aligned). */
export function arenaBytes(length: number, bytesPerElement: number): number {
  return Math.ceil((length * bytesPerElement) / 8) * 8;
}

/** An allocator over one zeroed buffer in shared memory, of a size computed beforehand (with arenaBytes). */
export class TypedArena implements ArrayAllocator {
  private readonly buffer: SharedArrayBuffer;
  private used = 0;

  constructor(bytes: number) {
    this.buffer = new SharedArrayBuffer(bytes);
  }

  private take(length: number, bytesPerElement: number): number {
    const at = this.used;
    this.used += arenaBytes(length, bytesPerElement);
    if (this.used > this.buffer.byteLength) {
      throw new Error(`typed arena: ${this.used} bytes asked of a ${this.buffer.byteLength}-byte arena (its size was computed wrongly)`);
    }
    return at;
  }

  uint8(length: number): Uint8Array {
    return new Uint8Array(this.buffer, this.take(length, 1), length);
  }

  int32(length: number): Int32Array {
    return new Int32Array(this.buffer, this.take(length, 4), length);
  }

  uint32(length: number): Uint32Array {
    return new Uint32Array(this.buffer, this.take(length, 4), length);
  }

  float64(length: number): Float64Array {
    return new Float64Array(this.buffer, this.take(length, 8), length);
  }
}

/**
 * Typed arrays in shared memory (a SharedArrayBuffer each): a worker thread reads them where they
 * are, since postMessage shares such a buffer instead of copying it. The stores' scans put their
 * columns there, so that the layer builder hands the SUPPLIES to its worker without a copy and the
 * node columns a snapshot takes over reach the analysis workers without one.
 */
export const SHARED: ArrayAllocator = {
  uint8: (length) => new Uint8Array(new SharedArrayBuffer(length)),
  int32: (length) => new Int32Array(new SharedArrayBuffer(4 * length)),
  uint32: (length) => new Uint32Array(new SharedArrayBuffer(4 * length)),
  float64: (length) => new Float64Array(new SharedArrayBuffer(8 * length)),
};

/** Whether a typed array lives in shared memory (see SHARED). */
export function inSharedMemory(array: ArrayBufferView): boolean {
  return array.buffer instanceof SharedArrayBuffer;
}

type Column = Uint8Array | Int32Array | Uint32Array | Float64Array;

/** A zeroed array of `like`'s type and this length: in shared memory when `like` is, or when asked. */
export function sameType<T extends Column>(like: T, length: number, shared = inSharedMemory(like)): T {
  const Type = like.constructor as { new (length: number): T; new (buffer: SharedArrayBuffer): T };
  return shared ? new Type(new SharedArrayBuffer(length * like.BYTES_PER_ELEMENT)) : new Type(length);
}

/** The first `length` entries of `array` as an array of their own: in shared memory when `array` is, or when asked. */
export function copyOf<T extends Column>(array: T, length: number, shared = inSharedMemory(array)): T {
  const copy = sameType(array, length, shared);
  copy.set(array.subarray(0, length));
  return copy;
}
