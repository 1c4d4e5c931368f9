/**
 * Public types of the runtime server that do not belong to one file's job: what handlers and
 * hooks receive, and what `createRuntimeServer()` returns.
 */
import type { AddressInfo } from 'node:net';

/** Read-only facts about one connection, given to hooks (allocated once per connection). */
export interface ConnectionInfo<P> {
  /** Random id of the connection (a UUID). */
  readonly id: string;
  /** What `authenticate` returned (`undefined` when the API has no auth and no `authenticate`). */
  readonly principal: P;
  /** Id of the channel the connection opened, e.g. `chat`. */
  readonly channelId: string;
  /** Decoded, validated address parameters, e.g. `{ roomId: 'lobby' }`. */
  readonly params: Readonly<Record<string, string>>;
  /** Peer address of the TCP socket (proxies are not trusted: no `X-Forwarded-For`). */
  readonly remoteAddress: string;
}

/** What a handler receives with each message (one object per delivered message). */
export interface RuntimeContext<P> {
  /** What `authenticate` returned for this connection. */
  readonly principal: P;
  /** Id of the connection the message arrived on. */
  readonly connectionId: string;
  /** Id of the channel the message arrived on. */
  readonly channelId: string;
  /** Decoded, validated address parameters. */
  readonly params: Readonly<Record<string, string>>;
  /**
   * Sends a message to this connection. When `validateOutgoing` is on it must match one of the
   * channel's server→client messages, else it throws `WsgenRuntimeError` with code
   * `invalid_outgoing_message` and nothing is sent. A message whose key is one of the handled
   * request's reply keys gets the request's correlation id when it has none. A no-op once the
   * connection is closing.
   */
  send(message: unknown): void;
  /**
   * Like `send`, but sets the correlation property (e.g. `id`) of the handled request on a copy
   * of `message`. Throws `WsgenRuntimeError` `invalid_state` when the handled message declares
   * no reply.
   */
  reply(message: unknown): void;
  /** Adds this connection to `topic` (idempotent); it receives every later publish to it. */
  join(topic: string): Promise<void>;
  /** Removes this connection from `topic` (idempotent). */
  leave(topic: string): Promise<void>;
  /**
   * Sends `message` to every connection that joined `topic`, on every server instance, exactly
   * once each (this one included when it joined). Validated like `send` (rejects, nothing sent).
   */
  publish(topic: string, message: unknown): Promise<void>;
  /** Closes this connection, by default with 1000 (normal closure). */
  close(code?: number, reason?: string): void;
}

/** Counters since the server was created (connections: currently open). */
export interface ServerStats {
  /** Open WebSocket connections right now. */
  connections: number;
  /** Valid messages delivered to the handler stage. */
  messagesIn: number;
  /** Frames sent to clients: messages, replies, topic deliveries and error frames. */
  messagesOut: number;
  /** Incoming frames not delivered: invalid JSON/message, unknown type, rate-limited, binary, too big. */
  framesRejected: number;
  /** HTTP upgrades answered with an error status or dropped (auth, origin, path, limits, timeout). */
  upgradesRejected: number;
}

/** A running (or ready to run) WebSocket server for one API. */
export interface RuntimeServer {
  /**
   * Own listener: binds `port`/`host` and resolves its address. Attached to `server`: registers
   * the `upgrade` listener and resolves the server's address (undefined if it is not listening
   * yet). Call it once.
   */
  listen(): Promise<AddressInfo | undefined>;
  /** The bound address, or undefined before `listen()` / when the attached server is not listening. */
  address(): AddressInfo | undefined;
  /** A snapshot of the counters. */
  stats(): ServerStats;
  /**
   * Sends `message` to every connection that joined `topic`, on every instance. Validated (when
   * `validateOutgoing`) against the server→client messages of every channel: one must accept it.
   */
  publish(topic: string, message: unknown): Promise<void>;
  /**
   * Graceful shutdown: refuses new upgrades (503), closes every connection with 1001, waits for
   * in-flight handlers and close handshakes until `timeoutMs` (default 10 000), terminates what
   * is left, closes its own HTTP listener and the PubSub it created (never a caller's).
   * Idempotent: later calls return the same promise.
   */
  close(options?: { timeoutMs?: number }): Promise<void>;
}
