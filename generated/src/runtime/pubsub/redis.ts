/**
 * Redis PubSub for running several server instances behind a load balancer.
 *
 * Two connections (Redis puts a subscribing connection in a mode where it cannot publish): one
 * publisher, one subscriber. Every payload is tagged with this instance's id: `publish` hands
 * it to local subscribers at once and Redis's echo of our own publish is ignored, so each
 * subscriber sees each publish exactly once and local delivery keeps working while Redis is
 * down. ioredis is an optional peer dependency, loaded with a dynamic `import()` on first use.
 */
import { randomUUID } from 'node:crypto';
import { RuntimeErrorCode, WsgenRuntimeError } from '../errors.js';
import type { PubSub } from './pubsub.js';

/** Options of {@link redisPubSub}. */
export interface RedisPubSubOptions {
  /** Redis URL, e.g. `redis://127.0.0.1:6379/0` (credentials may be part of it). */
  url: string;
  /** Prefix of every Redis channel name, so several APIs can share one Redis. Default `'wsgen:'`. */
  channelPrefix?: string;
  /**
   * Receives connection errors (once per failed attempt), failed commands, and one notice per
   * outage when publishes could not reach Redis (they were still delivered locally).
   */
  onError?(error: unknown): void;
  /** Upper bound of the delay between reconnection attempts, in ms. Default 2000. */
  maxRetryDelayMs?: number;
  /** How long a first publish/subscribe waits for the initial connection, in ms. Default 5000. */
  connectTimeoutMs?: number;
}

/** The few ioredis methods used here (declared structurally: ioredis is an optional dependency). */
interface RedisClient {
  readonly status: string;
  publish(channel: string, message: string): Promise<unknown>;
  subscribe(...channels: string[]): Promise<unknown>;
  unsubscribe(...channels: string[]): Promise<unknown>;
  quit(): Promise<unknown>;
  disconnect(): void;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'ready' | 'end', listener: () => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  once(event: 'ready', listener: () => void): unknown;
}

type RedisConstructor = new (url: string, options: Record<string, unknown>) => RedisClient;

interface Clients {
  publisher: RedisClient;
  subscriber: RedisClient;
  /** Settles at the first 'ready' or after `connectTimeoutMs`, whichever comes first. */
  publisherReady: Promise<void>;
  subscriberReady: Promise<void>;
}

/** Redis SUBSCRIBE arguments per command when resubscribing after a reconnect. */
const RESUBSCRIBE_BATCH = 1000;

/**
 * Creates a PubSub backed by Redis Pub/Sub. It starts connecting at once and reconnects forever
 * (bounded delay); commands are never queued while disconnected, so memory stays bounded during
 * an outage. Delivery to other instances is at most once, like Redis Pub/Sub itself.
 */
export function redisPubSub(options: RedisPubSubOptions): PubSub {
  const settings = resolveOptions(options);
  const { prefix } = settings;
  const instanceTag = `${randomUUID()}\n`;
  const handlers = new Map<string, (payload: string) => void>();
  let closed = false;
  let outageReported = false;

  const report = (error: unknown): void => {
    try {
      settings.onError?.(error);
    } catch {
      // A failing error hook must not break delivery.
    }
  };

  const clients = connect(settings, {
    report,
    onSubscriberReady(subscriber) {
      const channels = [...handlers.keys()].map((topic) => prefix + topic);
      for (let i = 0; i < channels.length; i += RESUBSCRIBE_BATCH) {
        subscriber.subscribe(...channels.slice(i, i + RESUBSCRIBE_BATCH)).catch(report);
      }
    },
    onPublisherReady() {
      outageReported = false;
    },
    onMessage(channel, message) {
      // Our own publishes were delivered locally already.
      if (message.startsWith(instanceTag)) return;
      const onMessage = handlers.get(channel.slice(prefix.length));
      const separator = message.indexOf('\n');
      if (onMessage !== undefined && separator !== -1) onMessage(message.slice(separator + 1));
    },
  });
  // Reported here; the operations below reject with the same error.
  clients.catch(report);

  const assertOpen = (operation: string): void => {
    if (closed) throw new WsgenRuntimeError(RuntimeErrorCode.INVALID_STATE, `redisPubSub.${operation}() was called after close().`);
  };

  return {
    async publish(topic, payload) {
      assertOpen('publish');
      handlers.get(topic)?.(payload);
      const { publisher, publisherReady } = await clients;
      if (publisher.status !== 'ready') await publisherReady;
      if (publisher.status !== 'ready') {
        if (!outageReported) {
          outageReported = true;
          report(new Error('Redis is unavailable: topic messages reach this instance only until it reconnects.'));
        }
        return;
      }
      await publisher.publish(prefix + topic, instanceTag + payload).catch(report);
    },
    async subscribe(topic, onMessage) {
      assertOpen('subscribe');
      handlers.set(topic, onMessage);
      const { subscriber, subscriberReady } = await clients;
      if (subscriber.status !== 'ready') await subscriberReady;
      // Not connected: the 'ready' listener subscribes every known topic on (re)connection.
      if (subscriber.status !== 'ready' || handlers.get(topic) !== onMessage) return;
      await subscriber.subscribe(prefix + topic).catch(report);
    },
    async unsubscribe(topic) {
      if (!handlers.delete(topic) || closed) return;
      const { subscriber } = await clients;
      if (subscriber.status === 'ready' && !handlers.has(topic)) await subscriber.unsubscribe(prefix + topic).catch(report);
    },
    async close() {
      if (closed) return;
      closed = true;
      handlers.clear();
      const connected = await clients.catch(() => undefined);
      if (connected === undefined) return;
      connected.subscriber.disconnect();
      // QUIT lets queued publishes flush; without a connection there is nothing to flush.
      if (connected.publisher.status === 'ready') await connected.publisher.quit().catch(() => connected.publisher.disconnect());
      else connected.publisher.disconnect();
    },
  };
}

interface ResolvedRedisOptions {
  url: string;
  prefix: string;
  onError: ((error: unknown) => void) | undefined;
  maxRetryDelayMs: number;
  connectTimeoutMs: number;
}

function resolveOptions(options: RedisPubSubOptions): ResolvedRedisOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('redisPubSub() expects an options object with a "url".');
  const { url, channelPrefix = 'wsgen:', onError, maxRetryDelayMs = 2000, connectTimeoutMs = 5000 } = options;
  if (typeof url !== 'string' || url === '') throw new TypeError('The "url" option of redisPubSub() must be a non-empty string.');
  if (typeof channelPrefix !== 'string') throw new TypeError('The "channelPrefix" option of redisPubSub() must be a string.');
  if (onError !== undefined && typeof onError !== 'function') throw new TypeError('The "onError" option of redisPubSub() must be a function.');
  for (const [name, value] of [['maxRetryDelayMs', maxRetryDelayMs], ['connectTimeoutMs', connectTimeoutMs]] as const) {
    if (typeof value !== 'number') throw new TypeError(`The "${name}" option of redisPubSub() must be a number.`);
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`The "${name}" option of redisPubSub() must be a positive integer (ms).`);
  }
  return { url, prefix: channelPrefix, onError, maxRetryDelayMs, connectTimeoutMs };
}

interface ClientListeners {
  report(error: unknown): void;
  onSubscriberReady(subscriber: RedisClient): void;
  onPublisherReady(): void;
  onMessage(channel: string, message: string): void;
}

async function connect(settings: ResolvedRedisOptions, listeners: ClientListeners): Promise<Clients> {
  const Redis = await loadRedis();
  const clientOptions: Record<string, unknown> = {
    // Fail commands at once while disconnected instead of queueing them without bound.
    enableOfflineQueue: false,
    // A command caught by a disconnect fails after one reconnection attempt.
    maxRetriesPerRequest: 1,
    // Resubscribed by onSubscriberReady from our own topic list, which is the truth.
    autoResubscribe: false,
    connectTimeout: settings.connectTimeoutMs,
    // Reconnect forever, backing off exponentially up to maxRetryDelayMs.
    retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 16), settings.maxRetryDelayMs),
  };
  const publisher = new Redis(settings.url, clientOptions);
  const subscriber = new Redis(settings.url, clientOptions);
  for (const client of [publisher, subscriber]) client.on('error', listeners.report);
  publisher.on('ready', listeners.onPublisherReady);
  subscriber.on('ready', () => listeners.onSubscriberReady(subscriber));
  subscriber.on('message', listeners.onMessage);
  return {
    publisher,
    subscriber,
    publisherReady: firstReady(publisher, settings.connectTimeoutMs),
    subscriberReady: firstReady(subscriber, settings.connectTimeoutMs),
  };
}

function firstReady(client: RedisClient, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    timer.unref();
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function loadRedis(): Promise<RedisConstructor> {
  // A variable specifier keeps TypeScript and bundlers from requiring ioredis at build time.
  const specifier = 'ioredis';
  let loaded: unknown;
  try {
    loaded = await import(specifier);
  } catch (cause) {
    throw new Error('redisPubSub() needs the optional peer dependency "ioredis" (npm install ioredis).', { cause });
  }
  const candidates = [pick(loaded, 'Redis'), pick(pick(loaded, 'default'), 'Redis'), pick(loaded, 'default')];
  const constructor = candidates.find((candidate) => typeof candidate === 'function');
  if (constructor === undefined) throw new Error('The installed "ioredis" module exports no Redis class.');
  return constructor as RedisConstructor;
}

function pick(value: unknown, key: string): unknown {
  return (typeof value === 'object' || typeof value === 'function') && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}
