/**
 * Messages awaiting a reply: pending `request()`s and plain sends of messages that have a reply
 * route, keyed by correlation id, in send order.
 *
 * After a reconnect the client re-sends each entry that was written on an earlier connection but
 * never answered — once, in order — so a message lost with the connection still gets through
 * (at-least-once: servers should treat the correlation id as an idempotency key).
 */
import { WsgenRuntimeError } from '../errors.js';

/** Where a tracked message is in its life. */
export type TrackedState = 'queued' | 'sent' | 'resent' | 'done';

/** A message that expects a reply. */
export interface TrackedMessage {
  /** Correlation id (as a string). */
  readonly id: string;
  /** The serialized frame, kept for the re-send. */
  readonly text: string;
  /** `queued`: waiting in the offline queue; `sent`: written once; `resent`: written twice; `done`: settled. */
  state: TrackedState;
  /** Present for `request()`s. */
  readonly request: PendingRequest | undefined;
}

/** The promise callbacks and timer of one `request()`. */
export interface PendingRequest {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** Tracks messages awaiting replies; see the file comment for the re-send rule. */
export class Correlation {
  private readonly entries = new Map<string, TrackedMessage>();
  private plainCount = 0;

  /** @param maxPlain Most unanswered plain sends remembered for a re-send; the oldest is forgotten first. */
  constructor(private readonly maxPlain: number) {}

  /** Number of tracked messages (requests and plain sends). */
  get size(): number {
    return this.entries.size;
  }

  /** True when `id` is already awaiting a reply. */
  has(id: string): boolean {
    return this.entries.has(id);
  }

  /**
   * Starts tracking a message; returns undefined when plain sends are not tracked (`maxPlain` 0).
   * Throws `invalid_outgoing_message` when a pending request already uses `id`. Plain sends beyond `maxPlain` evict the oldest plain send (it was
   * already written, it just will not be re-sent), so a server that never answers cannot grow memory.
   */
  track(id: string, text: string, request: PendingRequest | undefined): TrackedMessage | undefined {
    const existing = this.entries.get(id);
    // Sending the same plain message again replaces its entry; a pending request's id is taken.
    if (existing !== undefined && existing.request === undefined && request === undefined) this.take(id);
    else if (existing !== undefined) throw new WsgenRuntimeError('invalid_outgoing_message', `Correlation id '${id}' is already awaiting a reply; use a new id.`);
    if (request === undefined) {
      if (this.maxPlain === 0) return undefined;
      if (this.plainCount >= this.maxPlain) this.evictOldestPlain();
      this.plainCount++;
    }
    const entry: TrackedMessage = { id, text, state: 'queued', request };
    this.entries.set(id, entry);
    return entry;
  }

  /** Settles the message answered by a reply; returns false when `id` is not tracked. */
  resolve(id: string, value: unknown): boolean {
    const entry = this.take(id);
    entry?.request?.resolve(value);
    return entry !== undefined;
  }

  /** Settles the message answered by an error frame (`request()`s reject with `error`). */
  reject(id: string, error: Error): boolean {
    const entry = this.take(id);
    entry?.request?.reject(error);
    return entry !== undefined;
  }

  /**
   * Calls `write` for every message written on an earlier connection and not yet answered, in
   * send order, and marks it re-sent. Plain sends already re-sent once are forgotten; requests
   * already re-sent keep waiting for their timeout.
   */
  resend(write: (text: string) => void): void {
    for (const entry of this.entries.values()) {
      if (entry.state === 'sent') {
        entry.state = 'resent';
        write(entry.text);
      } else if (entry.state === 'resent' && entry.request === undefined) {
        this.take(entry.id);
      }
    }
  }

  /** Rejects every pending request with `error` and forgets everything (close, terminal errors). */
  rejectAll(error: Error): void {
    const entries = [...this.entries.values()];
    this.entries.clear();
    this.plainCount = 0;
    for (const entry of entries) {
      entry.state = 'done';
      if (entry.request !== undefined) {
        clearTimeout(entry.request.timer);
        entry.request.reject(error);
      }
    }
  }

  /** Removes `id` (e.g. on timeout or when queueing failed) and returns its entry, marked done. */
  take(id: string): TrackedMessage | undefined {
    const entry = this.entries.get(id);
    if (entry === undefined) return undefined;
    this.entries.delete(id);
    entry.state = 'done';
    if (entry.request === undefined) this.plainCount--;
    else clearTimeout(entry.request.timer);
    return entry;
  }

  private evictOldestPlain(): void {
    for (const entry of this.entries.values()) {
      if (entry.request === undefined) {
        this.take(entry.id);
        return;
      }
    }
  }
}
