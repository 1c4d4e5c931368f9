/**
 * Bounded FIFO of messages sent while the client is not open.
 *
 * Bounded so an app that keeps sending during a long outage fails loudly (`queue_full`) instead
 * of growing memory without limit; never drops silently.
 */

/** A bounded first-in first-out queue; `push` reports overflow instead of dropping. */
export class OfflineQueue<T> {
  private items: T[] = [];

  /** @param capacity Most items held at once; 0 disables queueing. */
  constructor(private readonly capacity: number) {}

  /** Number of queued items. */
  get size(): number {
    return this.items.length;
  }

  /** True when one more `push` would overflow. */
  get full(): boolean {
    return this.items.length >= this.capacity;
  }

  /** Appends `item`; returns false (and keeps the queue unchanged) when full. */
  push(item: T): boolean {
    if (this.full) return false;
    this.items.push(item);
    return true;
  }

  /** Removes and returns every item, oldest first. */
  drain(): T[] {
    const drained = this.items;
    this.items = [];
    return drained;
  }

  /** Forgets every item. */
  clear(): void {
    this.items = [];
  }
}
