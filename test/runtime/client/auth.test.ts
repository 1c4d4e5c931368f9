import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createRuntimeClient } from '../../../src/runtime/client/index.js';
import { Cleanup, chatProtocol, startServer, waitFor } from './fixture.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

describe('auth', () => {
  it("puts the token in the API's query parameter by default", async () => {
    const server = cleanup.add(await startServer());
    const client = cleanup.add(createRuntimeClient(chatProtocol(), { url: `${server.url}?room=1`, channelId: 'chat', token: 'secret token' }));
    await client.ready();
    const url = new URL((await server.connection(0)).request.url ?? '', 'http://x');
    expect(url.searchParams.get('token')).toBe('secret token');
    expect(url.searchParams.get('room')).toBe('1');
  });

  it('offers [subprotocol, token] and the server selects the subprotocol', async () => {
    const server = cleanup.add(await startServer({}, { handleProtocols: (protocols) => (protocols.has('bearer') ? 'bearer' : false) }));
    const client = cleanup.add(createRuntimeClient(chatProtocol({ subprotocol: 'bearer' }), { url: server.url, channelId: 'chat', token: 'tok-1' }));
    await client.ready();
    const connection = await server.connection(0);
    expect(connection.request.headers['sec-websocket-protocol']).toMatch(/^bearer, ?tok-1$/);
    expect(connection.socket.protocol).toBe('bearer');
  });

  it("sends the API's header (ws only), or Authorization: Bearer when it names none", async () => {
    const server = cleanup.add(await startServer());
    const withHeader = cleanup.add(createRuntimeClient(chatProtocol({ header: 'x-api-key' }), { url: server.url, channelId: 'chat', token: 'k1' }));
    await withHeader.ready();
    expect((await server.connection(0)).request.headers['x-api-key']).toBe('k1');
    const bearer = cleanup.add(createRuntimeClient(chatProtocol('none'), { url: server.url, channelId: 'chat', token: 'k2', WebSocket }));
    await bearer.ready();
    expect((await server.connection(1)).request.headers.authorization).toBe('Bearer k2');
  });

  it('sends no credentials without a token', async () => {
    const server = cleanup.add(await startServer());
    const client = cleanup.add(createRuntimeClient(chatProtocol(), { url: server.url, channelId: 'chat' }));
    await client.ready();
    const connection = await server.connection(0);
    expect(connection.request.url).toBe('/ws/chat');
    expect(connection.request.headers['sec-websocket-protocol']).toBeUndefined();
  });

  it('calls a token function again before every reconnect (token refresh)', async () => {
    let issued = 0;
    const server = cleanup.add(await startServer({ onConnection: (c) => c.socket.close(1012, 'restart') }));
    const client = cleanup.add(
      createRuntimeClient(chatProtocol(), {
        url: server.url,
        channelId: 'chat',
        token: async () => `token-${++issued}`,
        reconnect: { initialDelayMs: 10, jitter: 'none' },
      }),
    );
    await server.connection(2);
    await client.close();
    const tokens = server.connections.map((c) => new URL(c.request.url ?? '', 'http://x').searchParams.get('token'));
    expect(tokens).toEqual(['token-1', 'token-2', 'token-3']);
  });

  it("reports a failing token function as 'unauthorized' and retries with backoff", async () => {
    const server = cleanup.add(await startServer());
    let calls = 0;
    const client = cleanup.add(
      createRuntimeClient(chatProtocol(), {
        url: server.url,
        channelId: 'chat',
        token: () => {
          calls++;
          if (calls === 1) throw new Error('refresh endpoint offline');
          return 'fresh';
        },
        reconnect: { initialDelayMs: 10, jitter: 'none' },
      }),
    );
    const errors: unknown[] = [];
    client.on('clientError', (error) => errors.push(error));
    await client.ready();
    expect(errors).toMatchObject([{ code: 'unauthorized', cause: { message: 'refresh endpoint offline' } }]);
    expect(new URL((await server.connection(0)).request.url ?? '', 'http://x').searchParams.get('token')).toBe('fresh');
  });
});
