/**
 * Hostile-peer scenarios, shared by `test/hardening/hostile.test.ts` (smoke size) and
 * `scripts/soak.ts` (large): handshake floods and slow consumers (forged tokens are in
 * `forged-tokens.ts`). Each returns figures; the callers decide what to assert or print.
 */
import net from 'node:net';
import { signToken, type TokenOptions } from '../../../examples/tokens.js';
import { procMemory, RawClient, sleep, until, within } from './common.js';
import type { ChildChat, Probe } from './processes.js';
import { maskedText, rawUpgrade } from './raw-socket.js';

const PATH = '/v1/ws/chat';

/** Memory of the server process around a scenario. */
export interface MemoryWindow {
  before: Probe;
  after: Probe;
  /** Highest VmRSS seen while the scenario ran (sampled every 50 ms). */
  peakRss: number;
}

/** Samples the RSS of `pid` until stopped; returns the maximum. */
function watchRss(pid: number): () => number {
  let peak = procMemory(pid)?.rss ?? 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, procMemory(pid)?.rss ?? 0);
  }, 50);
  return () => {
    clearInterval(timer);
    return Math.max(peak, procMemory(pid)?.rss ?? 0);
  };
}

/** Probes once the server has finished closing what a scenario left behind (at most 5 s). */
async function settledProbe(chat: ChildChat): Promise<Probe> {
  let probe = await chat.probe();
  for (let tries = 0; probe.stats.connections > 0 && tries < 25; tries++) {
    await sleep(200);
    probe = await chat.probe();
  }
  return probe;
}

/** Runs `tasks` with at most `limit` at a time. */
async function pool<T>(count: number, limit: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, count) }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await task(index);
      }
    }),
  );
  return results;
}

/** Sends one chat message on a fresh connection and waits for `messageDelivered`; resolves the latency. */
async function legitRoundTrip(port: number, token: string, origin: string | undefined, conversationId: string): Promise<number> {
  const started = Date.now();
  const client = await RawClient.open(`ws://127.0.0.1:${port}${PATH}?token=${token}`, origin === undefined ? {} : { origin });
  try {
    client.ws.send(JSON.stringify({ type: 'chatMessage', id: 'legit', payload: { conversationId, senderId: 'user_legit', content: 'still here', timestamp: new Date().toISOString() } }));
    await client.next((event) => event.kind === 'frame' && (event.frame as { type?: string }).type === 'messageDelivered', 5_000, 'messageDelivered');
    return Date.now() - started;
  } finally {
    client.ws.close();
    setTimeout(() => client.terminate(), 500).unref();
  }
}

/** Options of {@link runHandshakeFlood}. */
export interface HandshakeFloodOptions {
  secret: string;
  tokens?: Omit<TokenOptions, 'secret'>;
  origin?: string;
  /** Upgrade attempts without a valid token. */
  upgrades: number;
  /** TCP connections that never finish their request (some send nothing, some a partial request). */
  rawSockets: number;
  concurrency: number;
  /** The server's handshakeTimeoutMs. */
  handshakeTimeoutMs: number;
}

/** Figures of a handshake flood. */
export interface HandshakeFloodResult {
  statuses: Record<string, number>;
  unauthorisedAccepted: number;
  raw: { opened: number; closedByServer: number; leftOpen: number; maxLifetimeMs: number };
  legit: { attempts: number; ok: number; failures: string[]; maxLatencyMs: number };
  memory: MemoryWindow;
  durationMs: number;
}

/** Prefixes of an upgrade request that a stalled client might have sent. */
const PARTIAL_REQUESTS = ['', 'G', 'GET ', `GET ${PATH}`, `GET ${PATH}?token=x HTTP/1.1\r\n`, `GET ${PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n`];

/**
 * Floods `chat` with upgrades that carry no valid token and with TCP connections that never
 * finish their request, while a legitimate client keeps connecting and chatting.
 */
export async function runHandshakeFlood(chat: ChildChat, options: HandshakeFloodOptions): Promise<HandshakeFloodResult> {
  const started = Date.now();
  const claims = { issuer: options.tokens?.issuer, audience: options.tokens?.audience };
  const legitToken = await signToken({ sub: 'user_legit', ...claims }, options.secret);
  const badTokens = [
    undefined,
    'garbage',
    await signToken({ sub: 'user_mallory', ...claims }, 'not-the-secret'),
    await signToken({ sub: 'user_mallory', expiresInSeconds: -60, ...claims }, options.secret),
  ];
  const before = await chat.probe();
  const stopWatching = watchRss(chat.pid);
  const statuses: Record<string, number> = {};
  let unauthorisedAccepted = 0;
  const raw = { opened: 0, closedByServer: 0, leftOpen: 0, maxLifetimeMs: 0 };
  const legit = { attempts: 0, ok: 0, failures: [] as string[], maxLatencyMs: 0 };
  let flooding = true;

  const legitLoop = (async () => {
    while (flooding && legit.attempts < 1_000) {
      legit.attempts++;
      try {
        legit.maxLatencyMs = Math.max(legit.maxLatencyMs, await legitRoundTrip(chat.port, legitToken, options.origin, 'conv_legit'));
        legit.ok++;
      } catch (error) {
        if (legit.failures.length < 10) legit.failures.push((error as Error).message);
      }
      await sleep(100);
    }
  })();

  const upgrades = pool(options.upgrades, options.concurrency, async (index) => {
    const token = badTokens[index % badTokens.length];
    const url = `ws://127.0.0.1:${chat.port}${PATH}${token === undefined ? '' : `?token=${token}`}`;
    try {
      const client = await RawClient.open(url, options.origin === undefined ? {} : { origin: options.origin });
      unauthorisedAccepted++;
      client.terminate();
    } catch (error) {
      const status = (error as { status?: number }).status;
      const key = status === undefined ? 'no response' : String(status);
      statuses[key] = (statuses[key] ?? 0) + 1;
    }
  });

  const stalled = pool(options.rawSockets, options.concurrency, async (index) => {
    const socket = net.connect(chat.port, '127.0.0.1');
    socket.on('error', () => undefined);
    // Reading is what lets 'close' fire once the server ends the connection.
    socket.resume();
    const opened = Date.now();
    try {
      await within(new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject)), 5_000, 'TCP connect');
    } catch {
      return;
    }
    raw.opened++;
    const prefix = PARTIAL_REQUESTS[index % PARTIAL_REQUESTS.length] as string;
    if (prefix !== '') socket.write(prefix);
    const closed = await within(new Promise((resolve) => socket.once('close', resolve)), options.handshakeTimeoutMs + 3_000, 'server to drop a stalled connection').then(
      () => true,
      () => false,
    );
    if (closed) {
      raw.closedByServer++;
      raw.maxLifetimeMs = Math.max(raw.maxLifetimeMs, Date.now() - opened);
    } else {
      raw.leftOpen++;
      socket.destroy();
    }
  });

  await Promise.all([upgrades, stalled]);
  flooding = false;
  await legitLoop;
  const peakRss = stopWatching();
  const after = await settledProbe(chat);
  return { statuses, unauthorisedAccepted, raw, legit, memory: { before, after, peakRss }, durationMs: Date.now() - started };
}

/** Options of {@link runSlowConsumer}. */
export interface SlowConsumerOptions {
  secret: string;
  tokens?: Omit<TokenOptions, 'secret'>;
  origin?: string;
  /** Connections that join the conversation and then never read. */
  consumers: number;
  /** Chat messages the flooder posts to the conversation. */
  messages: number;
  /** Characters per message (astral, 4 UTF-8 bytes each; at most 2000). */
  contentChars: number;
}

/** Figures of a slow-consumer run. */
export interface SlowConsumerResult {
  consumers: number;
  /** Consumers the server closed with 1013. */
  closed1013: number;
  /** Close codes the server logged for consumers, by code. */
  closeCodes: Record<string, number>;
  /** Bytes the conversation carried to each consumer (what an unbounded buffer would hold). */
  bytesPerConsumer: number;
  flooderDelivered: number;
  memory: MemoryWindow;
  durationMs: number;
}

/**
 * Consumers join a conversation over raw sockets and stop reading; a flooder posts large
 * messages to it. The server must close each consumer with 1013 once its send buffer passes
 * maxBufferedBytes, and its memory must not follow the flood.
 */
export async function runSlowConsumer(chat: ChildChat, options: SlowConsumerOptions): Promise<SlowConsumerResult> {
  const started = Date.now();
  const claims = { issuer: options.tokens?.issuer, audience: options.tokens?.audience };
  const headers: Record<string, string> = options.origin === undefined ? {} : { Origin: options.origin };
  const conversationId = `conv_slow${started}`;
  const consumers = await Promise.all(
    Array.from({ length: options.consumers }, async (_, index) => {
      // Agents, who may all join one conversation (a customer may join only its own).
      const userId = `agent_slow${index}x${started}`;
      const token = await signToken({ sub: userId, ...claims }, options.secret);
      const raw = await rawUpgrade(chat.port, `${PATH}?token=${token}`, headers);
      raw.socket.write(maskedText(JSON.stringify({ type: 'typingStopped', payload: { conversationId, userId } })));
      // Joined once the relay of its own indicator comes back; then it never reads again.
      await until(() => raw.received().includes(userId), 5_000, 'join relay');
      raw.socket.pause();
      return { userId, raw };
    }),
  );
  const before = await chat.probe();
  const stopWatching = watchRss(chat.pid);
  const flooderToken = await signToken({ sub: `agent_flood${started}`, ...claims }, options.secret);
  const flooder = await RawClient.open(`ws://127.0.0.1:${chat.port}${PATH}?token=${flooderToken}`, options.origin === undefined ? {} : { origin: options.origin });
  const content = '😀'.repeat(Math.min(2000, options.contentChars));
  let flooderDelivered = 0;
  let bytesPerConsumer = 0;
  const BATCH = 50;
  for (let sent = 0; sent < options.messages; sent += BATCH) {
    const batch = Math.min(BATCH, options.messages - sent);
    for (let i = 0; i < batch; i++) {
      flooder.ws.send(JSON.stringify({ type: 'chatMessage', id: `f${sent + i}`, payload: { conversationId, senderId: 'agent_flood', content, timestamp: new Date().toISOString() } }));
    }
    for (let i = 0; i < batch; i++) {
      await flooder.next((event) => event.kind === 'frame' && (event.frame as { type?: string }).type === 'messageDelivered', 10_000, 'flood delivery');
      flooderDelivered++;
    }
    bytesPerConsumer += batch * (Buffer.byteLength(content) + 250);
  }
  flooder.ws.close();
  // Each consumer's disconnect is logged as "disconnect <connection id> <code>".
  const idOf = (userId: string): string | undefined => chat.log.map((line) => /^connect (\S+) (\S+)$/.exec(line)).find((match) => match?.[2] === userId)?.[1];
  const codeOf = (userId: string): string | undefined => {
    const id = idOf(userId);
    return id === undefined ? undefined : chat.log.map((line) => /^disconnect (\S+) (\d+)$/.exec(line)).find((match) => match?.[1] === id)?.[2];
  };
  await until(() => consumers.every(({ userId }) => codeOf(userId) !== undefined), 15_000, 'every slow consumer to be disconnected').catch(() => undefined);
  const closeCodes: Record<string, number> = {};
  for (const { userId } of consumers) {
    const code = codeOf(userId) ?? 'still open';
    closeCodes[code] = (closeCodes[code] ?? 0) + 1;
  }
  for (const { raw } of consumers) raw.socket.destroy();
  flooder.terminate();
  const peakRss = stopWatching();
  const after = await settledProbe(chat);
  return { consumers: options.consumers, closed1013: closeCodes['1013'] ?? 0, closeCodes, bytesPerConsumer, flooderDelivered, memory: { before, after, peakRss }, durationMs: Date.now() - started };
}
