/**
 * The client against a browser-style WebSocket: only the standard `on*` properties, no
 * ping/pong visibility, no terminate(), no upgrade response — as in browsers (and Node 22+'s
 * global WebSocket). It wraps a `ws` socket so it can talk to a real server.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createRuntimeClient } from '../../../src/runtime/client/index.js';
import type { WebSocketLikeConstructor } from '../../../src/runtime/client/index.js';
import { Cleanup, chatProtocol, record, startServer, waitFor } from './fixture.js';

const cleanup = new Cleanup();
afterEach(async () => {
  await cleanup.run();
  delete (globalThis as { WebSocket?: unknown }).WebSocket;
});

class BrowserLikeWebSocket {
  static created = 0;
  readonly #socket: WebSocket;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;

  constructor(url: string, protocols?: string | string[]) {
    BrowserLikeWebSocket.created++;
    this.#socket = new WebSocket(url, protocols);
    this.#socket.on('open', () => this.onopen?.({}));
    this.#socket.on('message', (data, isBinary) => this.onmessage?.({ data: isBinary ? data : String(data) }));
    this.#socket.on('error', () => this.onerror?.({}));
    this.#socket.on('close', (code, reason) => this.onclose?.({ code, reason: String(reason) }));
  }
  get readyState(): number {
    return this.#socket.readyState;
  }
  send(data: string): void {
    this.#socket.send(data);
  }
  close(code?: number, reason?: string): void {
    this.#socket.close(code, reason);
  }
}

// Both real constructors satisfy the option's type (checked by tsc).
const constructors: WebSocketLikeConstructor[] = [WebSocket, BrowserLikeWebSocket, ...(typeof globalThis.WebSocket === 'function' ? [globalThis.WebSocket] : [])];

describe('browser-style WebSocket', () => {
  it('the WebSocket option accepts the ws, browser-like and host constructors', () => {
    expect(constructors.length).toBeGreaterThanOrEqual(2);
  });

  it('is picked up from globalThis.WebSocket and carries the token in the query', async () => {
    (globalThis as { WebSocket?: unknown }).WebSocket = BrowserLikeWebSocket;
    const before = BrowserLikeWebSocket.created;
    const server = cleanup.add(await startServer({ onConnection: (c) => c.socket.send(JSON.stringify({ type: 'typingStarted', payload: { conversationId: 'c1' } })) }));
    const client = cleanup.add(createRuntimeClient(chatProtocol(), { url: server.url, channelId: 'chat', token: 't1' }));
    const typing: unknown[] = [];
    client.on('typingStarted', (value) => typing.push(value));
    await waitFor(() => typing.length === 1);
    expect(BrowserLikeWebSocket.created).toBe(before + 1);
    expect((await server.connection(0)).request.url).toBe('/ws/chat?token=t1');
  });

  it("skips it for auth 'header' (browsers cannot set headers) and loads ws instead", async () => {
    (globalThis as { WebSocket?: unknown }).WebSocket = BrowserLikeWebSocket;
    const before = BrowserLikeWebSocket.created;
    const server = cleanup.add(await startServer());
    const client = cleanup.add(createRuntimeClient(chatProtocol('none'), { url: server.url, channelId: 'chat', token: 't2', auth: 'header' }));
    await client.ready();
    expect(BrowserLikeWebSocket.created).toBe(before);
    expect((await server.connection(0)).request.headers.authorization).toBe('Bearer t2');
  });

  it('an explicit heartbeat counts only messages there: a quiet connection is dropped and reopened', async () => {
    const server = cleanup.add(await startServer());
    const client = cleanup.add(
      createRuntimeClient(chatProtocol(), {
        url: server.url,
        channelId: 'chat',
        WebSocket: BrowserLikeWebSocket,
        heartbeat: { intervalMs: 60, timeoutMs: 60 },
        reconnect: { initialDelayMs: 500, jitter: 'none' },
      }),
    );
    const log = record(client);
    await client.ready();
    const started = Date.now();
    await waitFor(() => client.state === 'reconnecting', 2000, 'the heartbeat to give up');
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    expect(log.states).toEqual(['open', 'reconnecting']);
  });
});
