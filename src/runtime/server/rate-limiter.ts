/**
 * Per-connection token bucket: `burst` frames at once, refilled at `ratePerSecond`.
 * Called for every incoming frame, so it only does arithmetic on two fields.
 */

/** One shared clock function (a bound copy per connection costs memory for nothing). */
const monotonicNow = (): number => performance.now();

/** A token bucket; one per connection. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  /**
   * @param ratePerSecond Refill rate (`Infinity`: never limits).
   * @param burst Capacity; the bucket starts full.
   * @param now Clock in ms (injectable for tests).
   */
  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = monotonicNow,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes one token; false when the bucket is empty (the frame must be dropped). */
  take(): boolean {
    if (this.ratePerSecond === Infinity) return true;
    const now = this.now();
    // Refill lazily from the elapsed time instead of running a timer per connection.
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.ratePerSecond) / 1000);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
