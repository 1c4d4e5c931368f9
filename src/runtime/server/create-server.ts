/**
 * `createRuntimeServer()`: wires options, the upgrade, connections, topics, heartbeat and
 * graceful shutdown together. Each of those jobs lives in its own file; this one owns the state.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type ServerOptions } from 'ws';
import { CloseCode, ErrorCode } from '../codes.js';
import { RuntimeErrorCode, WsgenRuntimeError } from '../errors.js';
import type { ApiProtocol, AuthProtocol } from '../protocol.js';
import { memoryPubSub } from '../pubsub/memory.js';
import type { PubSub } from '../pubsub/pubsub.js';
import { Admission } from './admission.js';
import { buildChannelRuntimes, type ChannelRuntime } from './channels.js';
import { Connection } from './connection.js';
import type { AcceptedUpgrade, ConnectionCore, UpgradeCore } from './core.js';
import { assertOutgoing, assertOutgoingAnyChannel, ERROR_SENTENCES, errorFrame, serialize } from './frames.js';
import { Heartbeat } from './heartbeat.js';
import { resolveServerOptions, type ResolvedServerOptions, type RuntimeServerOptions, type ServerHooks, type ServerLimits } from './options.js';
import { TopicRegistry } from './topics.js';
import type { ConnectionInfo, RuntimeServer, ServerStats } from './types.js';
import { handleUpgrade, selectProtocol } from './upgrade.js';

/** Default deadline of `RuntimeServer#close()`, in ms. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;

/** How often the own listener checks header/request timeouts at most, in ms (Node's default is 30 s). */
const MAX_TIMEOUT_CHECK_INTERVAL_MS = 1_000;

/**
 * Creates the WebSocket server of one API. Options are validated at once (TypeError /
 * RangeError); nothing listens until `listen()`.
 */
export function createRuntimeServer<P>(protocol: ApiProtocol, options: RuntimeServerOptions<P>): RuntimeServer {
  return new RuntimeServerImpl(protocol, resolveServerOptions(protocol, options));
}

class RuntimeServerImpl<P> implements RuntimeServer, ConnectionCore<P>, UpgradeCore<P> {
  readonly counters: ServerStats = { connections: 0, messagesIn: 0, messagesOut: 0, framesRejected: 0, upgradesRejected: 0 };
  readonly connections = new Set<Connection<P>>();
  readonly pending = new Set<Duplex>();
  readonly limits: ServerLimits;
  readonly hooks: ServerHooks<P>;
  readonly validateOutgoing: boolean;
  readonly auth: AuthProtocol | undefined;
  readonly channels: readonly ChannelRuntime<P>[];
  readonly admission: Admission;
  readonly wss: WebSocketServer;
  readonly topics: TopicRegistry;
  readonly preparedErrors: { readonly invalidJson: Buffer | undefined; readonly rateLimited: Buffer | undefined };
  accepting = true;
  private readonly pubsub: PubSub;
  private readonly ownsPubsub: boolean;
  private readonly heartbeat: Heartbeat;
  private httpServer: HttpServer | undefined;
  private listening = false;
  private closed = false;
  private closing: Promise<void> | undefined;
  private inFlight = 0;
  private onDrained: (() => void) | undefined;
  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => handleUpgrade(this, request, socket, head);

  constructor(
    readonly protocol: ApiProtocol,
    readonly options: ResolvedServerOptions<P>,
  ) {
    this.limits = options.limits;
    this.hooks = options.hooks;
    this.validateOutgoing = options.validateOutgoing;
    this.auth = protocol.auth;
    this.channels = buildChannelRuntimes(protocol, options.basePath, options.handlers);
    this.admission = new Admission(this.limits.maxConnections, this.limits.maxConnectionsPerIp);
    const wsOptions: ServerOptions & { closeTimeout: number } = {
      noServer: true,
      // Connections are tracked here, with their state; ws need not keep a second set.
      clientTracking: false,
      maxPayload: this.limits.maxPayloadBytes,
      // Compression costs memory per connection and invites zip bombs; JSON frames are small.
      perMessageDeflate: false,
      handleProtocols: (offered) => selectProtocol(this.auth, offered),
      closeTimeout: this.limits.closeTimeoutMs,
    };
    this.wss = new WebSocketServer(wsOptions);
    this.ownsPubsub = options.pubsub === undefined;
    this.pubsub = options.pubsub ?? memoryPubSub();
    this.topics = new TopicRegistry(this.pubsub);
    this.heartbeat = new Heartbeat(this.connections, this.limits.heartbeatIntervalMs);
    const prepare = (code: 'invalid_json' | 'rate_limited'): Buffer | undefined => {
      const json = errorFrame(protocol, { code, message: ERROR_SENTENCES[code] });
      return json === undefined ? undefined : Buffer.from(json);
    };
    this.preparedErrors = { invalidJson: prepare(ErrorCode.INVALID_JSON), rateLimited: prepare(ErrorCode.RATE_LIMITED) };
  }

  async listen(): Promise<AddressInfo | undefined> {
    if (this.listening || this.closing !== undefined) throw new WsgenRuntimeError(RuntimeErrorCode.INVALID_STATE, 'listen() can be called once, before close().');
    this.listening = true;
    const attached = this.options.server;
    if (attached !== undefined) {
      attached.on('upgrade', this.onUpgrade);
    } else {
      const timeoutMs = this.limits.handshakeTimeoutMs;
      // Drops clients that open TCP and never finish their request headers (HTTP 408).
      const server = createServer({ headersTimeout: timeoutMs, requestTimeout: timeoutMs, connectionsCheckingInterval: Math.min(timeoutMs, MAX_TIMEOUT_CHECK_INTERVAL_MS) }, (_request, response) => {
        response.writeHead(426, { 'Content-Type': 'text/plain', Connection: 'close' }).end('Upgrade Required');
      });
      server.on('upgrade', this.onUpgrade);
      this.httpServer = server;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.options.port, this.options.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      server.on('error', (error) => this.report(error));
    }
    this.heartbeat.start();
    return this.address();
  }

  address(): AddressInfo | undefined {
    const address = (this.httpServer ?? this.options.server)?.address();
    return typeof address === 'object' && address !== null ? address : undefined;
  }

  stats(): ServerStats {
    return { ...this.counters };
  }

  async publish(topic: string, message: unknown, runtime?: ChannelRuntime<P>): Promise<void> {
    if (typeof topic !== 'string') throw new TypeError('The topic must be a string.');
    if (this.closed) throw new WsgenRuntimeError(RuntimeErrorCode.INVALID_STATE, 'publish() was called after close().');
    if (this.validateOutgoing) {
      if (runtime === undefined) assertOutgoingAnyChannel(this.protocol, message);
      else assertOutgoing(runtime.channel, message);
    }
    // Serialised once here; every instance turns it into one Buffer for all its members.
    await this.pubsub.publish(topic, serialize(message));
  }

  accept(upgrade: AcceptedUpgrade<P>): void {
    const info: ConnectionInfo<P> = Object.freeze({
      id: flatString(randomUUID()),
      principal: upgrade.principal,
      channelId: upgrade.runtime.channel.id,
      params: Object.freeze(upgrade.params),
      remoteAddress: upgrade.remoteAddress,
    });
    const connection = new Connection(this, upgrade.ws, upgrade.runtime, info, upgrade.expiresAt);
    this.connections.add(connection);
    this.counters.connections = this.connections.size;
    try {
      this.hooks.onConnect?.(info);
    } catch (error) {
      this.report(error, info);
    }
  }

  connectionClosed(connection: Connection<P>): void {
    this.connections.delete(connection);
    this.counters.connections = this.connections.size;
    this.admission.release(connection.info.remoteAddress);
    this.topics.leaveAll(connection, (error) => this.report(error, connection.info));
    this.checkDrained();
  }

  handlerStarted(): void {
    this.inFlight++;
  }

  readonly handlerSettled = (): void => {
    this.inFlight--;
    this.checkDrained();
  };

  report(error: unknown, info?: ConnectionInfo<P>): void {
    try {
      this.hooks.onError?.(error, info);
    } catch {
      // An error hook that throws has nowhere left to report to.
    }
  }

  close(options: { timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
    if (typeof timeoutMs !== 'number') throw new TypeError('The "timeoutMs" option of close() must be a number.');
    if (!(timeoutMs >= 0 && timeoutMs <= 2_147_483_647)) throw new RangeError('The "timeoutMs" option of close() must be from 0 to 2147483647 (ms).');
    this.closing ??= this.shutdown(timeoutMs);
    return this.closing;
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    this.accepting = false;
    this.heartbeat.stop();
    const own = this.httpServer;
    // Own listener: refuse new TCP connections from now on (in-progress upgrades get 503).
    const ownClosed = own === undefined ? undefined : new Promise<void>((resolve) => own.close(() => resolve()));
    for (const connection of this.connections) connection.close(CloseCode.GOING_AWAY, 'server shutting down');
    await this.drained(deadline);
    for (const connection of this.connections) connection.terminate('shutdown deadline');
    for (const socket of this.pending) socket.destroy();
    this.options.server?.off('upgrade', this.onUpgrade);
    own?.closeAllConnections();
    await ownClosed;
    this.wss.close();
    this.closed = true;
    if (this.ownsPubsub) await this.pubsub.close();
  }

  /** Resolves when no handler is in flight and no connection is open, or at `deadline`. */
  private drained(deadline: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(finish, Math.max(0, deadline - Date.now()));
      function finish(): void {
        clearTimeout(timer);
        resolve();
      }
      this.onDrained = finish;
      this.checkDrained();
    });
  }

  private checkDrained(): void {
    if (this.onDrained !== undefined && this.inFlight === 0 && this.connections.size === 0) {
      const onDrained = this.onDrained;
      this.onDrained = undefined;
      onDrained();
    }
  }
}

/**
 * Node builds `randomUUID()` by concatenation; V8 keeps such a string as a tree of parts (~480 B)
 * until something reads it character by character, which flattens it (~90 B). Every connection
 * keeps its id, so flatten it once.
 */
function flatString(value: string): string {
  value.charCodeAt(0);
  return value;
}
