/**
 * Listeners by event name, plus async iterators over one event.
 *
 * Listener lists are copy-on-write arrays: `emit` (the receive hot path) walks the current array
 * with an index and allocates nothing, and a listener that removes itself or others mid-emit
 * cannot disturb the walk. A listener that throws does not stop the others or the client's state
 * machine: its error is rethrown from a microtask, where the host reports it as uncaught (as
 * browsers do for throwing event listeners).
 */

/** A listener of one event. */
export type Listener = (value: unknown) => void;

interface Entry {
  readonly listener: Listener;
  readonly once: boolean;
}

/** Event emitter with `once`, unsubscribe functions and async iterators. */
export class Emitter {
  private readonly lists = new Map<string, readonly Entry[]>();
  private readonly iterators = new Set<MessageIterator>();
  private cleared = false;

  /** Adds `listener` for `event`; returns a function that removes it. */
  on(event: string, listener: Listener, once = false): () => void {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function.');
    // After clear() nothing will ever be emitted: registering would only keep the listener alive.
    if (this.cleared) return noop;
    const entry: Entry = { listener, once };
    this.lists.set(event, [...(this.lists.get(event) ?? []), entry]);
    return () => this.remove(event, (candidate) => candidate === entry);
  }

  /** Removes every registration of `listener` for `event` (whether added with `on` or `once`). */
  off(event: string, listener: Listener): void {
    this.remove(event, (candidate) => candidate.listener === listener);
  }

  /** Calls the listeners of `event` with `value`, in registration order. */
  emit(event: string, value: unknown): void {
    const list = this.lists.get(event);
    if (list === undefined) return;
    for (let i = 0; i < list.length; i++) {
      const entry = list[i] as Entry;
      if (entry.once) this.remove(event, (candidate) => candidate === entry);
      try {
        entry.listener(value);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  /** An async iterator over the values of `event`, buffered until read; ends on {@link clear}. */
  iterate(event: string): AsyncIterableIterator<unknown> {
    const iterator: MessageIterator = new MessageIterator(() => {
      unsubscribe();
      this.iterators.delete(iterator);
    });
    const unsubscribe = this.on(event, iterator.push);
    if (this.cleared) iterator.end();
    else this.iterators.add(iterator);
    return iterator;
  }

  /** Removes every listener and ends every iterator (buffered values are still delivered); final. */
  clear(): void {
    this.cleared = true;
    this.lists.clear();
    for (const iterator of this.iterators) iterator.end();
    this.iterators.clear();
  }

  private remove(event: string, match: (entry: Entry) => boolean): void {
    const list = this.lists.get(event);
    if (list === undefined) return;
    const kept = list.filter((entry) => !match(entry));
    if (kept.length === list.length) return;
    if (kept.length === 0) this.lists.delete(event);
    else this.lists.set(event, kept);
  }
}

function noop(): void {}

/** Async iterator fed by an emitter listener; unbounded buffer, so read it or `return()` it. */
class MessageIterator implements AsyncIterableIterator<unknown> {
  private buffer: unknown[] = [];
  private head = 0;
  private readonly waiting: Array<(result: IteratorResult<unknown>) => void> = [];
  private ended = false;

  constructor(private readonly detach: () => void) {}

  /** The listener: hands `value` to a waiting `next()` or buffers it. */
  readonly push = (value: unknown): void => {
    if (this.ended) return;
    const waiter = this.waiting.shift();
    if (waiter !== undefined) waiter({ value, done: false });
    else this.buffer.push(value);
  };

  /** Ends the iteration once the buffer is drained. */
  end(): void {
    this.ended = true;
    for (const waiter of this.waiting.splice(0)) waiter({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<unknown>> {
    if (this.head < this.buffer.length) {
      const value = this.buffer[this.head++];
      // Compact now and then so a long-lived iterator does not keep read values alive.
      if (this.head > 64 && this.head * 2 > this.buffer.length) {
        this.buffer = this.buffer.slice(this.head);
        this.head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  return(): Promise<IteratorResult<unknown>> {
    this.detach();
    this.buffer = [];
    this.head = 0;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<unknown> {
    return this;
  }
}
