// A bounded byte buffer addressed by absolute offsets: offset N is the N-th byte a terminal ever
// produced. A reconnecting client asks for "everything from my last offset" and gets exactly
// that, or, when those bytes were already dropped, what is left plus a flag saying so.
// It lives in the workspace host (which owns the ptys and outlives the server), so it is plain
// JavaScript with JSDoc types: the host runs it from a copy bound read-only into the sandbox.

/**
 * @typedef {object} Slice
 * @property {number} start Offset of data[0]: the requested offset, or later when the start was dropped.
 * @property {number} end
 * @property {Buffer} data
 * @property {number} missed Bytes between the requested offset and `start` that are gone.
 */

/** UTF-8 continuation bytes look like 10xxxxxx: never start a slice on one. @param {number} b */
const isContinuation = (b) => (b & 0xc0) === 0x80;

export class RingBuffer {
  /** @type {Buffer[]} */
  #chunks = [];
  #size = 0;
  /** Absolute offset of chunks[0][0]. */
  #startOffset = 0;

  /** @param {number} capacity */
  constructor(capacity) {
    if (capacity <= 0) throw new RangeError('capacity must be positive');
    this.capacity = capacity;
  }

  get start() {
    return this.#startOffset;
  }

  get end() {
    return this.#startOffset + this.#size;
  }

  /** @param {Buffer} data @returns {number} the new end */
  append(data) {
    if (data.length === 0) return this.end;
    this.#chunks.push(data);
    this.#size += data.length;
    while (this.#size > this.capacity) {
      const first = this.#chunks[0];
      const excess = this.#size - this.capacity;
      if (first.length <= excess) {
        this.#chunks.shift();
        this.#size -= first.length;
        this.#startOffset += first.length;
      } else {
        this.#chunks[0] = first.subarray(excess);
        this.#size -= excess;
        this.#startOffset += excess;
      }
    }
    return this.end;
  }

  /**
   * Bytes from `offset` to the end. An offset past the end (a client from an older server) reads nothing.
   * @param {number} offset @returns {Slice}
   */
  since(offset) {
    const end = this.end;
    if (offset >= end) return { start: end, end, data: Buffer.alloc(0), missed: 0 };
    let from = Math.max(offset, this.#startOffset);
    const all = Buffer.concat(this.#chunks, this.#size);
    let rel = from - this.#startOffset;
    if (from > offset) {
      // The cut may have landed inside a multi-byte character: skip to the next whole one.
      while (rel < all.length && isContinuation(all[rel])) rel++;
      from = this.#startOffset + rel;
    }
    return { start: from, end, data: all.subarray(rel), missed: from - Math.max(offset, 0) };
  }
}
