/**
 * Backpressure: a client that stops reading makes the send buffer grow; past maxBufferedBytes
 * the server closes with 1013, stops queuing, and destroys the socket when the close handshake
 * cannot complete.
 */
import type { Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { CloseCode } from '../../../src/runtime/codes.js';
import { ALICE } from './fixture.js';
import { cleanup, connect, sendJson, startServer, until } from './helpers.js';

afterEach(cleanup);

it('closes a connection whose send buffer passes maxBufferedBytes, then terminates it', async () => {
  const message = { type: 'chatMessage', payload: { content: 'x'.repeat(16 * 1024), sender: 'bot' } };
  const attempts = 2_000; // ~32 MiB if nothing stopped it
  let sentBeforeClose = 0;
  const { url, disconnects, server } = await startServer({
    limits: { maxBufferedBytes: 256 * 1024, closeTimeoutMs: 300 },
    handlers: {
      chat: {
        typingStarted: (_message, ctx) => {
          const before = server.stats().messagesOut;
          for (let i = 0; i < attempts; i++) ctx.send(message);
          sentBeforeClose = server.stats().messagesOut - before;
        },
      },
    },
  });
  const ws = await connect(url(`/v1/ws/chat?token=${ALICE}`));
  // Stop reading: kernel buffers fill, then the server's user-space buffer grows.
  (ws as unknown as { _socket: Socket })._socket.pause();
  const heapBefore = process.memoryUsage().heapUsed;
  sendJson(ws, { type: 'typingStarted' });
  await until(() => disconnects.length > 0, 5_000, 'the server to drop the connection');
  expect(disconnects[0]).toMatchObject({ code: CloseCode.TRY_AGAIN_LATER, reason: 'send buffer full' });
  // Sending stopped at the limit: what was written fits kernel buffers plus maxBufferedBytes.
  expect(sentBeforeClose).toBeGreaterThan(0);
  expect(sentBeforeClose).toBeLessThan(attempts / 2);
  expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(24 * 1024 * 1024);
  expect(server.stats().connections).toBe(0);
});
