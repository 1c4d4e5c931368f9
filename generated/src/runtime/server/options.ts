/**
 * Options of `createRuntimeServer()`: their types, defaults and up-front validation
 * (TypeError for a wrong shape or combination, RangeError for an out-of-range value).
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { ApiProtocol } from '../protocol.js';
import type { PubSub } from '../pubsub/pubsub.js';
import type { ConnectionInfo, RuntimeContext } from './types.js';

/** Handles one message key of one channel. May be async; a throw or rejection is reported, never fatal. */
export type MessageHandler<P> = (message: unknown, ctx: RuntimeContext<P>) => void | Promise<void>;

/** Resource limits of the server; every one has a default (see {@link DEFAULT_LIMITS}). */
export interface ServerLimits {
  /** Largest accepted frame; bigger frames close the connection with 1009. Default 65 536 (64 KiB). */
  maxPayloadBytes: number;
  /** Token-bucket refill rate per connection. `Infinity` disables rate limiting. Default 100. */
  messagesPerSecond: number;
  /** Token-bucket capacity: frames accepted in a burst. Default 200. */
  burst: number;
  /** Open plus handshaking connections; beyond it upgrades get HTTP 503. Default 10 000. */
  maxConnections: number;
  /** Open plus handshaking connections per peer address; beyond it upgrades get HTTP 429. Default `Infinity`. */
  maxConnectionsPerIp: number;
  /** Send buffer above which a connection is closed with 1013 (then terminated). Default 1 048 576 (1 MiB). */
  maxBufferedBytes: number;
  /** Ping interval; a connection that has not answered the previous ping is terminated. 0 disables. Default 30 000. */
  heartbeatIntervalMs: number;
  /** Deadline for an upgrade (authentication included) and for HTTP request headers; then 503 / 408. Default 10 000. */
  handshakeTimeoutMs: number;
  /** Invalid frames in a row (bad JSON, unknown type, schema failure) before close 1008. Default 10. */
  maxInvalidFrames: number;
  /** Rate-limited frames in a row before close 4029. Default 50. */
  rateLimitStrikes: number;
  /** How long a close handshake may take before the socket is destroyed. Default 5 000. */
  closeTimeoutMs: number;
}

/** Default {@link ServerLimits}. */
export const DEFAULT_LIMITS: Readonly<ServerLimits> = Object.freeze({
  maxPayloadBytes: 64 * 1024,
  messagesPerSecond: 100,
  burst: 200,
  maxConnections: 10_000,
  maxConnectionsPerIp: Infinity,
  maxBufferedBytes: 1024 * 1024,
  heartbeatIntervalMs: 30_000,
  handshakeTimeoutMs: 10_000,
  maxInvalidFrames: 10,
  rateLimitStrikes: 50,
  closeTimeoutMs: 5_000,
});

/** Lifecycle hooks. They run synchronously; a hook that throws is reported to `onError`. */
export interface ServerHooks<P> {
  /** A connection opened (after authentication). */
  onConnect?(conn: ConnectionInfo<P>): void;
  /**
   * A connection closed. `code`/`reason` are the server's when the server closed it (e.g. 1013,
   * 4029, 1006 with `heartbeat timeout`), else the client's (1006 when the socket just ended).
   */
  onDisconnect?(conn: ConnectionInfo<P>, code: number, reason: string): void;
  /** A handler, hook, authenticate() or the PubSub failed. Messages never contain tokens. */
  onError?(error: unknown, conn?: ConnectionInfo<P>): void;
}

/** Options of `createRuntimeServer()`. Exactly one of `port` and `server`. */
export interface RuntimeServerOptions<P> {
  /** Port of an own HTTP listener (0 picks a free one). */
  port?: number;
  /** Host of the own listener. Default: all interfaces, like `http.Server#listen`. */
  host?: string;
  /** Existing HTTP(S) server to attach to (its `upgrade` event); non-matching paths get 404 unless another `upgrade` listener exists. */
  server?: HttpServer | HttpsServer;
  /** Overrides `protocol.basePath` (`''` or `/segment...`, no trailing slash). */
  basePath?: string;
  /**
   * Turns the upgrade's token into a principal; `null`/`undefined` (or a throw) answers HTTP 401.
   * Required when the protocol declares auth. The token comes from the auth query parameter,
   * the `Sec-WebSocket-Protocol: <subprotocol>, <token>` pair, or the auth header.
   */
  authenticate?: (input: { token: string | undefined; request: IncomingMessage }) => P | null | undefined | Promise<P | null | undefined>;
  /** When the principal stops being valid (epoch ms); then the connection is closed with 4001. */
  principalExpiresAt?: (principal: P) => number | undefined;
  /** Exact `Origin` values allowed; a missing or other origin gets HTTP 403. Default: no check. */
  allowedOrigins?: string[];
  /** Handlers by channel id, then by message key. Messages without a handler are dropped. */
  handlers: Record<string, Record<string, MessageHandler<P>>>;
  /** Transport for topics between instances. Default: a {@link memoryPubSub} owned (and closed) by the server. */
  pubsub?: PubSub;
  /** Overrides of {@link DEFAULT_LIMITS}. */
  limits?: Partial<ServerLimits>;
  /** Lifecycle hooks. */
  hooks?: ServerHooks<P>;
  /** Validate outgoing messages. Default: `process.env.NODE_ENV !== 'production'`. */
  validateOutgoing?: boolean;
}

/** Options after defaults and validation. */
export interface ResolvedServerOptions<P> extends Omit<RuntimeServerOptions<P>, 'limits' | 'hooks' | 'validateOutgoing' | 'basePath'> {
  basePath: string;
  limits: ServerLimits;
  hooks: ServerHooks<P>;
  validateOutgoing: boolean;
}

/** Largest delay Node timers accept. */
const MAX_TIMER_MS = 2_147_483_647;

/** Per-limit rules: smallest value, whether Infinity is allowed, whether it is a timer delay. */
const LIMIT_RULES: Record<keyof ServerLimits, { min: number; infinite: boolean; timer?: boolean; integer?: boolean }> = {
  maxPayloadBytes: { min: 1, infinite: false },
  messagesPerSecond: { min: Number.MIN_VALUE, infinite: true, integer: false },
  burst: { min: 1, infinite: false },
  maxConnections: { min: 1, infinite: true },
  maxConnectionsPerIp: { min: 1, infinite: true },
  maxBufferedBytes: { min: 1, infinite: true },
  heartbeatIntervalMs: { min: 0, infinite: false, timer: true },
  handshakeTimeoutMs: { min: 1, infinite: false, timer: true },
  maxInvalidFrames: { min: 1, infinite: true },
  rateLimitStrikes: { min: 1, infinite: true },
  closeTimeoutMs: { min: 1, infinite: false, timer: true },
};

/** Fills defaults, then validates everything; throws TypeError/RangeError naming the option. */
export function resolveServerOptions<P>(protocol: ApiProtocol, options: RuntimeServerOptions<P>): ResolvedServerOptions<P> {
  if (!isObject(options)) throw new TypeError('createRuntimeServer() expects an options object.');
  const { port, server, host, basePath = protocol.basePath, authenticate, principalExpiresAt, allowedOrigins, handlers, pubsub } = options;
  if ((port === undefined) === (server === undefined)) throw new TypeError('Exactly one of the "port" and "server" options must be set.');
  if (port !== undefined) {
    if (typeof port !== 'number') throw new TypeError('The "port" option must be a number.');
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new RangeError('The "port" option must be an integer from 0 to 65535.');
  }
  if (server !== undefined && (!isObject(server) || typeof server.on !== 'function')) throw new TypeError('The "server" option must be an http.Server or https.Server.');
  if (host !== undefined && typeof host !== 'string') throw new TypeError('The "host" option must be a string.');
  if (host !== undefined && server !== undefined) throw new TypeError('The "host" option only applies with "port", not with "server".');
  if (typeof basePath !== 'string') throw new TypeError('The "basePath" option must be a string.');
  if (basePath !== '' && !/^\/[^?#]*[^/?#]$/.test(basePath)) throw new RangeError('The "basePath" option must be "" or start with "/" and not end with "/", e.g. "/v1".');
  if (authenticate !== undefined && typeof authenticate !== 'function') throw new TypeError('The "authenticate" option must be a function.');
  if (protocol.auth !== undefined && authenticate === undefined) throw new TypeError(`The "authenticate" option is required: the ${protocol.title} API declares authentication.`);
  if (principalExpiresAt !== undefined && typeof principalExpiresAt !== 'function') throw new TypeError('The "principalExpiresAt" option must be a function.');
  if (allowedOrigins !== undefined && (!Array.isArray(allowedOrigins) || !allowedOrigins.every((o) => typeof o === 'string'))) {
    throw new TypeError('The "allowedOrigins" option must be an array of strings.');
  }
  validateHandlers(protocol, handlers);
  if (pubsub !== undefined && !(isObject(pubsub) && ['publish', 'subscribe', 'unsubscribe', 'close'].every((m) => typeof pubsub[m as keyof typeof pubsub] === 'function'))) {
    throw new TypeError('The "pubsub" option must have publish, subscribe, unsubscribe and close methods.');
  }
  const hooks = options.hooks ?? {};
  if (!isObject(hooks)) throw new TypeError('The "hooks" option must be an object.');
  for (const name of ['onConnect', 'onDisconnect', 'onError'] as const) {
    if (hooks[name] !== undefined && typeof hooks[name] !== 'function') throw new TypeError(`The "hooks.${name}" option must be a function.`);
  }
  const validateOutgoing = options.validateOutgoing ?? process.env.NODE_ENV !== 'production';
  if (typeof validateOutgoing !== 'boolean') throw new TypeError('The "validateOutgoing" option must be a boolean.');
  return { ...options, basePath, hooks, validateOutgoing, limits: resolveLimits(options.limits) };
}

function resolveLimits(overrides: Partial<ServerLimits> | undefined): ServerLimits {
  if (overrides !== undefined && !isObject(overrides)) throw new TypeError('The "limits" option must be an object.');
  const limits: ServerLimits = { ...DEFAULT_LIMITS };
  for (const [name, value] of Object.entries(overrides ?? {})) {
    if (!Object.hasOwn(LIMIT_RULES, name)) throw new TypeError(`Unknown limit "limits.${name}"; known limits: ${Object.keys(LIMIT_RULES).join(', ')}.`);
    if (value === undefined) continue;
    const rule = LIMIT_RULES[name as keyof ServerLimits];
    if (typeof value !== 'number' || Number.isNaN(value)) throw new TypeError(`The "limits.${name}" option must be a number.`);
    const inRange = value === Infinity ? rule.infinite : value >= rule.min && (rule.integer === false || Number.isInteger(value)) && (!rule.timer || value <= MAX_TIMER_MS);
    if (!inRange) {
      const kind = rule.integer === false ? 'a number' : 'an integer';
      const upper = rule.timer ? ` up to ${MAX_TIMER_MS}` : rule.infinite ? ' or Infinity' : '';
      throw new RangeError(`The "limits.${name}" option must be ${kind} ${rule.min === Number.MIN_VALUE ? 'above 0' : `of at least ${rule.min}`}${upper}.`);
    }
    limits[name as keyof ServerLimits] = value;
  }
  return limits;
}

function validateHandlers(protocol: ApiProtocol, handlers: unknown): void {
  if (!isObject(handlers)) throw new TypeError('The "handlers" option must be an object keyed by channel id.');
  for (const [channelId, byKey] of Object.entries(handlers)) {
    const channel = protocol.channels.find((candidate) => candidate.id === channelId);
    if (channel === undefined) {
      throw new TypeError(`"handlers.${channelId}" names no channel; channels: ${protocol.channels.map((c) => c.id).join(', ')}.`);
    }
    if (!isObject(byKey)) throw new TypeError(`"handlers.${channelId}" must be an object keyed by message key.`);
    for (const [key, handler] of Object.entries(byKey)) {
      if (!channel.clientToServer.some((route) => route.key === key)) {
        throw new TypeError(`"handlers.${channelId}.${key}" names no client→server message; messages: ${channel.clientToServer.map((r) => r.key).join(', ')}.`);
      }
      if (typeof handler !== 'function') throw new TypeError(`"handlers.${channelId}.${key}" must be a function.`);
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
