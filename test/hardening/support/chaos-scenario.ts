/**
 * The chaos scenario, shared by `test/hardening/chaos.test.ts` (smoke size) and
 * `scripts/soak.ts` (large).
 *
 * Two instances of the example CLI server (`examples/chat-server.ts`, child processes) share a
 * real redis-server. Generated clients (one customer and several agents per conversation), half
 * pinned to each instance, chat with `request()` (one request in flight per client) while
 * instances are killed -9 and restarted, redis-server is killed -9 and restarted, and random
 * connections are cut. What is promised, and therefore measured, is in `delivery-model.ts`.
 */
import WebSocket from 'ws';
import { Redis } from 'ioredis';
import { signToken } from '../../../examples/tokens.js';
import { createClient, type Client, type WebSocketLikeConstructor } from '../../../generated/src/client.js';
import { freePort } from '../../support/net.js';
import { procMemory, sleep, until, within } from './common.js';
import { evaluateDeliveries, noDeliveries, type Ack, type DeliveryFigures, type Epoch, type Receiver } from './delivery-model.js';
import { exampleServer, redisServer, type Restartable } from './processes.js';

/** Size and pace of one run. */
export interface ChaosOptions {
  clients: number;
  conversations: number;
  /** How long clients keep sending; faults are spread over it in 15 s cycles. */
  durationMs: number;
  /** Mean pause between two requests of one client. */
  thinkMs: number;
  /** Mean pause between two cut connections. */
  cutEveryMs: number;
  seed: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

/** What happened, and every figure the report needs. */
export interface ChaosResult extends DeliveryFigures {
  clients: number;
  conversations: number;
  durationMs: number;
  faults: { instanceKills: number; redisKills: number; connectionsCut: number; redisDegradedMs: number };
  requests: number;
  acknowledged: number;
  unacknowledged: number;
  /** Rejected requests by error code (e.g. request_timeout). */
  rejections: Record<string, number>;
  /** Clients that closed for good, by the error they reported last. */
  closedForGood: Record<string, number>;
  /** Broadcasts received, all connections together. */
  deliveries: number;
  crashes: string[];
  /** Clients with no acknowledged request after the last fault. */
  notRecovered: string[];
  /** Highest VmHWM among the server instances, bytes. */
  peakRss: number;
}

const SECRET = 'chaos-secret';
const GRACE_MS = 2_000;
const REQUEST_TIMEOUT_MS = 8_000;

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface ChaosClient extends Receiver {
  index: number;
  client: Client;
  socket: WebSocket | undefined;
  inFlight: number | undefined;
  lastAckAt: number;
  /** The last error the client reported (for clients that closed for good). */
  lastError: string | undefined;
}

/** Runs the scenario; process failures and broken guarantees end up in the result. */
export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const log = options.log ?? (() => undefined);
  const rand = random(options.seed);
  const started = Date.now();
  const result: ChaosResult = {
    clients: options.clients,
    conversations: options.conversations,
    durationMs: 0,
    faults: { instanceKills: 0, redisKills: 0, connectionsCut: 0, redisDegradedMs: 0 },
    requests: 0,
    acknowledged: 0,
    unacknowledged: 0,
    rejections: {},
    closedForGood: {},
    deliveries: 0,
    ...noDeliveries(),
    crashes: [],
    notRecovered: [],
    peakRss: 0,
  };

  if (options.conversations * 2 > options.clients) throw new RangeError('runChaos() needs at least two clients per conversation.');
  const [redisPort, portA, portB] = [await freePort(), await freePort(), await freePort()];
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const redis = redisServer(redisPort);
  const instances: [Restartable, Restartable] = [exampleServer(portA, redisUrl, SECRET), exampleServer(portB, redisUrl, SECRET)];
  let monitor: Redis | undefined;
  const clients: ChaosClient[] = [];
  /** Redis degraded: from its kill until both instances are reconnected and re-subscribed. */
  const degraded: Array<{ from: number; to: number }> = [];
  /** (sender userId, seq) in flight on an instance when it was killed. */
  const crashWindow = new Set<string>();
  let lastFaultAt = started;
  const trackPeak = (): void => {
    for (const instance of instances) {
      const pid = instance.pid();
      if (pid !== undefined) result.peakRss = Math.max(result.peakRss, procMemory(pid)?.peakRss ?? 0);
    }
  };

  try {
    await redis.start();
    await Promise.all(instances.map((instance) => instance.start()));
    monitor = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 100, commandTimeout: 1_000, lazyConnect: false });
    monitor.on('error', () => undefined);
    log(`chaos: redis :${redisPort}, instances :${portA} :${portB}`);

    // ── clients ────────────────────────────────────────────────────────────────────────────
    for (let index = 0; index < options.clients; index++) {
      const instance = (index % 2) as 0 | 1;
      // Each conversation has one customer (it owns the conversation) and support agents; the
      // members alternate between the two instances.
      const conversation = Math.floor(index / 2) % options.conversations;
      const customer = index === conversation * 2;
      const chaos: ChaosClient = {
        index,
        userId: customer ? `user_c${index}` : `agent_c${index}`,
        conversationId: `conv_chaos${conversation}`,
        instance,
        client: undefined as unknown as Client,
        epochs: [],
        contents: new Map(),
        socket: undefined,
        inFlight: undefined,
        lastAckAt: 0,
        lastError: undefined,
      };
      // The ws class, recording each socket so the scenario can cut it.
      class Tracked extends WebSocket {
        constructor(url: string, protocols?: string | string[], opts?: WebSocket.ClientOptions) {
          super(url, protocols, opts);
          chaos.socket = this;
        }
      }
      const client = createClient({
        url: `ws://127.0.0.1:${instances[instance].port}/v1/ws/chat`,
        token: () => signToken({ sub: chaos.userId, name: `Client ${index}` }, SECRET),
        reconnect: { initialDelayMs: 100, maxDelayMs: 500 },
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
        WebSocket: Tracked as unknown as WebSocketLikeConstructor,
      });
      chaos.client = client;
      const current = (): Epoch | undefined => {
        const epoch = chaos.epochs.at(-1);
        return epoch !== undefined && epoch.end === undefined ? epoch : undefined;
      };
      client.on('state', (state) => {
        const now = Date.now();
        const open = current();
        if (open !== undefined) open.end = now;
        if (state === 'open') {
          chaos.epochs.push({ start: now, joinAt: undefined, end: undefined, seen: new Map(), order: new Map() });
          // Membership is per connection: announce the conversation to join it again.
          try {
            client.send({ type: 'typingStopped', payload: { conversationId: chaos.conversationId, userId: chaos.userId } });
          } catch {
            // Closed meanwhile.
          }
        }
      });
      client.on('clientError', (error) => {
        chaos.lastError = `${error.code}${error.closeCode === undefined ? '' : ` (close ${error.closeCode})`}: ${error.message}`;
      });
      client.on('typingStopped', (message) => {
        const epoch = current();
        if (epoch !== undefined && epoch.joinAt === undefined && message.payload.userId === chaos.userId && message.payload.conversationId === chaos.conversationId) epoch.joinAt = Date.now();
      });
      client.on('chatMessage', (message) => {
        const epoch = current();
        if (epoch === undefined) return;
        result.deliveries++;
        const { messageId, senderId, content } = message.payload;
        epoch.seen.set(messageId, (epoch.seen.get(messageId) ?? 0) + 1);
        const seq = Number(/#(\d+)$/.exec(content)?.[1] ?? -1);
        const key = `${senderId}#${seq}`;
        const ids = chaos.contents.get(key) ?? new Set<string>();
        ids.add(messageId);
        chaos.contents.set(key, ids);
        const arrivals = epoch.order.get(senderId) ?? [];
        if (!arrivals.includes(seq)) arrivals.push(seq);
        epoch.order.set(senderId, arrivals);
      });
      clients.push(chaos);
    }
    await within(Promise.all(clients.map((chaos) => chaos.client.ready())), 30_000, 'every client to connect');
    // Traffic and faults are timed from here, once every client is connected.
    const begin = Date.now();
    lastFaultAt = begin;
    log(`chaos: ${clients.length} clients connected after ${begin - started} ms`);

    // ── senders ────────────────────────────────────────────────────────────────────────────
    const acks: Ack[] = [];
    let sending = true;
    const senders = clients.map(async (chaos) => {
      for (let seq = 0; sending && seq < 1_000_000; seq++) {
        const t0 = Date.now();
        chaos.inFlight = seq;
        result.requests++;
        try {
          const reply = await chaos.client.request({ type: 'chatMessage', payload: { conversationId: chaos.conversationId, senderId: chaos.userId, content: `${chaos.userId}#${seq}`, timestamp: new Date().toISOString() } });
          acks.push({ sender: chaos.index, seq, messageId: reply.payload.messageId, t0, t1: Date.now() });
          result.acknowledged++;
          chaos.lastAckAt = Date.now();
        } catch (error) {
          result.unacknowledged++;
          const { code = 'unknown', cause } = error as { code?: string; cause?: { code?: string } };
          const key = code === 'server_error' && typeof cause?.code === 'string' ? `${code} (${cause.code})` : code;
          result.rejections[key] = (result.rejections[key] ?? 0) + 1;
        }
        chaos.inFlight = undefined;
        await sleep(options.thinkMs * (0.5 + rand()));
      }
    });

    // ── faults ─────────────────────────────────────────────────────────────────────────────
    const killInstance = async (which: 0 | 1, downMs: number): Promise<void> => {
      trackPeak();
      for (const chaos of clients) if (chaos.instance === which && chaos.inFlight !== undefined) crashWindow.add(`${chaos.userId}#${chaos.inFlight}`);
      await instances[which].kill();
      result.faults.instanceKills++;
      log(`chaos: killed instance ${which} at +${Date.now() - started} ms`);
      await sleep(downMs);
      // Requests in flight until the restart are at risk as well (they were re-sent into the void).
      for (const chaos of clients) if (chaos.instance === which && chaos.inFlight !== undefined) crashWindow.add(`${chaos.userId}#${chaos.inFlight}`);
      await instances[which].start();
      lastFaultAt = Date.now();
      log(`chaos: restarted instance ${which} at +${Date.now() - started} ms`);
    };
    const killRedis = async (downMs: number): Promise<void> => {
      const from = Date.now();
      await redis.kill();
      result.faults.redisKills++;
      log(`chaos: killed redis at +${from - started} ms`);
      await sleep(downMs);
      await redis.start();
      const to = await healed(monitor as Redis, options.conversations, 20_000);
      degraded.push({ from, to });
      lastFaultAt = to;
      log(`chaos: redis back and re-subscribed at +${to - started} ms`);
    };
    let cutting = true;
    const cutter = (async () => {
      await sleep(1_000);
      for (let cuts = 0; cutting && cuts < 100_000; cuts++) {
        const victim = clients[Math.floor(rand() * clients.length)];
        if (victim?.socket !== undefined && victim.socket.readyState === WebSocket.OPEN) {
          victim.socket.terminate();
          result.faults.connectionsCut++;
          lastFaultAt = Date.now();
        }
        await sleep(options.cutEveryMs * (0.5 + rand()));
      }
    })();
    const faults = (async () => {
      const cycles = Math.max(1, Math.floor(options.durationMs / 15_000));
      for (let cycle = 0; cycle < cycles; cycle++) {
        const base = begin + cycle * 15_000;
        await sleep(Math.max(0, base + 2_500 - Date.now()));
        await killInstance(0, 1_000);
        await sleep(Math.max(0, base + 6_500 - Date.now()));
        await killRedis(1_500);
        await sleep(Math.max(0, base + 10_000 - Date.now()));
        await killInstance(1, 0);
      }
    })();

    await sleep(Math.max(0, begin + options.durationMs - Date.now()));
    await faults;
    cutting = false;
    await cutter;
    // Let every client show it recovered from the last fault before stopping.
    await until(() => clients.every((chaos) => chaos.lastAckAt > lastFaultAt), REQUEST_TIMEOUT_MS * 2, 'every client to be acknowledged after the last fault').catch(() => undefined);
    sending = false;
    await within(Promise.all(senders), REQUEST_TIMEOUT_MS + 5_000, 'senders to finish');
    // Deliveries over Redis trail the acknowledgements a little.
    await sleep(GRACE_MS + 500);
    const end = Date.now();
    trackPeak();
    for (const chaos of clients) {
      if (chaos.lastAckAt <= lastFaultAt) result.notRecovered.push(chaos.userId);
      if (chaos.client.state === 'closed') {
        const why = chaos.lastError ?? 'no error reported';
        result.closedForGood[why] = (result.closedForGood[why] ?? 0) + 1;
      }
    }

    // ── evaluation (support/delivery-model.ts) ─────────────────────────────────────────────
    Object.assign(result, evaluateDeliveries({ acks, receivers: clients, degraded, crashWindow, end, started, graceMs: GRACE_MS }));
    result.faults.redisDegradedMs = degraded.reduce((sum, window) => sum + window.to - window.from, 0);
  } finally {
    await Promise.all(clients.map((chaos) => chaos.client.close().catch(() => undefined)));
    monitor?.disconnect();
    for (const instance of instances) result.crashes.push(...instance.crashes);
    result.crashes.push(...redis.crashes);
    await Promise.all([...instances.map((instance) => instance.kill()), redis.kill()]);
    result.durationMs = Date.now() - started;
  }
  return result;
}

/**
 * Waits until Redis serves both instances again: four client connections besides this monitor
 * (a publisher and a subscriber per instance) and both instances subscribed to every
 * conversation. Returns the time it happened (or the deadline, conservatively).
 */
async function healed(monitor: Redis, conversations: number, ms: number): Promise<number> {
  const deadline = Date.now() + ms;
  const channels = Array.from({ length: conversations }, (_, index) => `wsgen:conversation:conv_chaos${index}`);
  while (Date.now() < deadline) {
    try {
      const list = String(await monitor.call('CLIENT', 'LIST'));
      const connections = list.split('\n').filter((line) => line.trim() !== '').length - 1;
      const numsub = (await monitor.call('PUBSUB', 'NUMSUB', ...channels)) as Array<string | number>;
      const counts = numsub.filter((_, index) => index % 2 === 1).map(Number);
      if (connections >= 4 && counts.every((count) => count >= 2)) return Date.now();
    } catch {
      // Not reconnected yet.
    }
    await sleep(50);
  }
  return deadline;
}
