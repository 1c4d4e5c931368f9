import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../src/runtime/client/backoff.js';
import { Correlation } from '../../../src/runtime/client/correlation.js';
import { Emitter } from '../../../src/runtime/client/emitter.js';
import { Heartbeat } from '../../../src/runtime/client/heartbeat.js';
import { OfflineQueue } from '../../../src/runtime/client/offline-queue.js';
import { CLIENT_DEFAULTS, resolveClientOptions } from '../../../src/runtime/client/options.js';
import type { RuntimeClientOptions } from '../../../src/runtime/client/options.js';
import { buildConnectRequest } from '../../../src/runtime/client/transport.js';
import { chatProtocol } from './fixture.js';

const policy = { initialDelayMs: 1000, maxDelayMs: 30_000, factor: 2, jitter: 'full' as const };

describe('backoffDelay', () => {
  it('is random() * min(maxDelay, initial * factor^attempt) with full jitter', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, policy, () => 0.5))).toEqual([500, 1000, 2000, 4000, 8000, 15_000, 15_000]);
    expect(backoffDelay(0, policy, () => 0)).toBe(0);
    expect(backoffDelay(3, policy, () => 0.999)).toBe(7992);
  });

  it('is exactly the ceiling without jitter, capped even when factor^attempt overflows', () => {
    const none = { ...policy, jitter: 'none' as const };
    expect([0, 1, 4, 5, 2000].map((attempt) => backoffDelay(attempt, none, () => 0.1))).toEqual([1000, 2000, 16_000, 30_000, 30_000]);
  });

  it('clamps a random() outside [0, 1)', () => {
    expect(backoffDelay(0, policy, () => -1)).toBe(0);
    expect(backoffDelay(0, policy, () => 7)).toBe(1000);
  });
});

describe('resolveClientOptions', () => {
  const base: RuntimeClientOptions = { url: 'ws://127.0.0.1:1/ws/chat', channelId: 'chat' };
  const resolve = (extra: Partial<RuntimeClientOptions> | Record<string, unknown>) => () => resolveClientOptions(chatProtocol(), { ...base, ...extra } as RuntimeClientOptions);

  it('fills the documented defaults', () => {
    const options = resolveClientOptions(chatProtocol(), base);
    expect(options.reconnect).toEqual({ initialDelayMs: 1000, maxDelayMs: 30_000, factor: 2, jitter: 'full', maxAttempts: Infinity });
    expect(options.heartbeat).toEqual({ intervalMs: 30_000, timeoutMs: 10_000, explicit: false });
    expect(options).toMatchObject({ auth: 'query', maxQueuedMessages: CLIENT_DEFAULTS.maxMessages, validateIncoming: true, validateOutgoing: true, requestTimeoutMs: 10_000 });
    expect(resolveClientOptions(chatProtocol({ subprotocol: 'bearer' }), base).auth).toBe('subprotocol');
    expect(resolveClientOptions(chatProtocol('none'), base).auth).toBe('header');
    expect(resolveClientOptions(chatProtocol(), { ...base, reconnect: false, heartbeat: false })).toMatchObject({ reconnect: false, heartbeat: false });
  });

  it.each([
    ['url', { url: 42 }, TypeError, /options.url must be a ws:\/\/ or wss:\/\/ URL/],
    ['url scheme', { url: 'http://x/' }, TypeError, /options.url must use ws: or wss:, got http:/],
    ['channelId', { channelId: 'lobby' }, TypeError, /options.channelId must be one of: chat; got 'lobby'/],
    ['token', { token: 5 }, TypeError, /options.token must be a string or a function/],
    ['auth', { auth: 'cookie' }, TypeError, /options.auth must be 'query', 'subprotocol' or 'header'/],
    ['reconnect', { reconnect: true }, TypeError, /options.reconnect must be an object or false/],
    ['jitter', { reconnect: { jitter: 'half' } }, TypeError, /options.reconnect.jitter must be 'full' or 'none'/],
    ['factor', { reconnect: { factor: 0.5 } }, RangeError, /options.reconnect.factor must be a number from 1/],
    ['maxDelayMs', { reconnect: { initialDelayMs: 500, maxDelayMs: 100 } }, RangeError, /options.reconnect.maxDelayMs must be a number from 500/],
    ['maxAttempts', { reconnect: { maxAttempts: 1.5 } }, RangeError, /options.reconnect.maxAttempts must be an integer from 0 to Infinity/],
    ['heartbeat', { heartbeat: { intervalMs: 0 } }, RangeError, /options.heartbeat.intervalMs must be a number from 1 to 2147483647/],
    ['queue', { queue: { maxMessages: -1 } }, RangeError, /options.queue.maxMessages must be an integer from 0/],
    ['requestTimeoutMs', { requestTimeoutMs: 'soon' }, TypeError, /options.requestTimeoutMs must be a number/],
    ['validateIncoming', { validateIncoming: 'yes' }, TypeError, /options.validateIncoming must be true or false/],
    ['WebSocket', { WebSocket: {} }, TypeError, /options.WebSocket must be a function/],
  ])('rejects a bad %s', (_name, extra, errorClass, message) => {
    expect(resolve(extra)).toThrow(errorClass);
    expect(resolve(extra)).toThrow(message);
  });

  it("rejects auth placements the API does not declare, and message keys that shadow the client's events", () => {
    expect(() => resolveClientOptions(chatProtocol({ subprotocol: 'bearer' }), { ...base, auth: 'query' })).toThrow(/needs the API to declare auth.queryParameter/);
    const protocol = chatProtocol();
    protocol.channels[0]?.serverToClient.push({ key: 'state', discriminatorValue: 'state', validate: (value) => ({ ok: true, value }) });
    expect(() => resolveClientOptions(protocol, base)).toThrow(/clashes with the client's own 'state' event/);
  });
});

describe('buildConnectRequest', () => {
  const api = { queryParameter: 'access_token', subprotocol: 'bearer', header: 'x-api-key' };
  it('places the token', () => {
    expect(buildConnectRequest('wss://h/ws?a=1', 'query', api, 't&1').url).toBe('wss://h/ws?a=1&access_token=t%261');
    expect(buildConnectRequest('wss://h/ws', 'subprotocol', api, 't')).toEqual({ url: 'wss://h/ws', protocols: ['bearer', 't'], headers: undefined });
    expect(buildConnectRequest('wss://h/ws', 'header', api, 't').headers).toEqual({ 'x-api-key': 't' });
    expect(buildConnectRequest('wss://h/ws', 'header', undefined, 't').headers).toEqual({ authorization: 'Bearer t' });
    expect(buildConnectRequest('wss://h/ws', 'query', api, undefined)).toEqual({ url: 'wss://h/ws', protocols: undefined, headers: undefined });
  });
});

describe('Emitter', () => {
  it('calls listeners in order, supports once/off/unsubscribe, and survives removal mid-emit', () => {
    const emitter = new Emitter();
    const calls: string[] = [];
    const b = (): void => void calls.push('b');
    const unsubscribeA = emitter.on('x', () => {
      calls.push('a');
      emitter.off('x', b);
    });
    emitter.on('x', b);
    emitter.on('x', () => calls.push('once'), true);
    emitter.emit('x', 1); // b was removed mid-emit but the walk uses the snapshot
    emitter.emit('x', 2);
    unsubscribeA();
    emitter.emit('x', 3);
    expect(calls).toEqual(['a', 'b', 'once', 'a']);
  });

  it('isolates a throwing listener and rethrows its error from a microtask', async () => {
    const emitter = new Emitter();
    const calls: string[] = [];
    emitter.on('x', () => {
      throw new Error('listener bug');
    });
    emitter.on('x', () => calls.push('after'));
    const rethrown = new Promise<unknown>((resolve) => {
      const original = globalThis.queueMicrotask;
      globalThis.queueMicrotask = (task) => {
        globalThis.queueMicrotask = original;
        try {
          task();
        } catch (error) {
          resolve(error);
        }
      };
    });
    emitter.emit('x', 1);
    expect(calls).toEqual(['after']);
    expect(await rethrown).toMatchObject({ message: 'listener bug' });
  });

  it('iterators buffer, end on clear after draining, and stop on return()', async () => {
    const emitter = new Emitter();
    const iterator = emitter.iterate('x');
    const stopped = emitter.iterate('x');
    emitter.emit('x', 1);
    emitter.emit('x', 2);
    await stopped.return?.();
    const waiting = iterator.next();
    expect(await waiting).toEqual({ value: 1, done: false });
    emitter.clear();
    emitter.emit('x', 3); // no listeners any more
    expect(await iterator.next()).toEqual({ value: 2, done: false });
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
    expect(await stopped.next()).toEqual({ value: undefined, done: true });
    const calls: unknown[] = [];
    emitter.on('x', (value) => calls.push(value));
    emitter.emit('x', 4);
    expect(calls).toEqual([]); // cleared is final
  });
});

describe('Correlation', () => {
  it('re-sends written but unanswered messages once, in order, and forgets plain ones after that', () => {
    const correlation = new Correlation(10);
    const request = { resolve: (): void => undefined, reject: (): void => undefined, timer: undefined };
    const a = correlation.track('a', 'A', request);
    const b = correlation.track('b', 'B', undefined);
    const c = correlation.track('c', 'C', undefined);
    for (const entry of [a, b]) if (entry) entry.state = 'sent';
    const written: string[] = [];
    correlation.resend((text) => written.push(text));
    expect(written).toEqual(['A', 'B']); // c is still queued: the queue flush sends it
    correlation.resend((text) => written.push(text));
    expect(written).toEqual(['A', 'B']);
    expect(correlation.has('a')).toBe(true); // the request waits for its timeout
    expect(correlation.has('b')).toBe(false);
    expect(c?.state).toBe('queued');
  });

  it('bounds remembered plain sends, and refuses an id a pending request uses', () => {
    const correlation = new Correlation(2);
    for (const id of ['1', '2', '3']) correlation.track(id, id, undefined);
    expect(['1', '2', '3'].map((id) => correlation.has(id))).toEqual([false, true, true]);
    correlation.track('r', 'R', { resolve: () => undefined, reject: () => undefined, timer: undefined });
    expect(() => correlation.track('r', 'R', undefined)).toThrow(/already awaiting a reply/);
    expect(new Correlation(0).track('x', 'X', undefined)).toBeUndefined();
  });
});

describe('OfflineQueue', () => {
  it('is a bounded FIFO', () => {
    const queue = new OfflineQueue<number>(2);
    expect([queue.push(1), queue.push(2), queue.push(3)]).toEqual([true, true, false]);
    expect(queue.drain()).toEqual([1, 2]);
    expect(queue.size).toBe(0);
  });
});

describe('Heartbeat', () => {
  it('pings after intervalMs of silence and declares death after intervalMs + timeoutMs', async () => {
    const events: string[] = [];
    const started = performance.now();
    await new Promise<void>((resolve) => {
      const heartbeat = new Heartbeat(30, 30, () => events.push('ping'), () => {
        events.push(`dead after ${Math.round(performance.now() - started) >= 60 ? '>=60' : '<60'} ms`);
        resolve();
      });
      heartbeat.start();
    });
    expect(events).toEqual(['ping', 'dead after >=60 ms']);
  });
});
