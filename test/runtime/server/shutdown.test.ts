/**
 * Graceful shutdown: refuse new upgrades, close clients with 1001, wait for in-flight handlers
 * until the deadline, terminate the rest, release the listener and the PubSub it created.
 */
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CloseCode } from '../../../src/runtime/codes.js';
import { RuntimeErrorCode } from '../../../src/runtime/errors.js';
import { createRuntimeServer, memoryPubSub, type PubSub } from '../../../src/runtime/server/index.js';
import { ALICE, authenticate, protocol, type Principal } from './fixture.js';
import { Inbox, cleanup, closed, connect, onCleanup, refusal, sendJson, sleep, startServer, until } from './helpers.js';

afterEach(cleanup);

/** Counts close() of every memoryPubSub the server creates for itself. */
const owned = vi.hoisted(() => ({ closes: 0 }));
vi.mock('../../../src/runtime/pubsub/memory.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../src/runtime/pubsub/memory.js')>();
  return {
    memoryPubSub: (): PubSub => {
      const inner = original.memoryPubSub();
      return { ...inner, close: async () => { owned.closes++; await inner.close(); } };
    },
  };
});

const CHAT = `/v1/ws/chat?token=${ALICE}`;

/** A memoryPubSub that counts close() calls. */
function countingPubSub(): PubSub & { closes: number } {
  const inner = memoryPubSub();
  // Spread copies the methods; close is replaced so the caller's PubSub stays usable.
  const pubsub = { ...inner, closes: 0, close: async () => void pubsub.closes++ };
  return pubsub;
}

describe('close()', () => {
  it('closes clients with 1001, waits for an in-flight handler, refuses new connections and closes its listener', async () => {
    let finished = false;
    const { url, server } = await startServer({
      handlers: {
        chat: {
          typingStarted: async () => {
            await sleep(300);
            finished = true;
          },
        },
      },
    });
    const a = await connect(url(CHAT));
    const b = await connect(url(CHAT));
    sendJson(a, { type: 'typingStarted' });
    await sleep(30);
    const [closeA, closeB] = [closed(a), closed(b)];
    const started = Date.now();
    const closing = server.close({ timeoutMs: 2_000 });
    expect((await closeA).code).toBe(CloseCode.GOING_AWAY);
    expect((await closeB).code).toBe(CloseCode.GOING_AWAY);
    // The listener stopped accepting at once.
    await expect(connect(url(CHAT))).rejects.toThrow(/ECONNREFUSED/);
    expect(finished).toBe(false);
    await closing;
    expect(finished).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(server.address()).toBeUndefined();
    expect(server.close()).toBe(closing);
    await expect(server.publish('t', { type: 'said', roomId: 'r', text: 'x' })).rejects.toMatchObject({ code: RuntimeErrorCode.INVALID_STATE });
    await expect(server.listen()).rejects.toMatchObject({ code: RuntimeErrorCode.INVALID_STATE });
  });

  it('terminates what is left at the deadline: stuck handlers and clients that never finish the close handshake', async () => {
    const { url, server, disconnects } = await startServer({ handlers: { chat: { typingStarted: () => new Promise<void>(() => {}) } } });
    const stuck = await connect(url(CHAT));
    sendJson(stuck, { type: 'typingStarted' });
    await sleep(30);
    // This client never reads the close frame, so it never answers it.
    (stuck as unknown as { _socket: Socket })._socket.pause();
    const started = Date.now();
    await server.close({ timeoutMs: 300 });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1_500);
    await until(() => disconnects.length === 1, 1_000, 'onDisconnect');
    expect(server.stats().connections).toBe(0);
  });

  it('closes the PubSub it created but never a caller-provided one', async () => {
    const provided = countingPubSub();
    const before = owned.closes;
    const withProvided = await startServer({ pubsub: provided });
    await withProvided.server.close({ timeoutMs: 100 });
    expect(provided.closes).toBe(0);
    expect(owned.closes).toBe(before);
    const withDefault = await startServer();
    await withDefault.server.close({ timeoutMs: 100 });
    expect(owned.closes).toBe(before + 1);
  });

  it('attached: answers 503 to upgrades that arrive during shutdown, and keeps the caller server running', async () => {
    const http = createServer();
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    onCleanup(() => new Promise((resolve) => http.close(resolve)));
    const base = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const server = createRuntimeServer<Principal>(protocol, {
      server: http,
      authenticate,
      handlers: { chat: { typingStarted: () => sleep(400) } },
    });
    await server.listen();
    const ws = await connect(`${base}${CHAT}`);
    const inbox = new Inbox(ws);
    sendJson(ws, { type: 'typingStarted' });
    await sleep(30);
    const closing = server.close({ timeoutMs: 2_000 });
    expect((await refusal(`${base}${CHAT}`)).status).toBe(503);
    await closing;
    expect(http.listening).toBe(true);
    expect(inbox.received).toEqual([]);
  });
});
