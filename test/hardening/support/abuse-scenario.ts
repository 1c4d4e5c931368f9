/**
 * Authenticated clients abusing the example chat's own state and rules (for `scripts/soak.ts`;
 * `test/hardening/example-abuse.test.ts` asserts the same at small size): one client inventing
 * conversation ids by the ten thousand, and a customer joining another customer's conversation
 * after that.
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

/**
 * A customer opens a conversation with an agent; another client then posts `messages` chat
 * messages, each to a new conversation, and leaves; finally a third customer tries to join the
 * first conversation while the agent keeps writing in it.
 */
export async function runStateAbuse(chat: ChildChat, options: { secret: string; messages: number }): Promise<StateAbuseResult> {
  const started = Date.now();
  const url = `ws://127.0.0.1:${chat.port}/v1/ws/chat`;
  const open = async (sub: string): Promise<RawClient> => RawClient.open(`${url}?token=${await signToken({ sub }, options.secret)}`);
  const chatFrame = (conversationId: string, senderId: string, content: string) => JSON.stringify({ type: 'chatMessage', payload: { conversationId, senderId, content, timestamp: new Date().toISOString() } });
  const before = await chat.probe();

  const alice = await open('user_alice');
  const agent = await open('agent_bob');
  alice.ws.send(chatFrame('conv_private', 'user_alice', 'hello'));
  await alice.next(isType('messageDelivered'), 5_000, 'delivery to alice');
  agent.ws.send(JSON.stringify({ type: 'typingStopped', payload: { conversationId: 'conv_private', userId: 'agent_bob' } }));

  const mallory = await open('user_mallory');
  const batch = 500;
  for (let sent = 0; sent < options.messages; sent += batch) {
    const count = Math.min(batch, options.messages - sent);
    for (let i = sent; i < sent + count; i++) mallory.ws.send(chatFrame(`conv_junk${i}`, 'user_mallory', 'x'));
    for (let i = 0; i < count; i++) await mallory.next(isType('messageDelivered'), 10_000, 'messageDelivered');
  }
  mallory.terminate();

  const eve = await open('user_eve');
  eve.ws.send(JSON.stringify({ type: 'typingStopped', payload: { conversationId: 'conv_private', userId: 'user_eve' } }));
  await sleep(200);
  for (let i = 0; i < 5; i++) {
    agent.ws.send(chatFrame('conv_private', 'agent_bob', `secret ${i}`));
    await agent.next(isType('messageDelivered'), 5_000, 'delivery to the agent');
  }
  await sleep(200);
  const frames = eve.pending().flatMap((event) => (event.kind === 'frame' ? [event.frame as { type: string; payload: { code?: string; conversationId?: string } }] : []));
  for (const client of [alice, agent, eve]) client.terminate();
  await sleep(200);
  const after = await chat.probe();
  return {
    messages: options.messages,
    before,
    after,
    snooped: frames.filter((frame) => frame.type === 'chatMessage' && frame.payload.conversationId === 'conv_private').length,
    refused: frames.some((frame) => frame.type === 'error' && frame.payload.code === 'forbidden'),
    durationMs: Date.now() - started,
  };
}
