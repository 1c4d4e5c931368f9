/**
 * Serialising outgoing frames: outgoing validation and the API's error frames.
 */
import { RuntimeErrorCode, WsgenRuntimeError } from '../errors.js';
import { classify, type ApiProtocol, type ChannelProtocol, type ProtocolError, type ValidationIssue } from '../protocol.js';

/** Most validation issues reported in one error frame, to bound its size. */
export const MAX_ERROR_DETAILS = 20;

/** Human sentences of the runtime's error frames (never echo client input or secrets). */
export const ERROR_SENTENCES = {
  invalid_json: 'The frame is not valid JSON.',
  unknown_message_type: 'The frame is not a message this endpoint accepts.',
  invalid_message: 'The frame does not match its message schema.',
  rate_limited: 'Too many messages: the frame was dropped.',
  internal_error: 'The server failed to process the message.',
} as const;

/**
 * Throws `invalid_outgoing_message` unless `message` is one of the channel's server→client
 * messages.
 */
export function assertOutgoing(channel: ChannelProtocol, message: unknown): void {
  const result = classify(channel.serverToClient, channel.discriminator, message);
  if (!result.ok) {
    throw new WsgenRuntimeError(
      RuntimeErrorCode.INVALID_OUTGOING_MESSAGE,
      `The outgoing message is not a valid server→client message of channel "${channel.id}": ${describeIssues(result.issues)}.`,
      { details: result.issues },
    );
  }
}

/** Throws `invalid_outgoing_message` unless some channel accepts `message` as a server→client message. */
export function assertOutgoingAnyChannel(protocol: ApiProtocol, message: unknown): void {
  let firstError: unknown;
  for (const channel of protocol.channels) {
    try {
      assertOutgoing(channel, message);
      return;
    } catch (error) {
      firstError ??= error;
    }
  }
  throw firstError ?? new WsgenRuntimeError(RuntimeErrorCode.INVALID_OUTGOING_MESSAGE, 'The API has no channel to publish to.');
}

/** JSON text of `message`; throws `invalid_outgoing_message` when it has none (e.g. `undefined`). */
export function serialize(message: unknown): string {
  const json = JSON.stringify(message);
  if (typeof json !== 'string') throw new WsgenRuntimeError(RuntimeErrorCode.INVALID_OUTGOING_MESSAGE, 'The outgoing message cannot be serialised to JSON.');
  return json;
}

/** JSON text of the API's error frame for `error`, or undefined when the API declares no error message. */
export function errorFrame(protocol: ApiProtocol, error: ProtocolError): string | undefined {
  if (protocol.errorMessage === undefined) return undefined;
  const details = error.details !== undefined && error.details.length > MAX_ERROR_DETAILS ? error.details.slice(0, MAX_ERROR_DETAILS) : error.details;
  return serialize(protocol.errorMessage.toFrame(details === error.details ? error : { ...error, details }));
}

function describeIssues(issues: readonly ValidationIssue[]): string {
  const shown = issues.slice(0, 3).map((issue) => `${issue.path || '(root)'} ${issue.message}`);
  return shown.join('; ') + (issues.length > 3 ? ` (and ${issues.length - 3} more)` : '');
}
