/**
 * What the connection and upgrade code need from the server that owns them (implemented by
 * `create-server.ts`). Interfaces only, so those files do not import the server.
 */
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import type { ApiProtocol, AuthProtocol } from '../protocol.js';
import type { Admission } from './admission.js';
import type { ChannelRuntime } from './channels.js';
import type { Connection } from './connection.js';
import type { ResolvedServerOptions, ServerHooks, ServerLimits } from './options.js';
import type { TopicRegistry } from './topics.js';
import type { ConnectionInfo, ServerStats } from './types.js';

/** What a connection needs from its server. */
export interface ConnectionCore<P> {
  readonly protocol: ApiProtocol;
  readonly limits: ServerLimits;
  readonly validateOutgoing: boolean;
  readonly hooks: ServerHooks<P>;
  /** Mutable counters behind `stats()`. */
  readonly counters: ServerStats;
  readonly topics: TopicRegistry;
  /** Error frames without a `ref`, serialised once (undefined when the API has no error message). */
  readonly preparedErrors: { readonly invalidJson: Buffer | undefined; readonly rateLimited: Buffer | undefined };
  /** Counts a handler promise in flight (graceful shutdown waits for them). */
  handlerStarted(): void;
  /** Bound once: called when a handler promise settles. */
  readonly handlerSettled: () => void;
  publish(topic: string, message: unknown, runtime: ChannelRuntime<P> | undefined): Promise<void>;
  report(error: unknown, info?: ConnectionInfo<P>): void;
  connectionClosed(connection: Connection<P>): void;
}

/** A successful upgrade, ready to become a connection. */
export interface AcceptedUpgrade<P> {
  ws: WebSocket;
  runtime: ChannelRuntime<P>;
  params: Record<string, string>;
  principal: P;
  remoteAddress: string;
  expiresAt: number | undefined;
}

/** What the upgrade needs from its server. */
export interface UpgradeCore<P> {
  readonly options: ResolvedServerOptions<P>;
  readonly auth: AuthProtocol | undefined;
  readonly channels: readonly ChannelRuntime<P>[];
  readonly admission: Admission;
  readonly wss: WebSocketServer;
  readonly counters: ServerStats;
  /** False once shutdown started. */
  readonly accepting: boolean;
  /** Sockets between the upgrade request and the handshake's end (destroyed at shutdown). */
  readonly pending: Set<Duplex>;
  accept(upgrade: AcceptedUpgrade<P>): void;
  report(error: unknown): void;
}

