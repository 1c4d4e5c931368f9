/**
 * Everything decided at the HTTP upgrade: auth, origin, path, parameters, limits, deadlines.
 */
import { createServer } from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode } from '../../../src/runtime/codes.js';
import { createRuntimeServer } from '../../../src/runtime/server/index.js';
import { ALICE, authenticate, protocol, SECRET, type Principal } from './fixture.js';
import { Inbox, cleanup, closed, connect, onCleanup, refusal, sendJson, sleep, startServer, until, within } from './helpers.js';

afterEach(cleanup);

const CHAT = '/v1/ws/chat';

describe('authentication at the upgrade', () => {
  it('accepts a token in the query string and hands the principal to handlers', async () => {
    const seen: Principal[] = [];
    const { url } = await startServer({ handlers: { chat: { typingStarted: (_message, ctx) => void seen.push(ctx.principal) } } });
    const ws = await connect(url(`${CHAT}?token=${ALICE}`));
    sendJson(ws, { type: 'typingStarted' });
    await until(() => seen.length > 0, 2_000, 'handler');
    expect(seen).toEqual([{ userId: 'alice' }]);
  });

  it('accepts `bearer, <token>` in Sec-WebSocket-Protocol and selects `bearer`, never the token', async () => {
    const { url, connects } = await startServer();
    const ws = await connect(url(CHAT), { protocols: ['bearer', ALICE] });
    expect(ws.protocol).toBe('bearer');
    expect(connects).toHaveLength(1);
  });

  it('answers HTTP 401 before the upgrade for a missing token', async () => {
    const { url, connects, server } = await startServer();
    expect((await refusal(url(CHAT))).status).toBe(401);
    expect(connects).toHaveLength(0);
    expect(server.stats().upgradesRejected).toBe(1);
  });

  it('answers HTTP 401 for an invalid token, and the token appears in no body, hook or error', async () => {
    const { url, errors, server } = await startServer({
      authenticate: ({ token }) => {
        if (token === `thrower-${SECRET}`) throw new Error('bad token');
        return authenticate({ token });
      },
    });
    const bad = await refusal(url(`${CHAT}?token=nobody-${SECRET}`));
    const viaProtocol = await refusal(url(CHAT), { protocols: ['bearer', `nobody-${SECRET}`] });
    const thrown = await refusal(url(`${CHAT}?token=thrower-${SECRET}`));
    expect([bad.status, viaProtocol.status, thrown.status]).toEqual([401, 401, 401]);
    const everything = JSON.stringify([bad.body, viaProtocol.body, thrown.body, errors.map((e) => String((e.error as Error).message))]);
    expect(everything).not.toContain(SECRET);
    expect(server.stats().upgradesRejected).toBe(3);
  });

  it('closes with 4001 when principalExpiresAt is reached, with a reason free of the token', async () => {
    const { url, disconnects } = await startServer({ principalExpiresAt: () => Date.now() + 150 });
    const ws = await connect(url(`${CHAT}?token=${ALICE}`));
    const { code, reason } = await closed(ws, 3_000);
    expect(code).toBe(CloseCode.INVALID_TOKEN);
    expect(reason).toBe('token expired');
    await until(() => disconnects.length > 0, 2_000, 'onDisconnect');
    expect(disconnects[0]).toMatchObject({ code: CloseCode.INVALID_TOKEN });
    expect(JSON.stringify(disconnects)).not.toContain(SECRET);
  });

  it('answers 401 when the principal is already expired at the upgrade', async () => {
    const { url } = await startServer({ principalExpiresAt: () => Date.now() - 1 });
    expect((await refusal(url(`${CHAT}?token=${ALICE}`))).status).toBe(401);
  });

  it('requires authenticate when the protocol declares auth', () => {
    expect(() => createRuntimeServer(protocol, { port: 0, handlers: {} })).toThrow(TypeError);
  });
});

describe('origin, path and parameters', () => {
  it('answers 403 for a missing or foreign Origin when allowedOrigins is set', async () => {
    const { url } = await startServer({ allowedOrigins: ['https://chat.example'] });
    expect((await refusal(url(`${CHAT}?token=${ALICE}`))).status).toBe(403);
    expect((await refusal(url(`${CHAT}?token=${ALICE}`), { origin: 'https://evil.example' })).status).toBe(403);
    await connect(url(`${CHAT}?token=${ALICE}`), { origin: 'https://chat.example' });
  });

  it('answers 404 for an unknown path, including one outside the base path', async () => {
    const { url } = await startServer();
    expect((await refusal(url(`/v1/ws/nope?token=${ALICE}`))).status).toBe(404);
    expect((await refusal(url(`/ws/chat?token=${ALICE}`))).status).toBe(404);
  });

  it('honours a basePath override', async () => {
    const { url } = await startServer({ basePath: '' });
    await connect(url(`/ws/chat?token=${ALICE}`));
    expect((await refusal(url(`${CHAT}?token=${ALICE}`))).status).toBe(404);
  });

  it('answers 400 for an address parameter its validator rejects', async () => {
    const { url } = await startServer();
    expect((await refusal(url(`/v1/rooms/NOT_A_SLUG?token=${ALICE}`))).status).toBe(400);
  });

  it('routes by address and passes decoded, validated parameters', async () => {
    const { url } = await startServer({
      handlers: { rooms: { say: (message, ctx) => ctx.send({ type: 'said', roomId: ctx.params.roomId, text: (message as { text: string }).text }) } },
    });
    const ws = await connect(url(`/v1/rooms/lobby-1?token=${ALICE}`));
    const inbox = new Inbox(ws);
    sendJson(ws, { type: 'say', text: 'hi' });
    expect(await inbox.nth(0)).toEqual({ type: 'said', roomId: 'lobby-1', text: 'hi' });
  });
});

describe('connection limits', () => {
  it('answers 503 beyond maxConnections and admits again after a close', async () => {
    const { url } = await startServer({ limits: { maxConnections: 2 } });
    const first = await connect(url(`${CHAT}?token=${ALICE}`));
    await connect(url(`${CHAT}?token=${ALICE}`));
    expect((await refusal(url(`${CHAT}?token=${ALICE}`))).status).toBe(503);
    first.close();
    await closed(first);
    await sleep(20);
    await connect(url(`${CHAT}?token=${ALICE}`));
  });

  it('answers 429 beyond maxConnectionsPerIp', async () => {
    const { url } = await startServer({ limits: { maxConnectionsPerIp: 1 } });
    await connect(url(`${CHAT}?token=${ALICE}`));
    expect((await refusal(url(`${CHAT}?token=${ALICE}`))).status).toBe(429);
  });
});

describe('handshake deadlines', () => {
  it('answers 503 and destroys the socket when authenticate outlives handshakeTimeoutMs', async () => {
    const { url, connects } = await startServer({
      limits: { handshakeTimeoutMs: 150 },
      authenticate: async () => {
        await sleep(1_000);
        return { userId: 'late' };
      },
    });
    const started = Date.now();
    expect((await refusal(url(`${CHAT}?token=${ALICE}`))).status).toBe(503);
    expect(Date.now() - started).toBeLessThan(900);
    await sleep(1_000);
    expect(connects).toHaveLength(0);
  });

  it('drops a TCP client that never sends a request (own listener: headers timeout)', async () => {
    const { port } = await startServer({ limits: { handshakeTimeoutMs: 200 } });
    const socket = net.connect(port, '127.0.0.1');
    onCleanup(() => socket.destroy());
    const started = Date.now();
    await within(new Promise((resolve) => socket.on('close', resolve).on('error', () => {}).resume()), 3_000, 'the idle socket to be dropped');
    expect(Date.now() - started).toBeLessThan(2_500);
  });
});

describe('misbehaving peers', () => {
  it('survives peers that reset mid-upgrade (refused or authenticating) and leaks no connection slot', async () => {
    const { port, url, server } = await startServer({
      limits: { maxConnections: 5 },
      authenticate: async ({ token }) => {
        await sleep(5);
        return authenticate({ token });
      },
    });
    const paths = ['/v1/nope', `${CHAT}?token=${ALICE}`, `${CHAT}?token=wrong`];
    for (let round = 0; round < 10; round++) {
      await Promise.all(
        Array.from({ length: 15 }, (_, i) =>
          new Promise<void>((resolve) => {
            const socket = net.connect(port, '127.0.0.1', () => {
              socket.write(
                `GET ${paths[i % paths.length]} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
                  'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
              );
              setImmediate(() => {
                socket.resetAndDestroy();
                resolve();
              });
            });
            socket.on('error', () => resolve());
          }),
        ),
      );
    }
    await sleep(100);
    expect(server.stats().upgradesRejected).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) await connect(url(`${CHAT}?token=${ALICE}`));
  });
});

describe('attached to an existing http.Server', () => {
  it('serves upgrades on the caller server, leaves other upgrade listeners alone, and detaches on close', async () => {
    const http = createServer((_request, response) => response.end('plain http'));
    let otherUpgrades = 0;
    http.on('upgrade', (request, socket) => {
      if (request.url?.startsWith('/other')) {
        otherUpgrades++;
        socket.destroy();
      }
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    onCleanup(() => new Promise((resolve) => http.close(resolve)));
    const port = (http.address() as net.AddressInfo).port;
    const server = createRuntimeServer<Principal>(protocol, { server: http, authenticate, handlers: {} });
    expect((await server.listen())?.port).toBe(port);
    const ws = await connect(`ws://127.0.0.1:${port}${CHAT}?token=${ALICE}`);
    await connect(`ws://127.0.0.1:${port}/other`).catch(() => undefined);
    expect(otherUpgrades).toBe(1);
    const closing = closed(ws);
    await server.close({ timeoutMs: 1_000 });
    expect((await closing).code).toBe(CloseCode.GOING_AWAY);
    expect(http.listening).toBe(true);
    expect(http.listenerCount('upgrade')).toBe(1);
  });
});
