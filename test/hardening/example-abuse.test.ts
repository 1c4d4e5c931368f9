/**
 * Abuse of the example chat's own state and rules by authenticated clients: state that one
 * client could grow without bound, and conversations of other customers — on one instance, and
 * across instances that share Redis. The comments on each test name the bug it guards against.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatServer, type ChatServer } from '../../examples/chat-app.js';
import { signToken } from '../../examples/tokens.js';
import { freePort } from '../support/net.js';
import { RawClient, sleep, type Received } from './support/common.js';
import { redisServer, type Restartable } from './support/processes.js';

const SECRET = 'abuse-secret';
let chat: ChatServer;
let url = '';

beforeAll(async () => {
  chat = createChatServer({ port: 0, host: '127.0.0.1', tokens: { secret: SECRET }, limits: { messagesPerSecond: Infinity } });
  url = `ws://127.0.0.1:${(await chat.server.listen())?.port ?? 0}/v1/ws/chat`;
});
afterAll(() => chat.server.close({ timeoutMs: 1_000 }));

const open = async (sub: string): Promise<RawClient> => RawClient.open(`${url}?token=${await signToken({ sub }, SECRET)}`);
const isType = (type: string) => (event: { kind: string; frame?: unknown }) => event.kind === 'frame' && (event.frame as { type?: string }).type === type;

describe('example chat: state and rules under abuse', () => {
  /**
   * Regression (fixed in a8c893e): `conversations` and `assigned` in examples/chat-app.ts grew
   * with every distinct conversation id and were never evicted (~0.4 KB of heap per id after its
   * client left: ~3 GB a day for one connection at the default 100 messages/s). Now capped at
   * 10 000 conversations, the oldest evicted.
   */
  it('keeps state for at most 10 000 conversations, however many one client invents', async () => {
    const mallory = await open('user_mallory');
    const total = 12_000;
    const batch = 500;
    for (let sent = 0; sent < total; sent += batch) {
      for (let i = sent; i < sent + batch; i++) {
        mallory.ws.send(JSON.stringify({ type: 'chatMessage', payload: { conversationId: `conv_junk${i}`, senderId: 'user_mallory', content: 'x', timestamp: '2025-01-06T12:00:00Z' } }));
      }
      for (let i = 0; i < batch; i++) await mallory.next(isType('messageDelivered'), 10_000, 'messageDelivered');
    }
    mallory.ws.close();
    await sleep(100);
    expect(chat.conversations.size).toBeLessThanOrEqual(10_000);
  }, 60_000);

  /**
   * Regression (fixed in a8c893e): any authenticated customer could read (and post to) any
   * conversation by naming it in a frame. asyncapi.yaml documents the `forbidden` error for this;
   * now the customer who opens a conversation owns it, and other customers get `forbidden`.
   */
  it("refuses a customer who joins another customer's conversation (error forbidden, no messages)", async () => {
    const alice = await open('user_alice');
    alice.ws.send(JSON.stringify({ type: 'chatMessage', id: 'a1', payload: { conversationId: 'conv_alicesorder', senderId: 'user_alice', content: 'my address is …', timestamp: '2025-01-06T12:00:00Z' } }));
    await alice.next(isType('messageDelivered'), 5_000, 'delivery to alice');
    const mallory = await open('user_eve');
    mallory.ws.send(JSON.stringify({ type: 'typingStopped', payload: { conversationId: 'conv_alicesorder', userId: 'user_eve' } }));
    await sleep(200);
    alice.ws.send(JSON.stringify({ type: 'chatMessage', id: 'a2', payload: { conversationId: 'conv_alicesorder', senderId: 'user_alice', content: 'and my card ends in 4242', timestamp: '2025-01-06T12:00:01Z' } }));
    await alice.next(isType('messageDelivered'), 5_000, 'second delivery to alice');
    await sleep(200);
    const seen = mallory.pending().filter((event) => event.kind === 'frame').map((event) => (event as { frame: { type: string; payload: { code?: string } } }).frame);
    alice.terminate();
    mallory.terminate();
    expect(seen.filter((frame) => frame.type === 'chatMessage')).toEqual([]);
    expect(seen.some((frame) => frame.type === 'error' && frame.payload.code === 'forbidden')).toBe(true);
  });
});

/** Frames of `client` not consumed yet, parsed. */
const framesOf = (client: RawClient): Array<{ type: string; payload: { code?: string; conversationId?: string } }> =>
  client.pending().flatMap((event: Received) => (event.kind === 'frame' ? [event.frame as { type: string; payload: { code?: string } }] : []));

const chatFrame = (conversationId: string, senderId: string, content: string, id?: string) =>
  JSON.stringify({ type: 'chatMessage', ...(id === undefined ? {} : { id }), payload: { conversationId, senderId, content, timestamp: new Date().toISOString() } });
const typingFrame = (conversationId: string, userId: string) => JSON.stringify({ type: 'typingStopped', payload: { conversationId, userId } });

describe('example chat: conversation ownership holds', () => {
  /**
   * Bug: examples/chat-app.ts `evictConversations()` forgets the oldest entries of `owners` once
   * 10 000 conversations are known, whoever is still talking in them, and `joinConversation()`
   * hands an unknown conversation to the first customer who names it. A customer who names
   * 10 000 new conversations (typing indicators suffice) evicts the owner of a live conversation
   * and then claims it: it receives the conversation, and its real customer is refused.
   * Fix: never transfer ownership through eviction — cap what one customer may open (e.g. 100
   * conversations per customer; answer `forbidden` beyond) so no single client can flush the
   * table, and evict only conversations without members.
   */
  it('cannot be taken over by flushing the owner table with invented conversations', async () => {
    // A fresh server, so the table holds nothing but what this test puts in it.
    const fresh = createChatServer({ port: 0, host: '127.0.0.1', tokens: { secret: SECRET }, limits: { messagesPerSecond: Infinity } });
    const freshUrl = `ws://127.0.0.1:${(await fresh.server.listen())?.port ?? 0}/v1/ws/chat`;
    const open = async (sub: string): Promise<RawClient> => RawClient.open(`${freshUrl}?token=${await signToken({ sub }, SECRET)}`);
    const alice = await open('user_alice2');
    const agent = await open('agent_bob');
    alice.ws.send(chatFrame('conv_alicelive', 'user_alice2', 'hello', 'a1'));
    await alice.next(isType('messageDelivered'), 5_000, 'delivery to alice');
    agent.ws.send(typingFrame('conv_alicelive', 'agent_bob'));
    const mallory = await open('user_mallory2');
    const batch = 500;
    // Twice the current cap (10 000), so a somewhat larger cap does not hide the bug.
    for (let sent = 0; sent < 20_000; sent += batch) {
      for (let i = sent; i < sent + batch; i++) mallory.ws.send(typingFrame(`conv_flush${i}`, 'user_mallory2'));
      // Each typing indicator is relayed back to its sender once it joined.
      for (let i = 0; i < batch; i++) await mallory.next(isType('typingStopped'), 10_000, 'relay');
    }
    mallory.ws.send(typingFrame('conv_alicelive', 'user_mallory2'));
    await sleep(200);
    agent.ws.send(chatFrame('conv_alicelive', 'agent_bob', 'your refund is on its way', 'b1'));
    await agent.next(isType('messageDelivered'), 5_000, 'delivery to the agent');
    alice.ws.send(chatFrame('conv_alicelive', 'user_alice2', 'thanks', 'a2'));
    const aliceAnswer = await alice.next((event) => isType('messageDelivered')(event) || isType('error')(event), 5_000, 'answer to alice');
    await sleep(200);
    const snooped = framesOf(mallory).filter((frame) => frame.type === 'chatMessage' && frame.payload.conversationId === 'conv_alicelive');
    for (const client of [alice, agent, mallory]) client.terminate();
    await fresh.server.close({ timeoutMs: 1_000 });
    expect(snooped).toEqual([]);
    expect((aliceAnswer as { frame?: { type: string } }).frame?.type, 'alice may still post to her own conversation').toBe('messageDelivered');
  }, 60_000);
});

describe('example chat: conversation ownership across instances (shared Redis)', () => {
  let redis: Restartable | undefined;
  const instances: ChatServer[] = [];
  const urls: string[] = [];

  beforeAll(async () => {
    if (spawnSync('redis-server', ['--version']).error !== undefined) throw new Error('redis-server is not installed');
    redis = redisServer(await freePort());
    await redis.start();
    for (let i = 0; i < 2; i++) {
      const instance = createChatServer({ port: 0, host: '127.0.0.1', tokens: { secret: SECRET }, redisUrl: `redis://127.0.0.1:${redis.port}` });
      instances.push(instance);
      urls.push(`ws://127.0.0.1:${(await instance.server.listen())?.port ?? 0}/v1/ws/chat`);
    }
  }, 30_000);
  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.server.close({ timeoutMs: 1_000 })));
    await redis?.kill();
  });

  /**
   * Bug: examples/chat-app.ts keeps `owners` in process memory, so each instance decides alone:
   * a customer connected to another instance than the owner (or to a restarted one) is the
   * "first" to name the conversation there, becomes its owner on that instance, joins the topic
   * and receives every message published on the owner's instance through Redis.
   * Fix: decide ownership where all instances see it — with Redis, `SET owner:<conversationId>
   * <userId> NX` on first use and `GET` afterwards (in memory only without Redis) — or bind
   * conversation ids to their customer (e.g. derive them from the customer id).
   */
  it('is not granted to another customer on the other instance', async () => {
    const open2 = async (url: string, sub: string): Promise<RawClient> => RawClient.open(`${url}?token=${await signToken({ sub }, SECRET)}`);
    const alice = await open2(urls[0] as string, 'user_alice3');
    alice.ws.send(chatFrame('conv_alicesplit', 'user_alice3', 'hello', 'a1'));
    await alice.next(isType('messageDelivered'), 5_000, 'delivery to alice');
    const eve = await open2(urls[1] as string, 'user_eve3');
    eve.ws.send(typingFrame('conv_alicesplit', 'user_eve3'));
    await sleep(300);
    alice.ws.send(chatFrame('conv_alicesplit', 'user_alice3', 'my card ends in 4242', 'a2'));
    await alice.next(isType('messageDelivered'), 5_000, 'second delivery to alice');
    await sleep(300);
    const seen = framesOf(eve);
    for (const client of [alice, eve]) client.terminate();
    expect(seen.filter((frame) => frame.type === 'chatMessage')).toEqual([]);
    expect(seen.some((frame) => frame.type === 'error' && frame.payload.code === 'forbidden')).toBe(true);
  });
});
