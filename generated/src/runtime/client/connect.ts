/**
 * One connection attempt: read the token, pick the WebSocket implementation, place the token,
 * construct, wire the events. {@link openSocket} never throws: the outcome says whether a failure
 * is worth retrying (a token provider that failed) or final (no WebSocket implementation, a
 * constructor that rejects the URL or subprotocols — retrying cannot fix those).
 */
import { WsgenRuntimeError } from '../errors.js';
import type { AuthProtocol } from '../protocol.js';
import type { ResolvedClientOptions, TokenSource } from './options.js';
import { buildConnectRequest, isNodeWebSocket, resolveWebSocket } from './transport.js';
import type { WebSocketLike } from './transport.js';

/** Result of {@link openSocket}: a socket, an error, or neither (cancelled). */
export interface OpenOutcome {
  socket: WebSocketLike | undefined;
  error: WsgenRuntimeError | undefined;
  /** True when the error is transient and the attempt should be retried with backoff. */
  retry: boolean;
}

const CANCELLED: OpenOutcome = { socket: undefined, error: undefined, retry: false };

/**
 * Starts one connection attempt; `cancelled()` is checked after every await so a `close()`
 * during the token refresh or the lazy `ws` import creates no socket.
 */
export async function openSocket(options: ResolvedClientOptions, api: AuthProtocol | undefined, cancelled: () => boolean): Promise<OpenOutcome> {
  let token: string | undefined;
  try {
    token = await readToken(options.token);
  } catch (cause) {
    // Typically a refresh request that failed (offline): worth retrying with backoff.
    const error = new WsgenRuntimeError('unauthorized', 'options.token did not produce a token; retrying with backoff.', { cause });
    return { socket: undefined, error, retry: true };
  }
  if (cancelled()) return CANCELLED;
  let WebSocketClass;
  try {
    WebSocketClass = await resolveWebSocket(options.WebSocket, options.auth === 'header' && token !== undefined);
  } catch (cause) {
    return { socket: undefined, error: new WsgenRuntimeError('connection_closed', messageOf(cause), { cause }), retry: false };
  }
  if (cancelled()) return CANCELLED;
  const request = buildConnectRequest(options.url, options.auth, api, token);
  try {
    const socket =
      request.headers === undefined
        ? new WebSocketClass(request.url, request.protocols)
        : new WebSocketClass(request.url, request.protocols, { headers: request.headers });
    return { socket: socket as WebSocketLike, error: undefined, retry: false };
  } catch (cause) {
    // The message names options.url, never request.url: that one may carry the token.
    const error = new WsgenRuntimeError('connection_closed', `Could not create a WebSocket for ${options.url}: ${messageOf(cause)}`, { cause });
    return { socket: undefined, error, retry: false };
  }
}

/** The token for this attempt; a function is called every time (token refresh). */
async function readToken(source: TokenSource | undefined): Promise<string | undefined> {
  if (source === undefined || typeof source === 'string') return source;
  const token = await source();
  if (typeof token !== 'string' || token === '') throw new TypeError('options.token() must return a non-empty string.');
  return token;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What a client wants to hear from its socket. */
export interface SocketHandlers {
  open(): void;
  data(data: unknown): void;
  /** `upgradeStatus`: HTTP status of a refused upgrade, when the transport exposes it (`ws`). */
  close(code: number, reason: string, upgradeStatus: number | undefined): void;
  /** Any sign of life other than a message: a ping or pong (`ws` only). */
  beat(): void;
}

/**
 * Attaches `handlers` to `socket`, guarded by `isCurrent()` so events of a socket the client
 * has already given up on (dropped by the heartbeat, say) are ignored.
 */
export function wireSocket(socket: WebSocketLike, handlers: SocketHandlers, isCurrent: () => boolean): void {
  let upgradeStatus: number | undefined;
  socket.onopen = () => {
    if (isCurrent()) handlers.open();
  };
  socket.onmessage = (event) => {
    if (isCurrent()) handlers.data(event.data);
  };
  // Always a listener: `ws` throws an unhandled 'error' event otherwise. A close event follows.
  socket.onerror = noop;
  socket.onclose = (event) => {
    if (isCurrent()) handlers.close(event.code, event.reason, upgradeStatus);
  };
  if (!isNodeWebSocket(socket)) return;
  const beat = (): void => {
    if (isCurrent()) handlers.beat();
  };
  socket.on('ping', beat);
  socket.on('pong', beat);
  // Only `ws` exposes a refused upgrade's response; listening means we must end the attempt.
  socket.on('unexpected-response', (_request: unknown, response: { statusCode?: number; resume?: () => void }) => {
    upgradeStatus = response.statusCode;
    response.resume?.();
    socket.terminate();
  });
}

function noop(): void {}
