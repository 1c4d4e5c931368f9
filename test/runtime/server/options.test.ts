/**
 * Up-front option validation: TypeError for shapes and combinations, RangeError for values.
 */
import { describe, expect, it } from 'vitest';
import { createRuntimeServer, DEFAULT_LIMITS, redisPubSub, type RuntimeServerOptions } from '../../../src/runtime/server/index.js';
import { authenticate, protocol, type Principal } from './fixture.js';

const base: RuntimeServerOptions<Principal> = { port: 0, authenticate, handlers: {} };
const create = (options: Partial<RuntimeServerOptions<Principal>> & Record<string, unknown>) =>
  () => createRuntimeServer(protocol, { ...base, ...options } as RuntimeServerOptions<Principal>);

describe('createRuntimeServer options', () => {
  it.each([
    ['neither port nor server', { port: undefined }, /Exactly one of the "port" and "server"/],
    ['both port and server', { server: {} as never }, /Exactly one of the "port" and "server"/],
    ['a non-function authenticate', { authenticate: 'yes' as never }, /"authenticate" option must be a function/],
    ['a handler for an unknown channel', { handlers: { lobby: {} } }, /"handlers.lobby" names no channel/],
    ['a handler for a server→client key', { handlers: { chat: { messageDelivered: () => {} } } }, /"handlers.chat.messageDelivered" names no client→server message/],
    ['a non-function handler', { handlers: { chat: { chatMessage: 1 as never } } }, /must be a function/],
    ['an unknown limit', { limits: { maxConnectons: 5 } as never }, /Unknown limit "limits.maxConnectons"/],
    ['a non-number limit', { limits: { burst: '5' as never } }, /"limits.burst" option must be a number/],
    ['an incomplete pubsub', { pubsub: { publish: () => {} } as never }, /"pubsub" option must have/],
    ['a non-boolean validateOutgoing', { validateOutgoing: 'no' as never }, /"validateOutgoing"/],
    ['allowedOrigins that is not an array of strings', { allowedOrigins: 'https://a' as never }, /"allowedOrigins"/],
  ])('throws TypeError for %s', (_name, options, message) => {
    expect(create(options)).toThrow(TypeError);
    expect(create(options)).toThrow(message);
  });

  it.each([
    ['a port out of range', { port: 70_000 }, /"port" option must be an integer from 0 to 65535/],
    ['a negative limit', { limits: { maxPayloadBytes: -1 } }, /"limits.maxPayloadBytes" option must be an integer of at least 1/],
    ['a fractional burst', { limits: { burst: 1.5 } }, /"limits.burst"/],
    ['an infinite handshake timeout', { limits: { handshakeTimeoutMs: Infinity } }, /"limits.handshakeTimeoutMs"/],
    ['a zero rate', { limits: { messagesPerSecond: 0 } }, /"limits.messagesPerSecond" option must be a number above 0/],
    ['a basePath with a trailing slash', { basePath: '/v1/' }, /"basePath"/],
  ])('throws RangeError for %s', (_name, options, message) => {
    expect(create(options)).toThrow(RangeError);
    expect(create(options)).toThrow(message);
  });

  it('accepts Infinity where a limit can be disabled, and documents its defaults', () => {
    expect(create({ limits: { maxConnectionsPerIp: Infinity, messagesPerSecond: Infinity, heartbeatIntervalMs: 0 } })).not.toThrow();
    expect(DEFAULT_LIMITS).toMatchObject({ maxPayloadBytes: 65_536, messagesPerSecond: 100, maxConnections: 10_000, maxConnectionsPerIp: Infinity });
  });

  it('validates close() options', async () => {
    const server = create({})();
    expect(() => server.close({ timeoutMs: -1 })).toThrow(RangeError);
    await server.close({ timeoutMs: 0 });
  });
});

describe('redisPubSub options', () => {
  it('throws TypeError for a missing url and RangeError for a bad delay', () => {
    expect(() => redisPubSub({} as never)).toThrow(TypeError);
    expect(() => redisPubSub({ url: 'redis://127.0.0.1:1', maxRetryDelayMs: 0 })).toThrow(RangeError);
  });
});
