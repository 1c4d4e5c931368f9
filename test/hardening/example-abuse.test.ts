/**
 * Abuse of the example chat's own state and rules by authenticated clients: state that one
 * client can grow without bound, and conversations of other customers. These document bugs of
 * `examples/chat-app.ts` (see the comments on each test for the proposed fix).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatServer, type ChatServer } from '../../examples/chat-app.js';
import { signToken } from '../../examples/tokens.js';
import { RawClient, sleep } from './support/common.js';

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
   * Bug: `conversations` and `assigned` in examples/chat-app.ts grow with every distinct
   * conversation id and are never evicted (HISTORY_LIMIT bounds messages per conversation,
   * DEDUPE_LIMIT the dedupe ids, nothing bounds the number of conversations). Each new
   * conversation id keeps ~0.4 KB of heap after its client left: ~3 GB a day for one connection at
   * the default rate limit (100 messages/s), and any number of connections can do it.
   * Fix: cap the conversations kept like the dedupe map (e.g. 10 000, evicting the oldest in
   * Map order and its `assigned` entry together).
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
   * Bug: any authenticated customer can read (and post to) any conversation: examples/chat-app.ts
   * joins the sender to whatever `conversationId` a frame names (joinConversation in every
   * handler), so `typingStopped` for someone else's conversation subscribes to all its messages.
   * asyncapi.yaml documents the `forbidden` error for exactly this ("post to another customer's
   * conversation"). Fix: record the customer who opened a conversation (first `user_…` sender);
   * answer frames from other customers with an `error` frame `forbidden` (ref = the frame) and do
   * not join them; agents (`agent_…`) may join.
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
