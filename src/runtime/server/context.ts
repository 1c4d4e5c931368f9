/**
 * The `ctx` handed to a handler with each message. A class with prototype methods, so a
 * message costs one small allocation; call its methods on `ctx` (do not destructure them).
 */
import { RuntimeErrorCode, WsgenRuntimeError } from '../errors.js';
import { isPlainObject, withProperty, type MessageRoute, type ReplyRoute } from '../protocol.js';
import { outgoingKey } from './channels.js';
import type { Connection } from './connection.js';
import type { RuntimeContext } from './types.js';

/** Context of one delivered message. */
export class MessageContext<P> implements RuntimeContext<P> {
  /**
   * @param connection The connection the message arrived on.
   * @param route The message's route.
   * @param correlationId The request's correlation property value (undefined when none).
   * @param replyRoute The request/reply pair when the message declares a reply.
   */
  constructor(
    private readonly connection: Connection<P>,
    readonly route: MessageRoute,
    readonly correlationId: unknown,
    readonly replyRoute: ReplyRoute | undefined,
  ) {}

  /** @inheritdoc */
  get principal(): P {
    return this.connection.info.principal;
  }

  /** @inheritdoc */
  get connectionId(): string {
    return this.connection.info.id;
  }

  /** @inheritdoc */
  get channelId(): string {
    return this.connection.info.channelId;
  }

  /** @inheritdoc */
  get params(): Readonly<Record<string, string>> {
    return this.connection.info.params;
  }

  /** @inheritdoc */
  send(message: unknown): void {
    const reply = this.replyRoute;
    let outgoing = message;
    // A reply sent with send() still needs the request's id for the client to match it.
    if (reply !== undefined && this.correlationId !== undefined && isPlainObject(message) && message[reply.correlationProperty] === undefined) {
      const key = outgoingKey(this.connection.runtime, message);
      if (key !== undefined && reply.replyKeys.includes(key)) outgoing = withProperty(message, reply.correlationProperty, this.correlationId);
    }
    this.connection.sendMessage(outgoing);
  }

  /** @inheritdoc */
  reply(message: unknown): void {
    if (this.replyRoute === undefined) {
      throw new WsgenRuntimeError(RuntimeErrorCode.INVALID_STATE, `reply() needs a request: message "${this.route.key}" declares no reply.`);
    }
    const reply = this.replyRoute;
    const outgoing = isPlainObject(message) && this.correlationId !== undefined ? withProperty(message, reply.correlationProperty, this.correlationId) : message;
    if (this.connection.validatesOutgoing && isPlainObject(outgoing)) {
      const key = outgoingKey(this.connection.runtime, outgoing);
      if (key !== undefined && !reply.replyKeys.includes(key)) {
        throw new WsgenRuntimeError(
          RuntimeErrorCode.INVALID_OUTGOING_MESSAGE,
          `"${key}" is not a reply to "${this.route.key}"; replies: ${reply.replyKeys.join(', ')}.`,
        );
      }
    }
    this.connection.sendMessage(outgoing);
  }

  /** @inheritdoc */
  join(topic: string): Promise<void> {
    return this.connection.join(topic);
  }

  /** @inheritdoc */
  leave(topic: string): Promise<void> {
    return this.connection.leave(topic);
  }

  /** @inheritdoc */
  publish(topic: string, message: unknown): Promise<void> {
    return this.connection.publish(topic, message);
  }

  /** @inheritdoc */
  close(code?: number, reason?: string): void {
    this.connection.closeByHandler(code, reason);
  }

  /** The `ref` of an error frame about this message. */
  ref(): { type?: string; id?: string } {
    const id = this.correlationId;
    return {
      type: this.route.discriminatorValue,
      id: typeof id === 'string' ? id : typeof id === 'number' ? String(id) : undefined,
    };
  }
}
