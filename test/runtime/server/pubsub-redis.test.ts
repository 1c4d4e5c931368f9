/**
 * Scale-out through Redis: two server instances, a real redis-server on a free port, exactly-once
 * delivery, and recovery after Redis is killed (-9) and restarted while local traffic goes on.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { redisPubSub, type MessageHandler, type PubSub } from '../../../src/runtime/server/index.js';
import { ALICE, BOB, type Principal } from './fixture.js';
import { freePort } from '../../support/net.js';
import { Inbox, cleanup, connect, onCleanup, sendJson, sleep, startServer, until, within } from './helpers.js';

let redis: ChildProcess | undefined;
let redisPort = 0;

/** Starts redis-server (no persistence) on `redisPort` and resolves when it accepts connections. */
async function startRedis(): Promise<void> {
  const child = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  redis = child;
  let output = '';
  await within(
    new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) resolve();
      });
    }),
    10_000,
    'redis-server to start',
  );
}

async function killRedis(): Promise<void> {
  const child = redis;
  redis = undefined;
  if (child === undefined || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

beforeAll(async () => {
  if (spawnSync('redis-server', ['--version']).error !== undefined) {
    throw new Error('redis-server is not installed (apt-get install -y redis-server); the pretest script installs it.');
  }
  redisPort = await freePort();
  await startRedis();
});
afterAll(killRedis);
afterEach(cleanup);

const said = (content: string) => ({ type: 'chatMessage', payload: { content, sender: 'srv' } });

/** Joins `room` on typingStarted (acked with `joined`), publishes chatMessage contents to it. */
const handlers: Record<string, Record<string, MessageHandler<Principal>>> = {
  chat: {
    typingStarted: async (_m, ctx) => {
      await ctx.join('room');
      ctx.send(said('joined'));
    },
    chatMessage: async (message, ctx) => ctx.publish('room', said((message as { payload: { content: string } }).payload.content)),
  },
};

function pubsub(errors: unknown[]): PubSub {
  const created = redisPubSub({ url: `redis://127.0.0.1:${redisPort}`, channelPrefix: 'test:', maxRetryDelayMs: 200, onError: (error) => errors.push(error) });
  onCleanup(() => created.close());
  return created;
}

/** Contents of the chat messages an inbox received, without the join acks. */
const contents = (inbox: Inbox) => inbox.received.map((frame) => (frame as { payload: { content: string } }).payload.content).filter((c) => c !== 'joined');

let sequence = 0;
function publishFrom(ws: import('ws').WebSocket, content: string): void {
  sendJson(ws, { type: 'chatMessage', id: String(++sequence), payload: { content } });
}

async function joinedClient(url: string): Promise<{ ws: import('ws').WebSocket; inbox: Inbox }> {
  const ws = await connect(url);
  const inbox = new Inbox(ws);
  sendJson(ws, { type: 'typingStarted' });
  await inbox.nth(0);
  return { ws, inbox };
}

describe('redisPubSub', () => {
  it('delivers each publish exactly once to the publishing instance (locally) and to the other', async () => {
    const errors: unknown[] = [];
    const [one, two] = [pubsub(errors), pubsub(errors)];
    const got1: string[] = [];
    const got2: string[] = [];
    await one.subscribe('t', (payload) => got1.push(payload));
    await two.subscribe('t', (payload) => got2.push(payload));
    await one.publish('t', 'from-one');
    expect(got1).toEqual(['from-one']);
    await two.publish('t', 'from-two');
    await until(() => got1.length === 2 && got2.length === 2, 3_000, 'cross-instance delivery');
    await sleep(100);
    expect(got1).toEqual(['from-one', 'from-two']);
    // Arrival order across instances is not defined; the count is.
    expect(new Set(got2)).toEqual(new Set(['from-one', 'from-two']));
    expect(got2).toHaveLength(2);
    expect(errors).toEqual([]);
  });

  it('two server instances: exactly-once delivery, local service during a Redis outage, recovery after restart', async () => {
    const errorsA: unknown[] = [];
    const errorsB: unknown[] = [];
    const a = await startServer({ handlers, pubsub: pubsub(errorsA) });
    const b = await startServer({ handlers, pubsub: pubsub(errorsB) });
    const a1 = await joinedClient(a.url(`/v1/ws/chat?token=${ALICE}`));
    const a2 = await joinedClient(a.url(`/v1/ws/chat?token=${BOB}`));
    const b1 = await joinedClient(b.url(`/v1/ws/chat?token=${BOB}`));

    publishFrom(a1.ws, 'hello');
    await until(() => contents(b1.inbox).length === 1 && contents(a1.inbox).length === 1 && contents(a2.inbox).length === 1, 3_000, 'hello everywhere');
    publishFrom(b1.ws, 'hi back');
    await until(() => contents(a1.inbox).length === 2, 3_000, 'hi back on A');
    await sleep(100);
    expect([contents(a1.inbox), contents(a2.inbox), contents(b1.inbox)]).toEqual([
      ['hello', 'hi back'],
      ['hello', 'hi back'],
      ['hello', 'hi back'],
    ]);

    // Outage: instance A keeps serving its own members; publishes neither hang nor queue.
    await killRedis();
    const started = Date.now();
    publishFrom(a1.ws, 'during outage');
    await until(() => contents(a2.inbox).includes('during outage') && contents(a1.inbox).includes('during outage'), 3_000, 'local delivery during the outage');
    expect(Date.now() - started).toBeLessThan(1_000);
    const a3 = await joinedClient(a.url(`/v1/ws/chat?token=${ALICE}`));
    expect(a.server.stats().connections).toBe(3);
    // Stay down long enough for several failed reconnection attempts, still serving locally.
    for (let i = 0; i < 5; i++) {
      publishFrom(a1.ws, `outage ${i}`);
      await sleep(100);
    }
    await until(() => contents(a3.inbox).includes('outage 4'), 2_000, 'local delivery to a member that joined during the outage');

    // Recovery: both instances reconnect and resubscribe on their own.
    await startRedis();
    let probes = 0;
    await within(
      (async () => {
        while (!contents(b1.inbox).some((c) => c.startsWith('probe'))) {
          publishFrom(a1.ws, `probe ${++probes}`);
          await sleep(100);
        }
      })(),
      10_000,
      'delivery from A to B after the restart',
    );
    await within(
      (async () => {
        while (!contents(a3.inbox).some((c) => c.startsWith('reverse'))) {
          publishFrom(b1.ws, `reverse ${++probes}`);
          await sleep(100);
        }
      })(),
      10_000,
      'delivery from B to A after the restart',
    );
    await sleep(200);
    const counts = [a1, a2, a3, b1].map(({ inbox }) => contents(inbox).length);
    publishFrom(a1.ws, 'final');
    await until(() => [a1, a2, a3, b1].every(({ inbox }, i) => contents(inbox).length === (counts[i] ?? 0) + 1), 3_000, 'final everywhere');
    await sleep(150);
    for (const { inbox } of [a1, a2, a3, b1]) expect(contents(inbox).filter((c) => c === 'final')).toHaveLength(1);
    expect(b1.inbox.received).not.toContainEqual(said('during outage'));
    expect(errorsA.some((error) => /Redis is unavailable/.test(String(error)))).toBe(true);
    expect(errorsB.some((error) => /ECONNREFUSED/.test(String(error)))).toBe(true);
  });
});
