/**
 * Remembers the expensive, pure steps of one generation for the next: watch mode regenerates
 * after every edit, and most edits change few of the inputs of Modelina, the Ajv compilation or
 * prettier. Each step's result is keyed by its whole input, so a hit returns exactly what the
 * step would compute; output is the same with or without a memo (test/fast-paths.test.ts).
 *
 * Only what the latest generation used is kept, so memory stays at one generation's worth.
 */
export class GenerationMemo {
  private previous = new Map<string, unknown>();
  private current = new Map<string, unknown>();
  /** Hits and misses since the memo was created, for --verbose and tests. */
  readonly stats = { hits: 0, misses: 0 };

  /**
   * The result of `compute` for `key`, computed only when no earlier generation (or this one)
   * computed it. `step` names the kind of result, so keys of different steps cannot collide.
   * Results are shared between generations: callers must not mutate them.
   */
  async reuse<T>(step: string, key: string, compute: () => Promise<T> | T): Promise<T> {
    const id = `${step}\u0000${key}`;
    const known = this.current.has(id) ? this.current.get(id) : this.previous.get(id);
    if (known !== undefined) {
      this.stats.hits++;
      this.current.set(id, known);
      return known as T;
    }
    this.stats.misses++;
    const value = await compute();
    this.current.set(id, value);
    return value;
  }

  /** Ends a generation: results it did not use are dropped. */
  settle(): void {
    this.previous = this.current;
    this.current = new Map();
  }

  /** Ends a failed generation: the last successful one's results stay. */
  abandon(): void {
    this.current = new Map();
  }
}

/** Calls `compute` directly when there is no memo (one-shot generation). */
export function reuseOrCompute<T>(memo: GenerationMemo | undefined, step: string, key: string, compute: () => Promise<T> | T): Promise<T> | T {
  return memo === undefined ? compute() : memo.reuse(step, key, compute);
}
