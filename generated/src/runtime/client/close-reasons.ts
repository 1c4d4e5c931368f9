/**
 * Which closes end the client for good, and the error each one is reported with.
 *
 * Reconnecting with a token the server refused, or into a channel it forbids, would only hammer
 * the server: those closes — and {@link TERMINAL_CLOSE_CODES} in general — are final. Browsers
 * cannot see the HTTP status of a refused upgrade (it surfaces as a plain 1006), so there a 401
 * at the upgrade is retried with backoff; servers that want browsers to stop should accept the
 * upgrade and close with 4001.
 */
import { CloseCode, TERMINAL_CLOSE_CODES } from '../codes.js';
import { WsgenRuntimeError } from '../errors.js';

/**
 * The error to close for good with, or undefined when the close is worth a reconnect.
 * `upgradeStatus` is the HTTP status of a refused upgrade, when the transport exposes it (`ws`).
 */
export function terminalCloseError(code: number, reason: string, upgradeStatus: number | undefined): WsgenRuntimeError | undefined {
  const why = reason === '' ? '' : ` (${reason})`;
  if (upgradeStatus === 401 || code === CloseCode.INVALID_TOKEN) {
    const how = upgradeStatus === 401 ? 'HTTP 401 at the upgrade' : `close ${code}${why}`;
    return new WsgenRuntimeError('unauthorized', `The server refused the token (${how}); not reconnecting.`, { closeCode: code });
  }
  if (upgradeStatus === 403 || code === CloseCode.FORBIDDEN) {
    const how = upgradeStatus === 403 ? 'HTTP 403 at the upgrade' : `close ${code}${why}`;
    return new WsgenRuntimeError('forbidden', `The server refused access (${how}); not reconnecting.`, { closeCode: code });
  }
  if (TERMINAL_CLOSE_CODES.includes(code)) return closedError(`The server closed the connection with ${code}${why}; not reconnecting.`, code);
  return undefined;
}

/** A `connection_closed` error. */
export function closedError(message: string, closeCode?: number, cause?: unknown): WsgenRuntimeError {
  return new WsgenRuntimeError('connection_closed', message, { closeCode, cause });
}

/** Checks `close()`'s arguments as browsers do (they throw otherwise); returns the error or undefined. */
export function checkCloseArguments(code: unknown, reason: unknown): RangeError | TypeError | undefined {
  if (typeof code !== 'number' || !Number.isInteger(code) || (code !== CloseCode.NORMAL && (code < 3000 || code > 4999))) {
    return new RangeError(`close code must be 1000 or an integer from 3000 to 4999, got ${String(code)}.`);
  }
  if (typeof reason !== 'string') return new TypeError('close reason must be a string.');
  if (new TextEncoder().encode(reason).length > 123) return new RangeError('close reason must be at most 123 UTF-8 bytes.');
  return undefined;
}
