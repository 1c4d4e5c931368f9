/**
 * Client options: the documented defaults, and validation of everything a caller passes.
 *
 * Following the `ws` library, defaults are filled first and the result is validated up front,
 * so a misconfigured client fails at `createRuntimeClient()` with one sentence naming the
 * option, instead of misbehaving later on a reconnect.
 */
import type { ApiProtocol, ChannelProtocol } from '../protocol.js';
import type { WebSocketLikeConstructor } from './transport.js';

/** Where the token goes at the HTTP upgrade. */
export type AuthPlacement = 'query' | 'subprotocol' | 'header';

/** A fixed token, or a function called again before every (re)connect (token refresh). */
export type TokenSource = string | (() => string | Promise<string>);

/** Reconnect policy: exponential backoff, optionally with full jitter. */
export interface ReconnectOptions {
  /** Ceiling of the first retry's delay. Default 1000 ms. */
  initialDelayMs?: number;
  /** Largest ceiling of any retry's delay (>= initialDelayMs). Default 30000 ms, or initialDelayMs when larger. */
  maxDelayMs?: number;
  /** Growth of the ceiling per failed attempt (>= 1). Default 2. */
  factor?: number;
  /** `'full'`: the delay is `random() * ceiling`; `'none'`: exactly the ceiling. Default `'full'`. */
  jitter?: 'full' | 'none';
  /** Reconnect attempts in a row (without an open in between) before giving up. Default Infinity. */
  maxAttempts?: number;
}

/**
 * Dead-connection detection. With the `ws` library the client pings after `intervalMs` of
 * silence and gives up `timeoutMs` later; pings and pongs count as traffic. Browsers hide
 * ping/pong frames, so there only messages count, which would kill quiet but healthy
 * connections: the heartbeat is therefore on by default with `ws` and off by default elsewhere
 * (pass an object to enable it anyway).
 */
export interface HeartbeatOptions {
  /** Silence after which the client pings (ws) or starts counting down. Default 30000 ms. */
  intervalMs?: number;
  /** Further silence after which the connection is considered dead. Default 10000 ms. */
  timeoutMs?: number;
}

/** Options of {@link createRuntimeClient}; every default is documented on its field. */
export interface RuntimeClientOptions {
  /** Full `ws://` or `wss://` URL of the channel endpoint. */
  url: string;
  /** Id of the `protocol.channels` entry this client speaks. */
  channelId: string;
  /** Token presented at every upgrade; a function is called again before every (re)connect. */
  token?: TokenSource;
  /**
   * Token placement. Default: `'query'` when the API declares `auth.queryParameter`, else
   * `'subprotocol'` when it declares `auth.subprotocol`, else `'header'` (the API's
   * `auth.header` with the raw token, or `Authorization: Bearer <token>`). `'header'` needs the
   * `ws` library (Node): browsers cannot set upgrade headers.
   */
  auth?: AuthPlacement;
  /** Reconnect policy, or `false` to never reconnect. Default: the {@link ReconnectOptions} defaults. */
  reconnect?: false | ReconnectOptions;
  /** Dead-connection detection, or `false`. Default: on with `ws`, off in browsers (see {@link HeartbeatOptions}). */
  heartbeat?: false | HeartbeatOptions;
  /** Offline queue: messages sent while not open. Default `{ maxMessages: 1000 }`. */
  queue?: { maxMessages?: number };
  /** Validate server frames; invalid ones are reported via `'clientError'`, not delivered. Default true. */
  validateIncoming?: boolean;
  /** Validate outgoing messages; invalid ones throw `invalid_outgoing_message`. Default true. */
  validateOutgoing?: boolean;
  /** Default timeout of `request()`. Default 10000 ms. */
  requestTimeoutMs?: number;
  /** WebSocket implementation. Default: `globalThis.WebSocket`, else the `ws` package, loaded lazily. */
  WebSocket?: WebSocketLikeConstructor;
  /** Random source in [0, 1) for the backoff jitter (tests). Default `Math.random`. */
  random?: () => number;
}

/** Reconnect policy with every default filled in. */
export interface ResolvedReconnect {
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
  jitter: 'full' | 'none';
  maxAttempts: number;
}

/** Heartbeat with defaults filled in; `explicit` when the caller asked for it (then it also runs in browsers). */
export interface ResolvedHeartbeat {
  intervalMs: number;
  timeoutMs: number;
  explicit: boolean;
}

/** {@link RuntimeClientOptions} after defaults and validation. */
export interface ResolvedClientOptions {
  url: string;
  channel: ChannelProtocol;
  token: TokenSource | undefined;
  auth: AuthPlacement;
  reconnect: ResolvedReconnect | false;
  heartbeat: ResolvedHeartbeat | false;
  maxQueuedMessages: number;
  validateIncoming: boolean;
  validateOutgoing: boolean;
  requestTimeoutMs: number;
  WebSocket: WebSocketLikeConstructor | undefined;
  random: () => number;
}

/** The documented defaults, in one place. */
export const CLIENT_DEFAULTS = {
  initialDelayMs: 1000,
  maxDelayMs: 30_000,
  factor: 2,
  jitter: 'full',
  maxAttempts: Number.POSITIVE_INFINITY,
  heartbeatIntervalMs: 30_000,
  heartbeatTimeoutMs: 10_000,
  maxMessages: 1000,
  requestTimeoutMs: 10_000,
} as const;

/** Largest delay `setTimeout` honours (it fires at once beyond it). */
export const MAX_TIMER_MS = 2_147_483_647;

/** Event names the client emits itself, which no server message key may shadow. */
export const RESERVED_EVENTS: readonly string[] = ['state', 'clientError'];

/** Fills the defaults of `options` and validates them; throws TypeError or RangeError. */
export function resolveClientOptions(protocol: ApiProtocol, options: RuntimeClientOptions): ResolvedClientOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object with at least url and channelId.');
  const url = checkUrl(options.url);
  if (typeof options.channelId !== 'string') throw new TypeError('options.channelId must be a string naming a channel of the API.');
  const channel = protocol.channels.find((candidate) => candidate.id === options.channelId);
  if (channel === undefined) {
    throw new TypeError(`options.channelId must be one of: ${protocol.channels.map((c) => c.id).join(', ')}; got '${options.channelId}'.`);
  }
  for (const route of channel.serverToClient) {
    if (RESERVED_EVENTS.includes(route.key)) throw new TypeError(`Message key '${route.key}' of channel '${channel.id}' clashes with the client's own '${route.key}' event.`);
  }
  const token = options.token;
  if (token !== undefined && typeof token !== 'string' && typeof token !== 'function') {
    throw new TypeError('options.token must be a string or a function returning a string (or a promise of one).');
  }
  return {
    url,
    channel,
    token,
    auth: resolveAuth(protocol, options.auth),
    reconnect: resolveReconnect(options.reconnect),
    heartbeat: resolveHeartbeat(options.heartbeat),
    maxQueuedMessages: checkNumber('options.queue.maxMessages', optionalObject('options.queue', options.queue, false)?.maxMessages ?? CLIENT_DEFAULTS.maxMessages, 0, Number.MAX_SAFE_INTEGER, true),
    validateIncoming: checkBoolean('options.validateIncoming', options.validateIncoming ?? true),
    validateOutgoing: checkBoolean('options.validateOutgoing', options.validateOutgoing ?? true),
    requestTimeoutMs: checkTimeout('options.requestTimeoutMs', options.requestTimeoutMs ?? CLIENT_DEFAULTS.requestTimeoutMs),
    WebSocket: checkFunction('options.WebSocket', options.WebSocket),
    random: checkFunction('options.random', options.random) ?? Math.random,
  };
}

/** Validates a per-call or per-client timeout: a positive number of ms that `setTimeout` honours. */
export function checkTimeout(name: string, value: unknown): number {
  return checkNumber(name, value, 1, MAX_TIMER_MS, false);
}

function checkUrl(value: unknown): string {
  if (typeof value !== 'string') throw new TypeError('options.url must be a ws:// or wss:// URL string.');
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new TypeError('options.url must be an absolute ws:// or wss:// URL.');
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') throw new TypeError(`options.url must use ws: or wss:, got ${parsed.protocol}.`);
  return value;
}

function resolveAuth(protocol: ApiProtocol, auth: unknown): AuthPlacement {
  if (auth === undefined) {
    if (protocol.auth?.queryParameter !== undefined) return 'query';
    return protocol.auth?.subprotocol !== undefined ? 'subprotocol' : 'header';
  }
  if (auth !== 'query' && auth !== 'subprotocol' && auth !== 'header') throw new TypeError("options.auth must be 'query', 'subprotocol' or 'header'.");
  // Without the API's parameter or subprotocol name the server would not know where to look.
  if (auth === 'query' && protocol.auth?.queryParameter === undefined) throw new TypeError("options.auth 'query' needs the API to declare auth.queryParameter; use 'subprotocol' or 'header'.");
  if (auth === 'subprotocol' && protocol.auth?.subprotocol === undefined) throw new TypeError("options.auth 'subprotocol' needs the API to declare auth.subprotocol; use 'query' or 'header'.");
  return auth;
}

function resolveReconnect(value: false | ReconnectOptions | undefined): ResolvedReconnect | false {
  if (value === false) return false;
  const input = optionalObject('options.reconnect', value) ?? {};
  const jitter = input.jitter ?? CLIENT_DEFAULTS.jitter;
  if (jitter !== 'full' && jitter !== 'none') throw new TypeError("options.reconnect.jitter must be 'full' or 'none'.");
  const initialDelayMs = checkNumber('options.reconnect.initialDelayMs', input.initialDelayMs ?? CLIENT_DEFAULTS.initialDelayMs, 0, MAX_TIMER_MS, false);
  const maxDelayMs = checkNumber('options.reconnect.maxDelayMs', input.maxDelayMs ?? Math.max(CLIENT_DEFAULTS.maxDelayMs, initialDelayMs), initialDelayMs, MAX_TIMER_MS, false);
  return {
    initialDelayMs,
    maxDelayMs,
    factor: checkNumber('options.reconnect.factor', input.factor ?? CLIENT_DEFAULTS.factor, 1, Number.MAX_VALUE, false),
    jitter,
    maxAttempts: checkNumber('options.reconnect.maxAttempts', input.maxAttempts ?? CLIENT_DEFAULTS.maxAttempts, 0, Number.POSITIVE_INFINITY, true),
  };
}

function resolveHeartbeat(value: false | HeartbeatOptions | undefined): ResolvedHeartbeat | false {
  if (value === false) return false;
  const input = optionalObject('options.heartbeat', value);
  return {
    intervalMs: checkTimeout('options.heartbeat.intervalMs', input?.intervalMs ?? CLIENT_DEFAULTS.heartbeatIntervalMs),
    timeoutMs: checkTimeout('options.heartbeat.timeoutMs', input?.timeoutMs ?? CLIENT_DEFAULTS.heartbeatTimeoutMs),
    explicit: input !== undefined,
  };
}

function optionalObject<T extends object>(name: string, value: T | undefined, orFalse = true): T | undefined {
  if (value !== undefined && (typeof value !== 'object' || value === null)) throw new TypeError(`${name} must be an object${orFalse ? ' or false' : ''}.`);
  return value;
}

function checkNumber(name: string, value: unknown, min: number, max: number, integer: boolean): number {
  if (typeof value !== 'number' || Number.isNaN(value)) throw new TypeError(`${name} must be a number.`);
  const isInteger = Number.isInteger(value) || value === Number.POSITIVE_INFINITY;
  if (value < min || value > max || (integer && !isInteger)) {
    const kind = integer ? 'an integer' : 'a number';
    throw new RangeError(`${name} must be ${kind} from ${min} to ${max === Number.POSITIVE_INFINITY ? 'Infinity' : max}, got ${value}.`);
  }
  return value;
}

function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`${name} must be true or false.`);
  return value;
}

function checkFunction<T>(name: string, value: T | undefined): T | undefined {
  if (value !== undefined && typeof value !== 'function') throw new TypeError(`${name} must be a function.`);
  return value;
}
