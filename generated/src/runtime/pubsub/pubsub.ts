/**
 * The publish/subscribe contract that lets several server instances share topics.
 *
 * A server keeps its own topic members and subscribes to a topic here once, when its first
 * connection joins; it publishes every topic message here and delivers only what comes back
 * through `onMessage`. So a PubSub must hand each publish (from this or any other instance) to
 * the topic's `onMessage` exactly once — including this instance's own publishes.
 */

/** Transport between server instances for topic messages (see {@link memoryPubSub} and {@link redisPubSub}). */
export interface PubSub {
  /**
   * Sends `payload` (an already-serialised frame) to every subscriber of `topic` on every
   * instance, this one included, exactly once each.
   */
  publish(topic: string, payload: string): Promise<void>;
  /**
   * Starts delivering the topic's payloads to `onMessage` (one subscription per topic per
   * PubSub object: subscribing again replaces the callback). `onMessage` must not throw.
   */
  subscribe(topic: string, onMessage: (payload: string) => void): Promise<void>;
  /** Stops delivering the topic's payloads. Unknown topics are ignored. */
  unsubscribe(topic: string): Promise<void>;
  /** Releases connections and timers; later calls to the other methods reject. */
  close(): Promise<void>;
}
