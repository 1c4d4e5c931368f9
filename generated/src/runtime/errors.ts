/**
 * The one error class the generated runtime throws or rejects with.
 * `code` is stable (documented in the generated README); `message` is for humans.
 */
import type { ValidationIssue } from './protocol.js';

/** Stable codes of errors the runtime throws, rejects with or reports to listeners. */
export const RuntimeErrorCode = {
  /** An outgoing message failed its validator; nothing was sent. */
  INVALID_OUTGOING_MESSAGE: 'invalid_outgoing_message',
  /** An incoming frame failed validation (client side); it was not delivered. */
  INVALID_INCOMING_MESSAGE: 'invalid_incoming_message',
  /** The offline queue is full; the message was not queued. */
  QUEUE_FULL: 'queue_full',
  /** A request got no reply within its timeout. */
  REQUEST_TIMEOUT: 'request_timeout',
  /** The connection closed (for good) before the request was answered. */
  CONNECTION_CLOSED: 'connection_closed',
  /** The server refused the token (HTTP 401 at the upgrade or close 4001). */
  UNAUTHORIZED: 'unauthorized',
  /** The server refused access (close 4003). */
  FORBIDDEN: 'forbidden',
  /** The server answered the request with an error frame. */
  SERVER_ERROR: 'server_error',
  /** The operation is not possible in the current state (e.g. send after close()). */
  INVALID_STATE: 'invalid_state',
} as const;

/** A code from {@link RuntimeErrorCode}. */
export type RuntimeErrorCode = (typeof RuntimeErrorCode)[keyof typeof RuntimeErrorCode];

/** Error thrown, rejected with or emitted by the generated server and client. */
export class WsgenRuntimeError extends Error {
  /** Stable code, see {@link RuntimeErrorCode}. */
  readonly code: RuntimeErrorCode;
  /** Validation issues, for the invalid-message codes. */
  readonly details: ValidationIssue[] | undefined;
  /** The WebSocket close code that caused the error, when there is one. */
  readonly closeCode: number | undefined;

  constructor(code: RuntimeErrorCode, message: string, options: { details?: ValidationIssue[]; closeCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WsgenRuntimeError';
    this.code = code;
    this.details = options.details;
    this.closeCode = options.closeCode;
  }
}
