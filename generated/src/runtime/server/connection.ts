/**
 * One open WebSocket connection: the per-frame pipeline (rate limit → JSON.parse → classify →
 * handler), sending with backpressure, topic membership, expiry and closing.
 */
import type { RawData, WebSocket } from 'ws';
import { CloseCode, ErrorCode } from '../codes.js';
import { classify, isPlainObject, type ValidationIssue } from '../protocol.js';
import { correlationIdOf, type ChannelRuntime } from './channels.js';
import { MessageContext } from './context.js';
import type { ConnectionCore } from './core.js';
import { assertOutgoing, ERROR_SENTENCES, errorFrame, serialize } from './frames.js';
import type { HeartbeatTarget } from './heartbeat.js';
import type { MessageHandler } from './options.js';
import { TokenBucket } from './rate-limiter.js';
import type { TopicMember } from './topics.js';
import type { ConnectionInfo } from './types.js';

const OPEN = 0;
const CLOSING = 1;
const CLOSED = 2;

/** Largest delay Node timers accept; longer expiries re-arm. */
const MAX_TIMER_MS = 2_147_483_647;

/** ws send options for a prepared Buffer that holds text. */
const TEXT_FRAME = { binary: false } as const;

/** A connection after a successful upgrade. */
export class Connection<P> implements HeartbeatTarget, TopicMember {
  /** @inheritdoc */
  alive = true;
  /** @inheritdoc */
  readonly topics = new Set<string>();
  private state = OPEN;
  private readonly bucket: TokenBucket;
  private invalidStreak = 0;
  private strikes = 0;
  private closeCode: number | undefined;
  private closeReason: string | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;

  /**
   * @param core The server.
   * @param ws The upgraded socket.
   * @param runtime The channel it opened.
   * @param info Facts given to hooks.
   * @param expiresAt When the principal expires (epoch ms), if ever.
   */
  constructor(
    private readonly core: ConnectionCore<P>,
    private readonly ws: WebSocket,
    readonly runtime: ChannelRuntime<P>,
    readonly info: ConnectionInfo<P>,
    expiresAt: number | undefined,
  ) {
    this.bucket = new TokenBucket(core.limits.messagesPerSecond, core.limits.burst);
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('pong', () => {
      this.alive = true;
    });
    ws.on('close', (code, reason) => this.onClose(code, reason));
    ws.on('error', (error) => this.onSocketError(error));
    if (expiresAt !== undefined) this.armExpiry(expiresAt);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.state !== OPEN) return;
    const { core } = this;
    if (isBinary) {
      core.counters.framesRejected++;
      this.close(CloseCode.UNSUPPORTED_DATA, 'binary frames are not supported');
      return;
    }
    // Rate limit before parsing, so a flood costs no JSON or schema work.
    if (!this.bucket.take()) {
      core.counters.framesRejected++;
      if (++this.strikes >= core.limits.rateLimitStrikes) this.close(CloseCode.RATE_LIMITED, 'rate limit exceeded');
      else if (core.preparedErrors.rateLimited !== undefined) this.sendPrepared(core.preparedErrors.rateLimited);
      return;
    }
    this.strikes = 0;
    let frame: unknown;
    try {
      // With the default binaryType ('nodebuffer') ws delivers text frames as one Buffer.
      frame = JSON.parse((data as Buffer).toString());
    } catch {
      this.rejectFrame(ErrorCode.INVALID_JSON, undefined, undefined, undefined);
      return;
    }
    const { channel } = this.runtime;
    const result = classify(channel.clientToServer, channel.discriminator, frame);
    if (!result.ok) {
      this.rejectFrame(result.code, result.issues, result.type, frame);
      return;
    }
    this.invalidStreak = 0;
    core.counters.messagesIn++;
    const handler = this.runtime.handlers.get(result.route.key);
    if (handler === undefined) return;
    const reply = this.runtime.replies.get(result.route.key);
    const correlationId = reply !== undefined && isPlainObject(result.value) ? result.value[reply.correlationProperty] : undefined;
    this.invoke(handler, result.value, new MessageContext(this, result.route, correlationId, reply));
  }

  private invoke(handler: MessageHandler<P>, message: unknown, ctx: MessageContext<P>): void {
    let result: void | Promise<void>;
    try {
      result = handler(message, ctx);
    } catch (error) {
      this.handlerFailed(error, ctx);
      return;
    }
    // Only async handlers pay for promise bookkeeping.
    if (typeof (result as Promise<void> | undefined)?.then === 'function') {
      const { core } = this;
      core.handlerStarted();
      (result as Promise<void>).then(core.handlerSettled, (error: unknown) => {
        core.handlerSettled();
        this.handlerFailed(error, ctx);
      });
    }
  }

  private handlerFailed(error: unknown, ctx: MessageContext<P>): void {
    this.core.report(error, this.info);
    // The frame carries no internal details: those went to onError only.
    const frame = errorFrame(this.core.protocol, { code: ErrorCode.INTERNAL_ERROR, message: ERROR_SENTENCES.internal_error, ref: ctx.ref() });
    if (frame !== undefined) this.sendText(frame);
  }

  private rejectFrame(code: ErrorCode, issues: ValidationIssue[] | undefined, type: string | undefined, frame: unknown): void {
    const { core } = this;
    core.counters.framesRejected++;
    if (code === ErrorCode.INVALID_JSON) {
      if (core.preparedErrors.invalidJson !== undefined) this.sendPrepared(core.preparedErrors.invalidJson);
    } else {
      const key = type === undefined ? undefined : this.runtime.channel.clientToServer.find((route) => route.discriminatorValue === type)?.key;
      const id = correlationIdOf(this.runtime, frame, key);
      const ref = type === undefined && id === undefined ? undefined : { type, id };
      const error = errorFrame(core.protocol, { code, message: ERROR_SENTENCES[code as keyof typeof ERROR_SENTENCES], details: issues, ref });
      if (error !== undefined) this.sendText(error);
    }
    if (++this.invalidStreak >= core.limits.maxInvalidFrames) this.close(CloseCode.POLICY_VIOLATION, 'too many invalid frames');
  }

  /** Validates `message` against the channel's server→client messages (when enabled) and sends it. */
  sendMessage(message: unknown): void {
    if (this.core.validateOutgoing) assertOutgoing(this.runtime.channel, message);
    this.sendText(serialize(message));
  }

  /** Whether outgoing messages are validated. */
  get validatesOutgoing(): boolean {
    return this.core.validateOutgoing;
  }

  /** Writes serialised JSON; false when the connection is closing. */
  sendText(json: string): boolean {
    if (this.state !== OPEN) return false;
    this.ws.send(json);
    return this.afterSend();
  }

  /** @inheritdoc */
  sendPrepared(data: Buffer): boolean {
    if (this.state !== OPEN) return false;
    this.ws.send(data, TEXT_FRAME);
    return this.afterSend();
  }

  private afterSend(): boolean {
    this.core.counters.messagesOut++;
    // A peer that does not read must not make the server buffer without bound.
    if (this.ws.bufferedAmount > this.core.limits.maxBufferedBytes) this.close(CloseCode.TRY_AGAIN_LATER, 'send buffer full');
    return true;
  }

  /** Joins a topic (no-op once closing). */
  join(topic: string): Promise<void> {
    if (typeof topic !== 'string') return Promise.reject(new TypeError('The topic must be a string.'));
    return this.state === OPEN ? this.core.topics.join(topic, this) : Promise.resolve();
  }

  /** Leaves a topic. */
  leave(topic: string): Promise<void> {
    return this.core.topics.leave(topic, this);
  }

  /** Publishes to a topic, validated against this connection's channel. */
  publish(topic: string, message: unknown): Promise<void> {
    return this.core.publish(topic, message, this.runtime);
  }

  /** `ctx.close()`: like {@link close}, defaulting to a normal closure. */
  closeByHandler(code: number = CloseCode.NORMAL, reason = ''): void {
    this.close(code, reason);
  }

  /** Starts the close handshake (ws destroys the socket after `closeTimeoutMs`). Reasons must not contain secrets. */
  close(code: number, reason: string): void {
    if (this.state !== OPEN) return;
    this.ws.close(code, reason);
    this.state = CLOSING;
    this.closeCode = code;
    this.closeReason = reason;
  }

  /** Destroys the socket without a close handshake. */
  terminate(reason: string): void {
    if (this.state === CLOSED) return;
    this.state = CLOSING;
    this.closeCode ??= CloseCode.ABNORMAL;
    this.closeReason ??= reason;
    this.ws.terminate();
  }

  /** @inheritdoc */
  ping(): void {
    if (this.state === OPEN) this.ws.ping();
  }

  /** @inheritdoc */
  terminateUnresponsive(): void {
    this.terminate('heartbeat timeout');
  }

  private armExpiry(expiresAt: number): void {
    const delay = expiresAt - Date.now();
    if (delay <= 0) {
      this.close(CloseCode.INVALID_TOKEN, 'token expired');
      return;
    }
    this.expiryTimer = setTimeout(() => this.armExpiry(expiresAt), Math.min(delay, MAX_TIMER_MS));
  }

  private onSocketError(error: Error & { code?: string }): void {
    // ws closes the connection itself (1009 for a frame over maxPayload, 1002/1007 for protocol
    // errors); socket errors (ECONNRESET...) end in 'close' too. Count, do not report: the
    // client misbehaved, the server did not fail.
    if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      this.core.counters.framesRejected++;
      this.closeCode ??= CloseCode.MESSAGE_TOO_BIG;
      this.closeReason ??= 'message too big';
    }
  }

  private onClose(code: number, reason: Buffer): void {
    this.state = CLOSED;
    clearTimeout(this.expiryTimer);
    this.core.connectionClosed(this);
    try {
      this.core.hooks.onDisconnect?.(this.info, this.closeCode ?? code, this.closeReason ?? reason.toString());
    } catch (error) {
      this.core.report(error, this.info);
    }
  }
}
