/**
 * The answers of the analysis routes, kept per snapshot version: a snapshot never changes, so an
 * answer computed on it stays right for as long as it is the version analyses read. The same
 * question asked again (an analyst going back to a company, a dashboard polling, two programs asking
 * at once) is answered without a trip to a worker; on a giant strongly connected network an origin
 * mix is tens of milliseconds of solving, a cached one a map lookup.
 *
 * Keyed by the version, the analysis, whether the answer is stale, and the request's parameters as
 * JSON (the routes build them in a fixed key order from validated input). Identical requests in flight
 * share one computation. Bounded by the characters of the answers kept (least recently used go
 * first); entries of an older version go as soon as a newer one is asked for. Failures are never
 * kept: the next request tries again.
 */

/** Characters per MB of JSON text (an answer is kept as the string the route sends). */
const CHARS_PER_MB = 1 << 20;

export class AnswerCache {
  readonly #limit: number;
  #version = -1;
  #chars = 0;
  /** Least recently used first (a Map keeps insertion order; a hit re-inserts). */
  readonly #answers = new Map<string, string>();
  readonly #inFlight = new Map<string, Promise<string>>();

  /** @param megabytes what the kept answers may take (UTF-16: about 2 bytes a character); 0 keeps none. */
  constructor(megabytes: number) {
    this.#limit = Math.max(0, megabytes) * CHARS_PER_MB;
  }

  /** Answers kept now (for tests and the health report). */
  get size(): number {
    return this.#answers.size;
  }

  /** The answer for the key, from the cache, from a computation in flight, or from `compute`. */
  async answer(version: number, key: string, compute: () => Promise<string>): Promise<string> {
    if (this.#limit === 0) return compute();
    if (version > this.#version) this.#forgetOlderThan(version);
    else if (version < this.#version) return compute(); // a request that began on an older snapshot: not worth keeping
    const kept = this.#answers.get(key);
    if (kept !== undefined) {
      this.#answers.delete(key);
      this.#answers.set(key, kept);
      return kept;
    }
    const running = this.#inFlight.get(key);
    if (running !== undefined) return running;
    const computed = compute();
    this.#inFlight.set(key, computed);
    try {
      const json = await computed;
      if (version === this.#version) this.#keep(key, json);
      return json;
    } finally {
      if (this.#inFlight.get(key) === computed) this.#inFlight.delete(key);
    }
  }

  #forgetOlderThan(version: number): void {
    this.#version = version;
    this.#answers.clear();
    this.#inFlight.clear();
    this.#chars = 0;
  }

  #keep(key: string, json: string): void {
    const size = key.length + json.length;
    if (size > this.#limit / 4) return; // one huge answer (a 100,000-row ranking) must not empty the cache
    this.#answers.set(key, json);
    this.#chars += size;
    for (const [oldKey, oldJson] of this.#answers) {
      if (this.#chars <= this.#limit) break;
      this.#answers.delete(oldKey);
      this.#chars -= oldKey.length + oldJson.length;
    }
  }
}

/** The cache key of one analysis request. */
export function answerKey(name: string, stale: boolean, params: unknown): string {
  return `${name}\u0000${stale ? 'stale' : 'fresh'}\u0000${JSON.stringify(params)}`;
}
