/**
 * The isomorphic client: one connection state machine around a replaceable socket.
 *
 *   connecting ─▶ open ─▶ reconnecting ─▶ open ─▶ …   (a failed first attempt: ─▶ reconnecting)
 *   any state ─▶ closed   (close(), a terminal close or upgrade status, attempts exhausted)
 *
 * Outgoing messages go straight to an open socket, otherwise into the bounded offline queue.
 * On every open the client first re-sends unanswered messages of earlier connections (see
 * `correlation.ts`), then flushes the queue, then reports `'open'` — so order is preserved.
 */
import { CloseCode } from '../codes.js';
import { WsgenRuntimeError } from '../errors.js';
import type { ApiProtocol, ValidationIssue } from '../protocol.js';
import { backoffDelay } from './backoff.js';
import { checkCloseArguments, closedError, terminalCloseError } from './close-reasons.js';
import { openSocket, wireSocket } from './connect.js';
import { Emitter } from './emitter.js';
import type { Listener } from './emitter.js';
import { watchSocket } from './heartbeat.js';
import type { Heartbeat } from './heartbeat.js';
import { checkTimeout, resolveClientOptions } from './options.js';
import type { ResolvedClientOptions, RuntimeClientOptions } from './options.js';
import { Outbox } from './outbox.js';
import { MessageRouter } from './routing.js';
import { isNodeWebSocket } from './transport.js';
import type { WebSocketLike } from './transport.js';
import { CLOSE_GRACE_MS } from './types.js';
import type { ClientState, RuntimeClient } from './types.js';

/** Creates a client for `options.channelId` of `protocol` and starts connecting at once. */
export function createRuntimeClient(protocol: ApiProtocol, options: RuntimeClientOptions): RuntimeClient {
  return new Client(protocol, resolveClientOptions(protocol, options));
}

function noop(): void {}

/** The one implementation of {@link RuntimeClient}. */
class Client implements RuntimeClient {
  private current: ClientState = 'connecting';
  private readonly router: MessageRouter;
  private readonly emitter = new Emitter();
  private readonly outbox: Outbox;
  private readonly events: Set<string>;
  private socket: WebSocketLike | undefined;
  private heartbeat: Heartbeat | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private closeTimer: ReturnType<typeof setTimeout> | undefined;
  /** Reconnect attempts since the last open. */
  private attempt = 0;
  private readyWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private finalError: WsgenRuntimeError | undefined;
  private finished = false;
  private resolveClosed: () => void = noop;
  /** Settles once the client is closed and cleaned up, whatever closed it. */
  private readonly closed = new Promise<void>((resolve) => (this.resolveClosed = resolve));

  constructor(
    private readonly protocol: ApiProtocol,
    private readonly options: ResolvedClientOptions,
  ) {
    this.router = new MessageRouter(options.channel);
    this.outbox = new Outbox(options.maxQueuedMessages, this.router, protocol.errorMessage);
    this.events = new Set(['state', 'clientError', ...options.channel.serverToClient.map((route) => route.key)]);
    void this.connect();
  }

  get state(): ClientState {
    return this.current;
  }

  send(message: unknown): void {
    this.assertUsable('send');
    this.outbox.send(this.router.prepare(message, this.options.validateOutgoing));
  }

  request(message: unknown, options?: { timeoutMs?: number }): Promise<unknown> {
    try {
      this.assertUsable('request');
      const timeoutMs = options?.timeoutMs === undefined ? this.options.requestTimeoutMs : checkTimeout('options.timeoutMs', options.timeoutMs);
      return this.outbox.request(this.router.prepare(message, this.options.validateOutgoing), timeoutMs);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  on(event: string, listener: Listener): () => void {
    return this.emitter.on(this.checkEvent(event), listener);
  }

  once(event: string, listener: Listener): () => void {
    return this.emitter.on(this.checkEvent(event), listener, true);
  }

  off(event: string, listener: Listener): void {
    this.emitter.off(event, listener);
  }

  messages(key: string): AsyncIterableIterator<unknown> {
    return this.emitter.iterate(this.checkEvent(key));
  }

  ready(): Promise<void> {
    if (this.current === 'open') return Promise.resolve();
    if (this.current === 'closed') return Promise.reject(this.finalError ?? closedError('The client is closed.'));
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  close(code: number = CloseCode.NORMAL, reason = ''): Promise<void> {
    // Already closed or closing (also when called from a listener of the final events).
    if (this.current === 'closed') return this.closed;
    const invalid = checkCloseArguments(code, reason);
    if (invalid !== undefined) return Promise.reject(invalid);
    const socket = this.socket;
    this.shutdown(closedError('The client was closed.'), false);
    if (socket === undefined) {
      this.finish();
      return this.closed;
    }
    // Keep onclose attached: the close event finishes the close. Nothing else is delivered.
    socket.onmessage = null;
    try {
      socket.close(code, reason);
    } catch {
      this.dropSocket();
      this.finish();
    }
    this.closeTimer ??= setTimeout(() => {
      this.dropSocket();
      if (isNodeWebSocket(socket)) socket.terminate();
      this.finish();
    }, CLOSE_GRACE_MS);
    return this.closed;
  }

  // ── connection lifecycle ──────────────────────────────────────────────────────────────────

  private async connect(): Promise<void> {
    this.retryTimer = undefined;
    const outcome = await openSocket(this.options, this.protocol.auth, () => this.current === 'closed');
    if (this.current === 'closed') {
      if (outcome.socket !== undefined) outcome.socket.close();
      return;
    }
    if (outcome.error !== undefined) {
      if (!outcome.retry) return this.fail(outcome.error);
      this.emitter.emit('clientError', outcome.error);
      return this.scheduleReconnect(CloseCode.ABNORMAL);
    }
    const socket = outcome.socket;
    if (socket === undefined) return;
    this.socket = socket;
    const handlers = {
      open: () => this.handleOpen(socket),
      data: (data: unknown) => this.handleData(data),
      close: (code: number, reason: string, upgradeStatus: number | undefined) => this.handleClose(code, reason, upgradeStatus),
      beat: () => this.heartbeat?.beat(),
    };
    wireSocket(socket, handlers, () => socket === this.socket);
  }

  private handleOpen(socket: WebSocketLike): void {
    this.attempt = 0;
    this.startHeartbeat(socket);
    this.outbox.open(socket);
    this.setState('open');
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const waiter of waiters) waiter.resolve();
  }

  /** The receive hot path: parse, route, validate, settle a request, deliver. */
  private handleData(data: unknown): void {
    this.heartbeat?.beat();
    if (typeof data !== 'string') return this.reportIncoming('Binary frame from the server; this API speaks JSON text. It was not delivered.', []);
    let frame: unknown;
    try {
      frame = JSON.parse(data);
    } catch {
      return this.reportIncoming('Frame from the server is not valid JSON; it was not delivered.', [{ path: '', message: 'must be valid JSON' }]);
    }
    const route = this.router.decode(frame, this.options.validateIncoming);
    if (route === undefined) {
      const failure = this.router.failure;
      return this.reportIncoming(failure?.message ?? 'Invalid frame.', failure?.issues ?? []);
    }
    const value = this.router.value;
    this.outbox.settle(route, value);
    this.emitter.emit(route.key, value);
  }

  private handleClose(code: number, reason: string, upgradeStatus: number | undefined): void {
    this.dropSocket();
    if (this.current === 'closed') return this.finish();
    const terminal = terminalCloseError(code, reason, upgradeStatus);
    if (terminal !== undefined) return this.fail(terminal);
    this.scheduleReconnect(code);
  }

  private scheduleReconnect(code: number): void {
    const policy = this.options.reconnect;
    if (policy === false || this.attempt >= policy.maxAttempts) {
      const why = policy === false ? 'reconnect is off' : `${policy.maxAttempts} reconnect attempts failed`;
      return this.fail(closedError(`The connection closed (code ${code}) and ${why}.`, code));
    }
    const delay = backoffDelay(this.attempt, policy, this.options.random);
    this.attempt++;
    this.setState('reconnecting');
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }

  private startHeartbeat(socket: WebSocketLike): void {
    this.heartbeat = watchSocket(socket, this.options.heartbeat, () => {
      // Dead: do not wait for a closing handshake that will never come.
      this.dropSocket();
      if (isNodeWebSocket(socket)) socket.terminate();
      else socket.close();
      this.scheduleReconnect(CloseCode.ABNORMAL);
    });
  }

  // ── shutdown ──────────────────────────────────────────────────────────────────────────────

  /** Terminal failure: report, close for good, clean up. */
  private fail(error: WsgenRuntimeError): void {
    if (this.current === 'closed') return;
    this.finalError = error;
    const socket = this.socket;
    this.dropSocket();
    socket?.close();
    this.shutdown(error, true);
    this.finish();
  }

  /** Enters `'closed'`: stops timers, rejects what waits, reports, but keeps listeners for now. */
  private shutdown(reason: WsgenRuntimeError, report: boolean): void {
    this.current = 'closed';
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.outbox.shutdown(closedError('The connection closed for good before the reply arrived.', reason.closeCode, reason));
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const waiter of waiters) waiter.reject(reason);
    if (report) this.emitter.emit('clientError', reason);
    this.emitter.emit('state', 'closed');
  }

  /** Last step of every close: no timers, no listeners, iterators ended. Runs once. */
  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.closeTimer);
    this.closeTimer = undefined;
    this.emitter.clear();
    this.resolveClosed();
  }

  /** Forgets the current socket without waiting for its events. */
  private dropSocket(): void {
    const socket = this.socket;
    this.socket = undefined;
    this.outbox.detach();
    this.heartbeat?.stop();
    this.heartbeat = undefined;
    if (socket === undefined) return;
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
  }

  // ── helpers ───────────────────────────────────────────────────────────────────────────────

  private assertUsable(operation: string): void {
    if (this.current === 'closed') throw new WsgenRuntimeError('invalid_state', `Cannot ${operation}(): the client is closed.`);
  }

  private checkEvent(event: string): string {
    if (!this.events.has(event)) throw new TypeError(`event must be one of: ${[...this.events].join(', ')}; got '${event}'.`);
    return event;
  }

  private setState(state: ClientState): void {
    if (this.current === state) return;
    this.current = state;
    this.emitter.emit('state', state);
  }

  private reportIncoming(message: string, details: ValidationIssue[]): void {
    this.emitter.emit('clientError', new WsgenRuntimeError('invalid_incoming_message', message, { details }));
  }
}
