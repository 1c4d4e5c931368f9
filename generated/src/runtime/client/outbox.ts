/**
 * Outgoing delivery: straight to an open socket, else into the bounded offline queue; tracking
 * of messages that expect a reply; and the order of writes when a socket opens.
 *
 * On open, unanswered messages of earlier connections are re-sent first (once, in send order),
 * then the queue is flushed — only then does the socket count as writable, so a message sent
 * from an `'open'` listener cannot overtake them.
 */
import { WsgenRuntimeError } from '../errors.js';
import { isPlainObject } from '../protocol.js';
import type { ErrorMessageProtocol, MessageRoute } from '../protocol.js';
import { Correlation } from './correlation.js';
import type { PendingRequest, TrackedMessage } from './correlation.js';
import { OfflineQueue } from './offline-queue.js';
import type { MessageRouter, PreparedMessage } from './routing.js';
import { OPEN } from './transport.js';
import type { WebSocketLike } from './transport.js';

/** Sends, queues, tracks and re-sends the messages of one client. */
export class Outbox {
  private readonly queue: OfflineQueue<string | TrackedMessage>;
  private readonly correlation: Correlation;
  /** The socket writes go to; undefined while not open. */
  private socket: WebSocketLike | undefined;

  /**
   * @param maxQueued Capacity of the offline queue, and most unanswered plain sends remembered.
   * @param router Knows the correlation property of each reply key.
   * @param errorMessage Reads the API's error frames, when it has one.
   */
  constructor(
    private readonly maxQueued: number,
    private readonly router: MessageRouter,
    private readonly errorMessage: ErrorMessageProtocol | undefined,
  ) {
    this.queue = new OfflineQueue(maxQueued);
    this.correlation = new Correlation(maxQueued);
  }

  /** A socket just opened: re-send, flush the queue, then write directly from now on. */
  open(socket: WebSocketLike): void {
    this.correlation.resend((text) => socket.send(text));
    for (const item of this.queue.drain()) {
      if (typeof item === 'string') {
        socket.send(item);
      } else if (item.state === 'queued') {
        // Skips requests that timed out while queued (state 'done').
        item.state = 'sent';
        socket.send(item.text);
      }
    }
    this.socket = socket;
  }

  /** The socket is gone: queue from now on. */
  detach(): void {
    this.socket = undefined;
  }

  /** Writes or queues a message; throws `queue_full` when it can be neither. */
  send(message: PreparedMessage): void {
    this.assertRoom();
    const tracked = message.id === undefined ? undefined : this.correlation.track(message.id, message.text, undefined);
    this.dispatch(message.text, tracked);
  }

  /** Writes or queues a message with a reply route and waits for the reply. */
  request(message: PreparedMessage, timeoutMs: number): Promise<unknown> {
    const { route, text, id } = message;
    if (id === undefined) throw new TypeError(`Message '${route.key}' has no reply route; use send() for it.`);
    this.assertRoom();
    return new Promise((resolve, reject) => {
      const request: PendingRequest = { resolve, reject, timer: undefined };
      const tracked = this.correlation.track(id, text, request) as TrackedMessage;
      request.timer = setTimeout(() => {
        if (this.correlation.take(id) === tracked) reject(new WsgenRuntimeError('request_timeout', `No reply to '${route.key}' (id ${id}) within ${timeoutMs} ms.`));
      }, timeoutMs);
      this.dispatch(text, tracked);
    });
  }

  /**
   * Settles what a delivered server message answers: a reply resolves its request, an error
   * frame whose `ref.id` names a request rejects it with `server_error`; either way a tracked
   * plain send is forgotten. Other messages cost one Map lookup.
   */
  settle(route: MessageRoute, value: unknown): void {
    const errorMessage = this.errorMessage;
    if (errorMessage !== undefined && route.key === errorMessage.key) {
      const error = errorMessage.fromFrame(value);
      const id = error?.ref?.id;
      if (error === undefined || id === undefined) return;
      const message = `The server answered request ${id} with ${error.code}: ${error.message}`;
      this.correlation.reject(id, new WsgenRuntimeError('server_error', message, { details: error.details, cause: error }));
      return;
    }
    const property = this.router.replyProperty(route.key);
    const id = property !== undefined && isPlainObject(value) ? value[property] : undefined;
    if (id !== undefined && id !== null) this.correlation.resolve(typeof id === 'string' ? id : String(id), value);
  }

  /** Closed for good: rejects every pending request with `error`, drops the queue. */
  shutdown(error: Error): void {
    this.socket = undefined;
    this.queue.clear();
    this.correlation.rejectAll(error);
  }

  private writable(): WebSocketLike | undefined {
    const socket = this.socket;
    // readyState covers a socket the peer started closing whose close event has not run yet.
    return socket !== undefined && socket.readyState === OPEN ? socket : undefined;
  }

  private dispatch(text: string, tracked: TrackedMessage | undefined): void {
    const socket = this.writable();
    if (socket === undefined) {
      this.queue.push(tracked ?? text);
      return;
    }
    if (tracked !== undefined) tracked.state = 'sent';
    socket.send(text);
  }

  private assertRoom(): void {
    if (this.writable() === undefined && this.queue.full) {
      throw new WsgenRuntimeError('queue_full', `The offline queue is full (${this.maxQueued} messages); the message was not queued.`);
    }
  }
}
