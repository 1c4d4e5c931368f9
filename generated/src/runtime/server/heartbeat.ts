/**
 * Liveness checks: one timer for the whole server (not one per connection) pings every open
 * connection each interval and terminates those that did not answer the previous ping.
 */

/** What the heartbeat needs from a connection. */
export interface HeartbeatTarget {
  /** Set to true by the connection when a pong arrives. */
  alive: boolean;
  /** Sends a ping frame. */
  ping(): void;
  /** Destroys the socket because the peer stopped answering. */
  terminateUnresponsive(): void;
}

/** Pings `targets` every `intervalMs` (0: never). */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly targets: Iterable<HeartbeatTarget>,
    private readonly intervalMs: number,
  ) {}

  /** Starts the timer (no-op when disabled or already started). */
  start(): void {
    if (this.intervalMs === 0 || this.timer !== undefined) return;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    // The heartbeat alone must not keep the process alive.
    this.timer.unref();
  }

  /** Stops the timer. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    for (const target of this.targets) {
      if (!target.alive) {
        target.terminateUnresponsive();
        continue;
      }
      target.alive = false;
      target.ping();
    }
  }
}
