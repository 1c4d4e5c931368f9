/**
 * Hostile peers against the example chat server: handshake floods and stalled TCP connections,
 * slow consumers, connection limits, forged and expiring tokens, foreign origins — and no token
 * ever showing up in logs, error frames, close reasons or refusals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatServer, type ChatServer, type ChatServerOptions } from '../../examples/chat-app.js';
import { signToken } from '../../examples/tokens.js';
import { mb, RawClient, sleep } from './support/common.js';
import { forgedTokens, junkTokens, present, type Presentation } from './support/forged-tokens.js';
import { runHandshakeFlood, runSlowConsumer } from './support/hostile-scenarios.js';
import { startChildChat, type ChildChat } from './support/processes.js';

const SECRET = 'hostile-secret';
const ISSUER = 'https://issuer.wsgen.test';
const AUDIENCE = 'petstore-chat';
const ORIGIN = 'https://chat.wsgen.test';

/** Every token the tests used, and everything the servers said: checked for leaks at the end. */
const tokensUsed = new Set<string>();
const said: string[] = [];

const servers: ChatServer[] = [];
/** Starts an in-process chat server on 127.0.0.1 whose log lines go to `said`. */
async function startChat(options: Omit<ChatServerOptions, 'port' | 'log'>): Promise<{ chat: ChatServer; port: number; log: string[] }> {
  const log: string[] = [];
  const chat = createChatServer({ port: 0, host: '127.0.0.1', ...options, log: (line) => log.push(line) });
  servers.push(chat);
  const port = (await chat.server.listen())?.port ?? 0;
  return { chat, port, log };
}

let child: ChildChat | undefined;
afterAll(async () => {
  await child?.kill();
  await Promise.all(servers.map((chat) => chat.server.close({ timeoutMs: 1_000 })));
});

describe('handshake flood and slow consumers (server in a child process, memory measured there)', () => {
  beforeAll(async () => {
    child = await startChildChat({
      port: 0,
      host: '127.0.0.1',
      tokens: { secret: SECRET },
      limits: { handshakeTimeoutMs: 1_000, maxBufferedBytes: 256 * 1024, messagesPerSecond: Infinity, closeTimeoutMs: 1_000 },
    });
  }, 60_000);
  afterAll(() => {
    said.push(...(child?.log ?? []));
  });

  it('refuses hundreds of tokenless upgrades, drops stalled TCP connections, and still serves a legitimate client', async () => {
    const chat = child as ChildChat;
    const result = await runHandshakeFlood(chat, { secret: SECRET, upgrades: 300, rawSockets: 200, concurrency: 40, handshakeTimeoutMs: 1_000 });
    const { before, after, peakRss } = result.memory;
    console.log(
      `handshake flood: ${JSON.stringify(result.statuses)}, raw ${JSON.stringify(result.raw)}, legit ${result.legit.ok}/${result.legit.attempts} ` +
        `(max ${result.legit.maxLatencyMs} ms); RSS ${mb(before.rss)} → peak ${mb(peakRss)} → ${mb(after.rss)} MB, heap ${mb(before.heapUsed)} → ${mb(after.heapUsed)} MB; ${result.durationMs} ms`,
    );
    expect(result.unauthorisedAccepted).toBe(0);
    expect(result.statuses).toEqual({ '401': 300 });
    expect(result.raw.opened).toBe(200);
    expect(result.raw.leftOpen).toBe(0);
    expect(result.raw.closedByServer).toBe(200);
    // handshakeTimeoutMs (1 s) plus the server's check interval and a busy machine.
    expect(result.raw.maxLifetimeMs).toBeLessThan(3_500);
    expect(result.legit.failures).toEqual([]);
    expect(result.legit.ok).toBeGreaterThan(0);
    expect(after.stats.connections).toBe(0);
    // 500 hostile connections may not cost more than a few tens of MB at their peak, and the
    // heap returns to where it was once they are gone.
    expect(peakRss - before.rss).toBeLessThan(64 * 1024 * 1024);
    expect(after.heapUsed - before.heapUsed).toBeLessThan(8 * 1024 * 1024);
  }, 90_000);

  it('closes consumers that never read with 1013 at maxBufferedBytes, without following the flood in memory', async () => {
    const chat = child as ChildChat;
    const result = await runSlowConsumer(chat, { secret: SECRET, consumers: 3, messages: 4_000, contentChars: 2_000 });
    const { before, after, peakRss } = result.memory;
    console.log(
      `slow consumers: ${JSON.stringify(result.closeCodes)} after ${mb(result.bytesPerConsumer)} MB each; RSS ${mb(before.rss)} → peak ${mb(peakRss)} → ${mb(after.rss)} MB, ` +
        `heap ${mb(before.heapUsed)} → ${mb(after.heapUsed)} MB, buffers ${mb(before.external)} → ${mb(after.external)} MB; ${result.durationMs} ms`,
    );
    expect(result.flooderDelivered).toBe(4_000);
    expect(result.closeCodes).toEqual({ '1013': 3 });
    // Topic deliveries share one Buffer per message, so unbounded buffering would keep roughly one
    // copy of the flood (~32 MB, minus the few MB the kernel absorbs) alive in external memory;
    // with the limit, what remains is noise (measured 1–5 MB).
    expect(after.external - before.external).toBeLessThan(10 * 1024 * 1024);
    // What stays on the heap is the conversation history (1000 messages of 8 KB), not buffers.
    expect(after.heapUsed - before.heapUsed).toBeLessThan(16 * 1024 * 1024);
    expect(after.stats.connections).toBe(0);
  }, 90_000);
});

describe('connection limits', () => {
  const token = (sub: string) => signToken({ sub }, SECRET);

  it('maxConnectionsPerIp: refused upgrades give their slot back, the next one gets 429, a closed one frees a slot', async () => {
    const { port, log } = await startChat({ tokens: { secret: SECRET }, limits: { maxConnectionsPerIp: 3 } });
    const url = `ws://127.0.0.1:${port}/v1/ws/chat`;
    for (let i = 0; i < 30; i++) expect((await present(port, 'junk', `junk${i}`, 'query')).outcome).toBe(401);
    const open = await Promise.all([1, 2, 3].map(async (i) => RawClient.open(`${url}?token=${await token(`user_ip${i}`)}`)));
    expect((await present(port, 'fourth', await token('user_ip4'), 'query')).outcome).toBe(429);
    open[0]?.ws.close();
    await open[0]?.next((event) => event.kind === 'close', 5_000, 'close');
    await sleep(50);
    const again = await RawClient.open(`${url}?token=${await token('user_ip5')}`);
    for (const client of [...open, again]) client.terminate();
    said.push(...log);
  });

  it('maxConnections: the connection over the limit gets 503, a closed one frees a slot', async () => {
    const { port, log } = await startChat({ tokens: { secret: SECRET }, limits: { maxConnections: 4 } });
    const url = `ws://127.0.0.1:${port}/v1/ws/chat`;
    const open = await Promise.all([1, 2, 3, 4].map(async (i) => RawClient.open(`${url}?token=${await token(`user_max${i}`)}`)));
    expect((await present(port, 'fifth', await token('user_max5'), 'query')).outcome).toBe(503);
    open[0]?.terminate();
    await sleep(100);
    const again = await RawClient.open(`${url}?token=${await token('user_max6')}`);
    for (const client of [...open, again]) client.terminate();
    said.push(...log);
  });
});

describe('tokens (server with issuer and audience)', () => {
  let port = 0;
  let log: string[] = [];
  beforeAll(async () => {
    ({ port, log } = await startChat({ tokens: { secret: SECRET, issuer: ISSUER, audience: AUDIENCE } }));
  });
  afterAll(() => {
    said.push(...log);
  });

  it('accepts a correct token in the query and in the bearer subprotocol (control)', async () => {
    const token = await signToken({ sub: 'user_alice', issuer: ISSUER, audience: AUDIENCE }, SECRET);
    tokensUsed.add(token);
    expect((await present(port, 'valid', token, 'query')).outcome).toBe('open');
    const client = await RawClient.open(`ws://127.0.0.1:${port}/v1/ws/chat`, { protocols: ['bearer', token] });
    // The server selects `bearer`, never echoes the token as the protocol.
    expect(client.ws.protocol).toBe('bearer');
    client.terminate();
  });

  it('refuses forged, expired, not-yet-valid and misaddressed tokens with 401, in either placement', async () => {
    const cases = await forgedTokens({ secret: SECRET, issuer: ISSUER, audience: AUDIENCE });
    const results: Presentation[] = [];
    for (const { name, token } of cases) {
      if (token !== undefined && token !== '') tokensUsed.add(token);
      results.push(await present(port, name, token, 'query'));
      if (token !== undefined && token !== '') results.push(await present(port, name, token, 'subprotocol'));
    }
    const accepted = results.filter((result) => result.outcome !== 401).map((result) => `${result.name} (${result.placement}): ${result.outcome}`);
    expect(accepted).toEqual([]);
    said.push(...results.map((result) => result.body));
  });

  it('refuses junk tokens with 401 and reports nothing to onError', async () => {
    const junk = junkTokens(60, 77);
    for (const token of junk) {
      tokensUsed.add(token);
      const result = await present(port, 'junk', token, 'query');
      expect(result.outcome, JSON.stringify(token)).toBe(401);
      said.push(result.body);
    }
    expect(log.filter((line) => line.startsWith('error:'))).toEqual([]);
  });

  it('closes a connection whose token expires mid-connection with 4001', async () => {
    const token = await signToken({ sub: 'user_brief', issuer: ISSUER, audience: AUDIENCE, expiresInSeconds: 2 }, SECRET);
    tokensUsed.add(token);
    const client = await RawClient.open(`ws://127.0.0.1:${port}/v1/ws/chat?token=${token}`);
    client.ws.send('{"type":"nope"}');
    const error = await client.next((event) => event.kind === 'frame', 2_000, 'error frame');
    const close = await client.next((event) => event.kind === 'close', 5_000, 'close 4001');
    expect(close).toMatchObject({ kind: 'close', code: 4001 });
    said.push(JSON.stringify(error), JSON.stringify(close));
  });
});

describe('Origin allow-list', () => {
  let port = 0;
  let log: string[] = [];
  let token = '';
  beforeAll(async () => {
    ({ port, log } = await startChat({ tokens: { secret: SECRET }, allowedOrigins: [ORIGIN] }));
    token = await signToken({ sub: 'user_victim' }, SECRET);
    tokensUsed.add(token);
  });
  afterAll(() => {
    said.push(...log);
  });

  it('accepts the allowed origin', async () => {
    expect((await present(port, 'allowed', token, 'query', ORIGIN)).outcome).toBe('open');
    expect((await present(port, 'allowed', token, 'subprotocol', ORIGIN)).outcome).toBe('open');
  });

  it('refuses cross-site WebSocket hijacking (a foreign page holding a valid token) and look-alike origins with 403', async () => {
    const foreign = ['https://evil.example', 'https://chat.wsgen.test.evil.example', 'https://evil.example/https://chat.wsgen.test', 'http://chat.wsgen.test', 'https://chat.wsgen.test:8443', 'null', 'HTTPS://CHAT.WSGEN.TEST', 'https://chat.wsgen.test.'];
    for (const origin of foreign) {
      for (const placement of ['query', 'subprotocol'] as const) {
        const result = await present(port, origin, token, placement, origin);
        expect(result.outcome, `${origin} (${placement})`).toBe(403);
        said.push(result.body);
      }
    }
    // No Origin at all (a non-browser client) is refused too: the list is exact.
    expect((await present(port, 'no origin', token, 'query')).outcome).toBe(403);
  });
});

describe('secrets', () => {
  it('no token ever appears in logs, error frames, close reasons or refusals', () => {
    expect(tokensUsed.size).toBeGreaterThan(50);
    expect(said.length).toBeGreaterThan(100);
    const text = said.join('\n');
    const leaked = [...tokensUsed].filter((token) => token.length >= 8 && text.includes(token));
    // A JWT's signature alone is as secret as the token.
    const signatures = [...tokensUsed].map((token) => token.split('.')[2] ?? '').filter((signature) => signature.length >= 16 && text.includes(signature));
    expect(leaked).toEqual([]);
    expect(signatures).toEqual([]);
  });
});
