/**
 * Authenticated clients abusing the example chat's own state and rules (for `scripts/soak.ts`;
 * `test/hardening/example-abuse.test.ts` asserts the same at small size): one client inventing
 * conversation ids, and one customer joining another customer's conversation.
 */
import { signToken } from '../../../examples/tokens.js';
import { RawClient, sleep } from './common.js';
import type { ChildChat, Probe } from './processes.js';

/** Figures of {@link runStateAbuse}. */
export interface StateAbuseResult {
  messages: number;
  before: Probe;
  /** After the client left, after GC. */
  after: Probe;
  /** Chat messages another customer received from a conversation it had no business in. */
  snooped: number;
  /** Whether the snooper was told `forbidden`. */
  refused: boolean;
  durationMs: number;
}

const isType = (type: string) => (event: { kind: string; frame?: unknown }) => event.kind === 'frame' && (event.frame as { type?: string }).type === type;

/** One client posts `messages` chat messages, each to a new conversation, then leaves; then a snooping attempt. */
export async function runStateAbuse(chat: ChildChat, options: { secret: string; messages: number }): Promise<StateAbuseResult> {
  const started = Date.now();
  const url = `ws://127.0.0.1:${chat.port}/v1/ws/chat`;
  const open = async (sub: string): Promise<RawClient> => RawClient.open(`${url}?token=${await signToken({ sub }, options.secret)}`);
  const before = await chat.probe();
  const mallory = await open('user_mallory');
  const batch = 500;
  for (let sent = 0; sent < options.messages; sent += batch) {
    const count = Math.min(batch, options.messages - sent);
    for (let i = sent; i < sent + count; i++) {
      mallory.ws.send(JSON.stringify({ type: 'chatMessage', payload: { conversationId: `conv_junk${i}`, senderId: 'user_mallory', content: 'x', timestamp: new Date().toISOString() } }));
    }
    for (let i = 0; i < count; i++) await mallory.next(isType('messageDelivered'), 10_000, 'messageDelivered');
  }
  mallory.terminate();

  const alice = await open('user_alice');
  const eve = await open('user_eve');
  alice.ws.send(JSON.stringify({ type: 'chatMessage', id: 'a1', payload: { conversationId: 'conv_private', senderId: 'user_alice', content: 'hello', timestamp: new Date().toISOString() } }));
  await alice.next(isType('messageDelivered'), 5_000, 'delivery to alice');
  eve.ws.send(JSON.stringify({ type: 'typingStopped', payload: { conversationId: 'conv_private', userId: 'user_eve' } }));
  await sleep(200);
  for (let i = 0; i < 5; i++) {
    alice.ws.send(JSON.stringify({ type: 'chatMessage', id: `a${i + 2}`, payload: { conversationId: 'conv_private', senderId: 'user_alice', content: `secret ${i}`, timestamp: new Date().toISOString() } }));
    await alice.next(isType('messageDelivered'), 5_000, 'delivery to alice');
  }
  await sleep(200);
  const frames = eve.pending().flatMap((event) => (event.kind === 'frame' ? [event.frame as { type: string; payload: { code?: string } }] : []));
  alice.terminate();
  eve.terminate();
  await sleep(200);
  const after = await chat.probe();
  return {
    messages: options.messages,
    before,
    after,
    snooped: frames.filter((frame) => frame.type === 'chatMessage').length,
    refused: frames.some((frame) => frame.type === 'error' && frame.payload.code === 'forbidden'),
    durationMs: Date.now() - started,
  };
}
