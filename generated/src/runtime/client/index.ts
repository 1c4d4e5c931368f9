/**
 * The isomorphic WebSocket client runtime: browsers and Node 20+, no Node built-ins, `ws` only
 * loaded lazily when needed. The generated client wraps {@link createRuntimeClient} with typed
 * methods; everything here is generic over an `ApiProtocol` (see `../protocol.ts`).
 */
export { createRuntimeClient } from './create-client.js';
export { CLOSE_GRACE_MS } from './types.js';
export type { ClientState, RuntimeClient } from './types.js';
export { CLIENT_DEFAULTS } from './options.js';
export type { AuthPlacement, HeartbeatOptions, ReconnectOptions, RuntimeClientOptions, TokenSource } from './options.js';
export type { WebSocketLike, WebSocketLikeConstructor } from './transport.js';
export { backoffDelay } from './backoff.js';
