/**
 * The HTTP upgrade: every check that can refuse a connection before it exists, cheapest first —
 * path (404), shutdown (503), origin (403), address parameters (400), capacity (503/429),
 * token (401) — under a deadline (503), then the WebSocket handshake proper (by ws).
 *
 * Refusals are plain HTTP responses whose bodies are the status text: never a token, never a
 * reason that helps an attacker tell a bad token from an expired one.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AuthProtocol } from '../protocol.js';
import { matchChannel } from './channels.js';
import type { AcceptedUpgrade, UpgradeCore } from './core.js';
import type { ServerStats } from './types.js';

/** Handles one `upgrade` event of the HTTP server. */
export function handleUpgrade<P>(core: UpgradeCore<P>, request: IncomingMessage, socket: Duplex, head: Buffer): void {
  const { options } = core;
  const url = request.url ?? '/';
  const queryStart = url.indexOf('?');
  const match = matchChannel(core.channels, queryStart === -1 ? url : url.slice(0, queryStart));
  // On a shared server another 'upgrade' listener may own this path.
  if (match === undefined && options.server !== undefined && options.server.listenerCount('upgrade') > 1) return;
  // Node removed its own listeners at the upgrade: without one, a peer's reset would crash.
  socket.on('error', destroyOnError);
  if (match === undefined) return refuse(core.counters, socket, 404);
  if (!core.accepting) return refuse(core.counters, socket, 503);
  if (options.allowedOrigins !== undefined && !options.allowedOrigins.includes(request.headers.origin ?? '')) return refuse(core.counters, socket, 403);
  for (const [name, value] of Object.entries(match.params)) {
    if (match.runtime.channel.parameters[name]?.(value).ok === false) return refuse(core.counters, socket, 400);
  }
  const remoteAddress = request.socket.remoteAddress ?? '';
  const refusal = core.admission.acquire(remoteAddress);
  if (refusal !== undefined) return refuse(core.counters, socket, refusal);

  // From here the admission slot is released exactly once: by fail() or by the connection.
  let settled = false;
  const fail = (status: number | undefined): void => {
    if (settled) return;
    settled = true;
    cleanup();
    core.admission.release(remoteAddress);
    if (status === undefined) {
      core.counters.upgradesRejected++;
      socket.destroy();
    } else {
      refuse(core.counters, socket, status);
    }
  };
  const onClose = (): void => fail(undefined);
  // A handshake that outlives its deadline (e.g. a slow authenticate) is refused and dropped.
  const timer = setTimeout(() => fail(503), options.limits.handshakeTimeoutMs);
  const cleanup = (): void => {
    clearTimeout(timer);
    socket.off('close', onClose);
    core.pending.delete(socket);
  };
  socket.on('close', onClose);
  core.pending.add(socket);

  const proceed = (principal: P | null | undefined): void => {
    if (settled) return;
    if (options.authenticate !== undefined && (principal === null || principal === undefined)) return fail(401);
    let expiresAt: number | undefined;
    try {
      expiresAt = options.principalExpiresAt?.(principal as P);
    } catch (error) {
      core.report(error);
      return fail(401);
    }
    if (expiresAt === Infinity) expiresAt = undefined;
    if (expiresAt !== undefined && !Number.isFinite(expiresAt)) {
      core.report(new TypeError('principalExpiresAt() must return epoch milliseconds (a finite number) or undefined.'));
      return fail(401);
    }
    if (expiresAt !== undefined && expiresAt <= Date.now()) return fail(401);
    if (!core.accepting) return fail(503);
    settled = true;
    cleanup();
    completeHandshake(core, request, socket, head, { runtime: match.runtime, params: match.params, principal: principal as P, remoteAddress, expiresAt });
  };

  if (options.authenticate === undefined) return proceed(undefined);
  let result: P | null | undefined | Promise<P | null | undefined>;
  try {
    result = options.authenticate({ token: extractToken(core.auth, request, url, queryStart), request });
  } catch (error) {
    // Throwing counts as "invalid token"; the error goes to onError, the client sees only 401.
    core.report(error);
    return fail(401);
  }
  if (typeof (result as PromiseLike<unknown> | null | undefined)?.then === 'function') {
    (result as Promise<P | null | undefined>).then(proceed, (error: unknown) => {
      core.report(error);
      fail(401);
    });
  } else {
    proceed(result as P | null | undefined);
  }
}

function completeHandshake<P>(
  core: UpgradeCore<P>,
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  upgrade: Omit<AcceptedUpgrade<P>, 'ws'>,
): void {
  // ws may still refuse (bad Sec-WebSocket-Key, peer gone): then the slot comes back here.
  let handedOver = false;
  const onEarlyClose = (): void => {
    if (handedOver) return;
    core.counters.upgradesRejected++;
    core.admission.release(upgrade.remoteAddress);
  };
  socket.once('close', onEarlyClose);
  core.wss.handleUpgrade(request, socket, head, (ws) => {
    handedOver = true;
    // ws has its own error handling on the socket from here.
    socket.off('close', onEarlyClose);
    socket.off('error', destroyOnError);
    core.accept({ ...upgrade, ws });
  });
}

/**
 * The token of an upgrade request: the auth query parameter, else the value after the auth
 * subprotocol in `Sec-WebSocket-Protocol` (`bearer, <token>`), else the auth header.
 */
export function extractToken(auth: AuthProtocol | undefined, request: IncomingMessage, url: string, queryStart: number): string | undefined {
  if (auth === undefined) return undefined;
  if (auth.queryParameter !== undefined && queryStart !== -1) {
    const value = new URLSearchParams(url.slice(queryStart + 1)).get(auth.queryParameter);
    if (value) return value;
  }
  const protocols = request.headers['sec-websocket-protocol'];
  if (auth.subprotocol !== undefined && typeof protocols === 'string') {
    const offered = protocols.split(',');
    const index = offered.findIndex((protocol) => protocol.trim() === auth.subprotocol);
    const value = index === -1 ? undefined : offered[index + 1]?.trim();
    if (value) return value;
  }
  if (auth.header !== undefined) {
    const value = request.headers[auth.header.toLowerCase()];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

/**
 * The subprotocol to select: the auth subprotocol when offered (never the token that follows
 * it), else none.
 */
export function selectProtocol(auth: AuthProtocol | undefined, offered: Set<string>): string | false {
  return auth?.subprotocol !== undefined && offered.has(auth.subprotocol) ? auth.subprotocol : false;
}

function destroyOnError(this: Duplex): void {
  this.destroy();
}

/** Answers the upgrade with an HTTP error status and closes the socket. */
function refuse(counters: ServerStats, socket: Duplex, status: number): void {
  counters.upgradesRejected++;
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = STATUS_CODES[status] ?? 'Error';
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${body}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
