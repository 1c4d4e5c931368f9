/** The client's public shape; implemented in `create-client.ts`, wrapped by the generated client. */

/** Connection state; `'closed'` is final. */
export type ClientState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** A client for one channel; the generated client wraps it with typed methods. */
export interface RuntimeClient {
  /** Current state; starts at `'connecting'` (no `'state'` event is emitted for that one). */
  readonly state: ClientState;
  /**
   * Sends a message, or queues it while not open. Messages with a reply route get a correlation
   * id when missing (on a copy; the argument is not mutated) and are re-sent once after a
   * reconnect if unanswered. Throws `invalid_outgoing_message`, `queue_full` or, after close,
   * `invalid_state`.
   */
  send(message: unknown): void;
  /**
   * Sends a message that has a reply route and resolves with its correlated reply (which is also
   * delivered to that key's listeners). Rejects with `request_timeout` (default
   * `options.requestTimeoutMs`), `connection_closed`, `server_error` (an error frame whose
   * `ref.id` is the request's id; `cause` is the ProtocolError), the errors of {@link send}, or
   * TypeError when the message has no reply route.
   */
  request(message: unknown, options?: { timeoutMs?: number }): Promise<unknown>;
  /**
   * Listens to a server message key, `'state'` (a {@link ClientState}) or `'clientError'` (a
   * WsgenRuntimeError: invalid incoming frames, token failures, terminal closes). Returns an
   * unsubscribe function; throws TypeError for an event name the channel does not have.
   */
  on(event: string, listener: (value: unknown) => void): () => void;
  /** Like {@link on}, for the next event only. */
  once(event: string, listener: (value: unknown) => void): () => void;
  /** Removes a listener added with {@link on} or {@link once}. */
  off(event: string, listener: (value: unknown) => void): void;
  /** Async iterator of one server message key (buffered until read); ends when the client closes. */
  messages(key: string): AsyncIterableIterator<unknown>;
  /** Resolves when open; rejects with the reason when the client closes for good first. */
  ready(): Promise<void>;
  /**
   * Closes for good (code 1000 or 3000–4999, default 1000; reason up to 123 UTF-8 bytes).
   * Rejects pending requests with `connection_closed`, drops the offline queue, resolves once the
   * socket is closed (after at most {@link CLOSE_GRACE_MS}), then removes all listeners and ends
   * iterators; no timers are left. Idempotent.
   */
  close(code?: number, reason?: string): Promise<void>;
}

/** How long `close()` waits for the closing handshake before dropping the socket. */
export const CLOSE_GRACE_MS = 5000;
