/**
 * Which message a frame is, in both directions, for one channel.
 *
 * Lookup tables are built once per client so the receive hot path is a Map lookup plus the
 * generated validator; the general {@link classify} is used for channels without a
 * discriminator and to word the errors (so both sides report the same issues).
 */
import { WsgenRuntimeError } from '../errors.js';
import { classify, isPlainObject, withProperty } from '../protocol.js';
import type { ChannelProtocol, MessageRoute, ValidationIssue } from '../protocol.js';

/** An outgoing message ready to write. */
export interface PreparedMessage {
  route: MessageRoute;
  /** Serialized frame. */
  text: string;
  /** Correlation id (as a string) when the message has a reply route, else undefined. */
  id: string | undefined;
}

/** Routes and validates the frames of one channel. */
export class MessageRouter {
  /** Incoming (server→client) routes by discriminator value; undefined without a discriminator. */
  private readonly incoming: Map<string, MessageRoute> | undefined;
  private readonly outgoing: Map<string, MessageRoute> | undefined;
  /** Correlation property of every reply key (server→client). */
  private readonly replyProperties = new Map<string, string>();

  /** Validated value of the last successful {@link decode}, overwritten by the next call. */
  value: unknown = undefined;
  /** Why the last {@link decode} failed, overwritten by the next call. */
  failure: { message: string; issues: ValidationIssue[] } | undefined = undefined;

  constructor(private readonly channel: ChannelProtocol) {
    this.incoming = byDiscriminatorValue(channel.discriminator, channel.serverToClient);
    this.outgoing = byDiscriminatorValue(channel.discriminator, channel.clientToServer);
    for (const reply of Object.values(channel.replies)) {
      for (const key of reply.replyKeys) this.replyProperties.set(key, reply.correlationProperty);
    }
  }

  /**
   * Finds and (when `validate`) validates the route of a parsed server frame. Returns the route
   * with the value in {@link value}, or undefined with the reason in {@link failure} — fields
   * instead of a result object, so a delivered frame costs no allocation here.
   */
  decode(frame: unknown, validate: boolean): MessageRoute | undefined {
    const discriminator = this.channel.discriminator;
    if (this.incoming !== undefined && discriminator !== undefined) {
      const type = isPlainObject(frame) ? frame[discriminator] : undefined;
      const route = typeof type === 'string' ? this.incoming.get(type) : undefined;
      if (route === undefined) return this.fail(frame);
      if (!validate) {
        this.value = frame;
        return route;
      }
      const result = route.validate(frame);
      if (!result.ok) {
        this.failure = { message: `Message '${route.key}' from the server is invalid; it was not delivered.`, issues: result.issues };
        return undefined;
      }
      this.value = result.value;
      return route;
    }
    // Without a discriminator only the validators can tell the messages apart.
    const only = this.channel.serverToClient.length === 1 ? this.channel.serverToClient[0] : undefined;
    if (!validate && only !== undefined) {
      this.value = frame;
      return only;
    }
    const result = classify(this.channel.serverToClient, undefined, frame);
    if (result.ok) {
      this.value = result.value;
      return result.route;
    }
    this.failure = { message: 'Frame from the server matches no message of this channel; it was not delivered.', issues: result.issues };
    return undefined;
  }

  /** Correlation property when `key` answers a request, else undefined. */
  replyProperty(key: string): string | undefined {
    return this.replyProperties.get(key);
  }

  /**
   * Routes, completes and serializes an outgoing message. A message with a reply route gets a
   * fresh correlation id when it has none (on a shallow copy: the caller's object is not
   * mutated). Throws `invalid_outgoing_message` when it matches no message or fails validation.
   */
  prepare(message: unknown, validate: boolean): PreparedMessage {
    let route = this.outgoingRoute(message, validate);
    let frame = message;
    let validated = false;
    if (route === undefined) {
      // No cheap lookup: classify (it validates) or report why nothing matched.
      const result = classify(this.channel.clientToServer, this.channel.discriminator, message);
      if (!result.ok) throw invalidOutgoing(result.type, result.issues);
      route = result.route;
      validated = true;
    }
    let id: string | undefined;
    const reply = this.channel.replies[route.key];
    if (reply !== undefined && isPlainObject(message)) {
      const current = message[reply.correlationProperty];
      if (current === undefined || current === null) {
        id = globalThis.crypto.randomUUID();
        frame = withProperty(message, reply.correlationProperty, id);
        validated = false;
      } else {
        id = typeof current === 'string' ? current : String(current);
      }
    }
    if (validate && !validated) {
      const result = route.validate(frame);
      if (!result.ok) throw invalidOutgoing(route.key, result.issues);
    }
    let text: string;
    try {
      text = JSON.stringify(frame);
    } catch (cause) {
      throw new WsgenRuntimeError('invalid_outgoing_message', `Message '${route.key}' cannot be serialized to JSON; nothing was sent.`, { cause });
    }
    return { route, text, id };
  }

  private outgoingRoute(message: unknown, validate: boolean): MessageRoute | undefined {
    const discriminator = this.channel.discriminator;
    if (this.outgoing !== undefined && discriminator !== undefined) {
      const type = isPlainObject(message) ? message[discriminator] : undefined;
      return typeof type === 'string' ? this.outgoing.get(type) : undefined;
    }
    // A lone message needs no validator to be recognised; several do (classify decides).
    return !validate && this.channel.clientToServer.length === 1 ? this.channel.clientToServer[0] : undefined;
  }

  private fail(frame: unknown): undefined {
    const result = classify(this.channel.serverToClient, this.channel.discriminator, frame);
    const issues = result.ok ? [] : result.issues;
    this.failure = { message: 'Frame from the server has an unknown message type; it was not delivered.', issues };
    return undefined;
  }
}

function byDiscriminatorValue(discriminator: string | undefined, routes: readonly MessageRoute[]): Map<string, MessageRoute> | undefined {
  if (discriminator === undefined) return undefined;
  const map = new Map<string, MessageRoute>();
  for (const route of routes) if (route.discriminatorValue !== undefined && !map.has(route.discriminatorValue)) map.set(route.discriminatorValue, route);
  return map;
}

function invalidOutgoing(key: string | undefined, issues: ValidationIssue[]): WsgenRuntimeError {
  const first = issues[0];
  const reason = first === undefined ? '' : `: ${first.path || '/'} ${first.message}`;
  return new WsgenRuntimeError('invalid_outgoing_message', `Outgoing message${key === undefined ? '' : ` '${key}'`} is invalid${reason}; nothing was sent.`, { details: issues });
}
