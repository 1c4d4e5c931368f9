/**
 * Public API of the runtime server: `createRuntimeServer()`, its option and context types,
 * and the PubSub implementations for scaling out.
 */
export { createRuntimeServer, DEFAULT_CLOSE_TIMEOUT_MS } from './create-server.js';
export { DEFAULT_LIMITS, type MessageHandler, type RuntimeServerOptions, type ServerHooks, type ServerLimits } from './options.js';
export type { ConnectionInfo, RuntimeContext, RuntimeServer, ServerStats } from './types.js';
export type { PubSub } from '../pubsub/pubsub.js';
export { memoryPubSub } from '../pubsub/memory.js';
export { redisPubSub, type RedisPubSubOptions } from '../pubsub/redis.js';
