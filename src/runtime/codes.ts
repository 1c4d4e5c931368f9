/**
 * Close codes and error codes shared by the generated server and client.
 *
 * Close codes below 4000 are RFC 6455's; the 4xxx ones are this runtime's application codes.
 * Error codes travel in the API's error frame (`ProtocolError.code`).
 */

/** WebSocket close codes used by the runtime. */
export const CloseCode = {
  /** Normal closure: the peer is done. */
  NORMAL: 1000,
  /** The server is shutting down or the client navigates away; reconnect later. */
  GOING_AWAY: 1001,
  /** The peer broke RFC 6455 framing (e.g. an unmasked client frame); sent by `ws` itself. */
  PROTOCOL_ERROR: 1002,
  /** A binary frame arrived on a JSON API. */
  UNSUPPORTED_DATA: 1003,
  /** No close frame was received (abnormal closure); never sent on the wire. */
  ABNORMAL: 1006,
  /** A text frame was not valid UTF-8; sent by `ws` itself. */
  INVALID_PAYLOAD: 1007,
  /** Too many invalid frames in a row. */
  POLICY_VIOLATION: 1008,
  /** A frame exceeded `maxPayloadBytes`. */
  MESSAGE_TOO_BIG: 1009,
  /** The server hit an unexpected condition. */
  INTERNAL_ERROR: 1011,
  /** The server is restarting; reconnect. */
  SERVICE_RESTART: 1012,
  /** The connection could not keep up (send buffer over `maxBufferedBytes`); reconnect later. */
  TRY_AGAIN_LATER: 1013,
  /** The token is missing, invalid or expired. Do not reconnect with the same token. */
  INVALID_TOKEN: 4001,
  /** The principal is not allowed to use this channel. Do not reconnect. */
  FORBIDDEN: 4003,
  /** The connection kept exceeding its message rate limit. */
  RATE_LIMITED: 4029,
} as const;

/** A close code from {@link CloseCode}. */
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Close codes after which a client must not reconnect on its own. */
export const TERMINAL_CLOSE_CODES: readonly number[] = [CloseCode.INVALID_TOKEN, CloseCode.FORBIDDEN, CloseCode.POLICY_VIOLATION];

/** Error codes carried by error frames and runtime errors. */
export const ErrorCode = {
  /** The frame is not valid JSON (or not UTF-8 text). */
  INVALID_JSON: 'invalid_json',
  /** The frame's discriminator names no message this endpoint accepts. */
  UNKNOWN_MESSAGE_TYPE: 'unknown_message_type',
  /** The frame does not match its message schema; `details` lists the issues. */
  INVALID_MESSAGE: 'invalid_message',
  /** The connection exceeded its message rate; the frame was dropped. */
  RATE_LIMITED: 'rate_limited',
  /** The handler for the message failed; the message may not have been processed. */
  INTERNAL_ERROR: 'internal_error',
} as const;

/** An error code from {@link ErrorCode}. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
