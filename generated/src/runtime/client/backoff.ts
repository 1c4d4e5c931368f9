/**
 * Reconnect delays: exponential backoff with optional full jitter.
 *
 * Full jitter (a uniformly random delay up to the exponential ceiling) spreads the reconnects of
 * many clients dropped at once — e.g. by a server restart — instead of having them return in waves.
 */
import type { ResolvedReconnect } from './options.js';

/**
 * Delay before reconnect attempt `attempt` (0 for the first retry after a drop):
 * `min(maxDelayMs, initialDelayMs * factor ** attempt)`, multiplied by `random()` with full jitter.
 */
export function backoffDelay(attempt: number, policy: Pick<ResolvedReconnect, 'initialDelayMs' | 'maxDelayMs' | 'factor' | 'jitter'>, random: () => number): number {
  // factor ** attempt may overflow to Infinity after many attempts; min() then caps it.
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** attempt);
  if (policy.jitter === 'none') return ceiling;
  // A custom random() outside [0, 1) must not produce negative or over-the-cap delays.
  const sample = Math.min(Math.max(random(), 0), 1);
  return Math.floor(sample * ceiling);
}
