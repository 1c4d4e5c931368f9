/**
 * In-process PubSub: enough for a single server instance (the default) and for tests.
 */
import { RuntimeErrorCode, WsgenRuntimeError } from '../errors.js';
import type { PubSub } from './pubsub.js';

/**
 * Creates a PubSub that delivers within this process only, synchronously inside `publish`
 * (no extra async hop on the hot path). Use one per server instance.
 */
export function memoryPubSub(): PubSub {
  const subscribers = new Map<string, (payload: string) => void>();
  let closed = false;

  const assertOpen = (operation: string): void => {
    if (closed) throw new WsgenRuntimeError(RuntimeErrorCode.INVALID_STATE, `memoryPubSub.${operation}() was called after close().`);
  };

  return {
    async publish(topic, payload) {
      assertOpen('publish');
      subscribers.get(topic)?.(payload);
    },
    async subscribe(topic, onMessage) {
      assertOpen('subscribe');
      subscribers.set(topic, onMessage);
    },
    async unsubscribe(topic) {
      subscribers.delete(topic);
    },
    async close() {
      closed = true;
      subscribers.clear();
    },
  };
}
