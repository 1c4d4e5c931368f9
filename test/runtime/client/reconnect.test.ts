import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntimeClient } from '../../../src/runtime/client/index.js';
import { CloseCode } from '../../../src/runtime/codes.js';
import { Cleanup, chatProtocol, delay, record, startServer, waitFor } from './fixture.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const fast = { initialDelayMs: 20, jitter: 'none' as const };

describe('state machine and reconnect', () => {
  it("emits 'state' events in order: open → reconnecting → open → closed", async () => {
    const server = cleanup.add(await startServer());
    const client = createRuntimeClient(chatProtocol(), { url: server.url, channelId: 'chat', reconnect: fast });
    expect(client.state).toBe('connecting');
    const log = record(client);
    await client.ready();
    (await server.connection(0)).socket.terminate();
    await waitFor(() => log.states.length === 3, 3000, 'the reconnect');
    await client.close();
    expect(log.states).toEqual(['open', 'reconnecting', 'open', 'closed']);
    expect(client.state).toBe('closed');
    expect(log.errors).toEqual([]);
  });

  it.each([
    ['1006 (abnormal)', CloseCode.ABNORMAL],
    ['1001 (going away)', CloseCode.GOING_AWAY],
    ['1011 (internal error)', CloseCode.INTERNAL_ERROR],
    ['1012 (service restart)', CloseCode.SERVICE_RESTART],
    ['1013 (try again later)', CloseCode.TRY_AGAIN_LATER],
    ['4029 (rate limited)', CloseCode.RATE_LIMITED],
  ])('reconnects after close code %s', async (_name, code) => {
    const server = cleanup.add(
      await startServer({
        onConnection: (connection) => {
          if (server.connections.length > 1) return;
          if (code === CloseCode.ABNORMAL) connection.socket.terminate();
          else connection.socket.close(code);
        },
      }),
    );
    const client = cleanup.add(createRuntimeClient(chatProtocol(), { url: server.url, channelId: 'chat', reconnect: fast }));
    await server.connection(1);
    await waitFor(() => client.state === 'open');
  });

  it.each([
    [CloseCode.INVALID_TOKEN, 'unauthorized'],
    [CloseCode.FORBIDDEN, 'forbidden'],
    [CloseCode.POLICY_VIOLATION, 'connection_closed'],
  ])('does not reconnect after close code %i and reports %s', async (code, errorCode) => {
    const server = cleanup.add(await startServer({ onConnection: (c) => c.socket.close(code, 'nope') }));
    const client = cleanup.add(createRuntimeClient(chatProtocol(), { url: server.url, channelId: 'chat', reconnect: fast }));
    const log = record(client);
    await waitFor(() => client.state === 'closed');
    await expect(client.ready()).rejects.toMatchObject({ code: errorCode, closeCode: code });
    await delay(100);
    expect(server.connections).toHaveLength(1);
    expect(log.states).toEqual(['open', 'closed']);
    expect(log.errors).toMatchObject([{ code: errorCode, closeCode: code }]);
  });

  it('does not reconnect after HTTP 401 at the upgrade (ws unexpected-response)', async () => {
    let upgrades = 0;
    const http = createServer();
    http.on('upgrade', (_request, socket) => {
      upgrades++;
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    cleanup.add({ close: () => new Promise<void>((resolve) => http.close(() => resolve())) });
    const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/ws/chat`;
    const client = cleanup.add(createRuntimeClient(chatProtocol(), { url, channelId: 'chat', token: 'expired', reconnect: fast }));
    const log = record(client);
    await expect(client.ready()).rejects.toMatchObject({ code: 'unauthorized' });
    await delay(100);
    expect(upgrades).toBe(1);
    expect(log.states).toEqual(['closed']);
    expect((log.errors[0] as Error).message).toContain('HTTP 401');
  });

  it('does not reconnect after close()', async () => {
    const server = cleanup.add(await startServer());
    const client = createRuntimeClient(chatProtocol(), { url: server.url, channelId: 'chat', reconnect: fast });
    await client.ready();
    await client.close();
    await delay(100);
    expect(server.connections).toHaveLength(1);
  });

  it('gives up after maxAttempts failed reconnects in a row, with backoff between them', async () => {
    const server = cleanup.add(await startServer());
    const { port } = server;
    await server.close(); // nothing listens on the port any more: every attempt fails
    const started = Date.now();
    const client = cleanup.add(
      createRuntimeClient(chatProtocol(), {
        url: `ws://127.0.0.1:${port}/ws/chat`,
        channelId: 'chat',
        reconnect: { initialDelayMs: 20, factor: 2, jitter: 'none', maxAttempts: 3 },
      }),
    );
    const log = record(client);
    await expect(client.ready()).rejects.toMatchObject({ code: 'connection_closed', closeCode: CloseCode.ABNORMAL });
    // 20 + 40 + 80 ms of backoff before the 4th failure.
    expect(Date.now() - started).toBeGreaterThanOrEqual(130);
    expect(log.states).toEqual(['reconnecting', 'closed']);
    expect((log.errors[0] as Error).message).toContain('3 reconnect attempts failed');
  });

  it('with reconnect: false, a drop closes the client for good', async () => {
    const server = cleanup.add(await startServer());
    const client = cleanup.add(createRuntimeClient(chatProtocol(), { url: server.url, channelId: 'chat', reconnect: false }));
    const log = record(client);
    await client.ready();
    (await server.connection(0)).socket.close(CloseCode.SERVICE_RESTART);
    await waitFor(() => client.state === 'closed');
    expect(log.errors).toMatchObject([{ code: 'connection_closed', closeCode: CloseCode.SERVICE_RESTART }]);
  });
});
