/**
 * Dead-connection detection for one socket.
 *
 * A half-open TCP connection (peer gone, no FIN) looks open forever; only silence reveals it.
 * After `intervalMs` without traffic the watchdog pings (when the transport can — the `ws`
 * library; browsers cannot), and after `intervalMs + timeoutMs` without traffic it declares the
 * connection dead. One timer at a time; `beat()` on the hot path only stores a timestamp.
 */
import type { ResolvedHeartbeat } from './options.js';
import { isNodeWebSocket } from './transport.js';
import type { WebSocketLike } from './transport.js';

/**
 * Starts the heartbeat `config` asks for on a socket that just opened, or returns undefined.
 * With `ws` it pings; elsewhere only messages count, which would kill quiet but healthy
 * connections — so there it runs only when the caller asked for it explicitly.
 */
export function watchSocket(socket: WebSocketLike, config: ResolvedHeartbeat | false, onDead: () => void): Heartbeat | undefined {
  const node = isNodeWebSocket(socket);
  if (config === false || (!node && !config.explicit)) return undefined;
  const ping = node ? () => socket.ping() : undefined;
  const heartbeat = new Heartbeat(config.intervalMs, config.timeoutMs, ping, onDead);
  heartbeat.start();
  return heartbeat;
}

/** Watches one connection for silence; see the file comment. */
export class Heartbeat {
  private lastTraffic = 0;
  private pinged = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param intervalMs Silence before the ping.
   * @param timeoutMs Further silence before `onDead`.
   * @param ping Sends a ping, when the transport can; its pong is reported through `beat()`.
   * @param onDead Called once when the connection is considered dead.
   */
  constructor(
    private readonly intervalMs: number,
    private readonly timeoutMs: number,
    private readonly ping: (() => void) | undefined,
    private readonly onDead: () => void,
  ) {}

  /** Starts watching (call when the socket opens). */
  start(): void {
    this.beat();
    this.schedule(this.intervalMs);
  }

  /** Records traffic (a message, ping or pong). */
  beat(): void {
    this.lastTraffic = performance.now();
    this.pinged = false;
  }

  /** Stops watching; clears the timer. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(this.check, Math.max(1, Math.ceil(delayMs)));
  }

  // An arrow property so the timer callback is allocated once, not per check.
  private readonly check = (): void => {
    this.timer = undefined;
    const silence = performance.now() - this.lastTraffic;
    const deadline = this.intervalMs + this.timeoutMs;
    if (silence >= deadline) {
      this.onDead();
      return;
    }
    if (silence < this.intervalMs) {
      this.schedule(this.intervalMs - silence);
      return;
    }
    if (!this.pinged && this.ping !== undefined) {
      this.pinged = true;
      this.ping();
    }
    this.schedule(deadline - silence);
  };
}
