import { afterEach, describe, expect, it } from 'vitest';
import { createRuntimeClient } from '../../../src/runtime/client/index.js';
import { Cleanup, chatProtocol, record, startServer, waitFor } from './fixture.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

describe('heartbeat', () => {
  it('terminates a silent connection whose TCP stays open, and reconnects', async () => {
    // The first connection is paused server-side: it neither reads our pings nor sends anything,
    // yet its TCP connection stays up — a half-open peer as the client sees it.
    const server = cleanup.add(await startServer({ onConnection: (c) => (server.connections.length === 1 ? c.socket.pause() : undefined) }));
    const client = cleanup.add(
      createRuntimeClient(chatProtocol(), {
        url: server.url,
        channelId: 'chat',
        heartbeat: { intervalMs: 100, timeoutMs: 100 },
        reconnect: { initialDelayMs: 10, jitter: 'none' },
      }),
    );
    const log = record(client);
    await client.ready();
    const opened = Date.now();
    await server.connection(1);
    expect(Date.now() - opened).toBeGreaterThanOrEqual(190);
    await waitFor(() => client.state === 'open');
    expect(log.states).toEqual(['open', 'reconnecting', 'open']);
  });

  it('keeps a quiet but healthy connection open: it pings, and pongs count as traffic', async () => {
    let pings = 0;
    const server = cleanup.add(await startServer({ onConnection: (c) => c.socket.on('ping', () => pings++) }));
    const client = cleanup.add(createRuntimeClient(chatProtocol(), { url: server.url, channelId: 'chat', heartbeat: { intervalMs: 50, timeoutMs: 1000 } }));
    const log = record(client);
    await client.ready();
    await waitFor(() => pings >= 3, 3000, 'three pings');
    expect(log.states).toEqual(['open']);
    expect(server.connections).toHaveLength(1);
  });
});
