/**
 * End to end in Node: the generated client against the example chat server (itself built on the
 * generated server), real sockets on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, type Client } from '../../generated/src/client.js';
import type { ChatMessageBroadcast, ServerMessage } from '../../generated/src/messages.js';
import { createChatServer, type ChatServer } from '../../examples/chat-app.js';
import { signToken } from '../../examples/tokens.js';

const SECRET = 'test-secret';
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function startChat(port = 0): Promise<{ chat: ChatServer; port: number; url: string }> {
  const chat = createChatServer({ port, host: '127.0.0.1', tokens: { secret: SECRET } });
  const address = await chat.server.listen();
  const actual = address?.port ?? port;
  cleanups.push(() => chat.server.close({ timeoutMs: 2000 }));
  return { chat, port: actual, url: `ws://127.0.0.1:${actual}/v1/ws/chat` };
}

function connect(url: string, sub: string, name: string, extra: Partial<Parameters<typeof createClient>[0]> = {}): Client {
  const client = createClient({ url, token: () => signToken({ sub, name }, SECRET), reconnect: { initialDelayMs: 50, maxDelayMs: 200 }, ...extra });
  cleanups.push(() => client.close());
  return client;
}

/** Collects every message of one key. */
function collect<K extends ServerMessage['type']>(client: Client, key: K): Extract<ServerMessage, { type: K }>[] {
  const seen: Extract<ServerMessage, { type: K }>[] = [];
  client.on(key as 'chatMessage', (message) => seen.push(message as Extract<ServerMessage, { type: K }>));
  return seen;
}

async function until(condition: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const chatMessage = (conversationId: string, content: string, senderId = 'user_alice') => ({
  type: 'chatMessage' as const,
  payload: { conversationId, senderId, content, timestamp: new Date().toISOString() },
});

describe('generated client ↔ example chat server', () => {
  it('round trip between two clients: messages, delivery, typing, agent assignment', async () => {
    const { url } = await startChat();
    const alice = connect(url, 'user_alice', 'Alice');
    const agent = connect(url, 'agent_bob', 'Bob');
    await Promise.all([alice.ready(), agent.ready()]);
    const agentChats = collect(agent, 'chatMessage');
    const agentTyping = collect(agent, 'typingStarted');
    const aliceAssigned = collect(alice, 'agentAssigned');

    // The agent joins the conversation by announcing it reads it.
    agent.send({ type: 'typingStopped', payload: { conversationId: 'conv_e2e', userId: 'agent_bob' } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    alice.sendTypingStarted({ conversationId: 'conv_e2e', userId: 'user_alice' });
    const delivered = await alice.request(chatMessage('conv_e2e', 'Hello, I need help with my order'), { timeoutMs: 5000 });
    expect(delivered.type).toBe('messageDelivered');
    expect(delivered.payload.messageId).toMatch(/^msg_/);

    await until(() => agentChats.length === 1 && agentTyping.length === 1 && aliceAssigned.length === 1, 5000, 'fan-out');
    const received = agentChats[0] as ChatMessageBroadcast;
    expect(received.payload).toMatchObject({ conversationId: 'conv_e2e', senderId: 'user_alice', senderName: 'Alice', content: 'Hello, I need help with my order', messageId: delivered.payload.messageId });
    expect(agentTyping[0]?.payload.userId).toBe('user_alice');
    expect(aliceAssigned[0]?.payload.agentName).toBe('Sarah Johnson');
  });

  it('the server overrides a forged senderId with the token subject', async () => {
    const { url } = await startChat();
    const alice = connect(url, 'user_alice', 'Alice');
    const chats = collect(alice, 'chatMessage');
    await alice.request(chatMessage('conv_forge', 'hi', 'user_mallory'));
    await until(() => chats.length === 1);
    expect(chats[0]?.payload.senderId).toBe('user_alice');
  });

  it('server restart mid-conversation: clients reconnect by themselves, acknowledged messages arrive exactly once', async () => {
    const first = await startChat();
    const alice = connect(first.url, 'user_alice', 'Alice');
    const agent = connect(first.url, 'agent_bob', 'Bob');
    const states: string[] = [];
    agent.on('state', (state) => states.push(state));
    await Promise.all([alice.ready(), agent.ready()]);
    const agentChats = collect(agent, 'chatMessage');
    agent.send({ type: 'typingStopped', payload: { conversationId: 'conv_restart', userId: 'agent_bob' } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const acknowledged: string[] = [];
    for (let i = 0; i < 3; i++) acknowledged.push((await alice.request(chatMessage('conv_restart', `before ${i}`))).payload.messageId);

    await first.chat.server.close({ timeoutMs: 1000 });
    const second = createChatServer({ port: first.port, host: '127.0.0.1', tokens: { secret: SECRET } });
    await second.server.listen();
    cleanups.push(() => second.server.close({ timeoutMs: 2000 }));
    await until(() => alice.state === 'open' && agent.state === 'open', 10_000, 'reconnect');
    expect(states).toContain('reconnecting');

    agent.send({ type: 'typingStopped', payload: { conversationId: 'conv_restart', userId: 'agent_bob' } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (let i = 0; i < 3; i++) acknowledged.push((await alice.request(chatMessage('conv_restart', `after ${i}`))).payload.messageId);
    await until(() => agentChats.length >= 6, 5000, 'all messages');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const ids = agentChats.map((message) => message.payload.messageId);
    expect(ids).toEqual(acknowledged); // each exactly once, in order
  });

  it('a request sent while the server is down is queued, sent after reconnecting, and answered once', async () => {
    const first = await startChat();
    const alice = connect(first.url, 'user_alice', 'Alice');
    await alice.ready();
    await first.chat.server.close({ timeoutMs: 1000 });
    await until(() => alice.state === 'reconnecting', 5000, 'reconnecting');
    const pending = alice.request(chatMessage('conv_queue', 'sent while offline'), { timeoutMs: 10_000 });
    const second = createChatServer({ port: first.port, host: '127.0.0.1', tokens: { secret: SECRET } });
    await second.server.listen();
    cleanups.push(() => second.server.close({ timeoutMs: 2000 }));
    const reply = await pending;
    expect(reply.payload.conversationId).toBe('conv_queue');
    expect(second.conversations.get('conv_queue')).toHaveLength(1);
  });

  it('token refresh: the token function is called again on every reconnect', async () => {
    const first = await startChat();
    let calls = 0;
    const alice = connect(first.url, 'user_alice', 'Alice', { token: () => { calls++; return signToken({ sub: 'user_alice', name: 'Alice' }, SECRET); } });
    await alice.ready();
    expect(calls).toBe(1);
    await first.chat.server.close({ timeoutMs: 1000 });
    const second = createChatServer({ port: first.port, host: '127.0.0.1', tokens: { secret: SECRET } });
    await second.server.listen();
    cleanups.push(() => second.server.close({ timeoutMs: 2000 }));
    await until(() => alice.state === 'open' && calls >= 2, 10_000, 'reconnect with a fresh token');
  });

  it('an expiring token closes the connection with 4001, and the client stops reconnecting', async () => {
    const { url } = await startChat();
    const errors: { code: string; closeCode: number | undefined }[] = [];
    const alice = connect(url, 'user_alice', 'Alice', { token: () => signToken({ sub: 'user_alice', name: 'Alice', expiresInSeconds: 2 }, SECRET) });
    alice.on('clientError', (error) => errors.push({ code: error.code, closeCode: error.closeCode }));
    await alice.ready();
    await until(() => alice.state === 'closed', 6000, 'close 4001');
    expect(errors).toContainEqual({ code: 'unauthorized', closeCode: 4001 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(alice.state).toBe('closed');
  });

  it('a wrong token is refused at the upgrade (401) and not retried', async () => {
    const { url } = await startChat();
    const errors: string[] = [];
    const mallory = connect(url, 'user_mallory', 'Mallory', { token: () => signToken({ sub: 'user_mallory' }, 'wrong-secret') });
    mallory.on('clientError', (error) => errors.push(error.code));
    await expect(mallory.ready()).rejects.toThrow();
    expect(mallory.state).toBe('closed');
    expect(errors).toContain('unauthorized');
  });

  it('invalid outgoing messages throw and send nothing', async () => {
    const { url, chat } = await startChat();
    const alice = connect(url, 'user_alice', 'Alice');
    await alice.ready();
    expect(() => alice.send({ type: 'chatMessage', payload: { conversationId: 'nope', senderId: 'user_alice', content: '', timestamp: 'now' } })).toThrow(/invalid/i);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(chat.conversations.size).toBe(0);
    expect(chat.server.stats().messagesIn).toBe(0);
  });
});

describe('the example server process', () => {
  it('prints its URL when ready and shuts down gracefully on SIGTERM (clients get 1001)', async () => {
    const root = path.resolve(import.meta.dirname, '../..');
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/chat-server.ts', '--port', '0'], { cwd: root, env: { ...process.env, CHAT_JWT_SECRET: SECRET }, stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await until(() => /listening on ws:\/\/127\.0\.0\.1:\d+\/v1\/ws\/chat\n/.test(output), 20_000, 'listening line');
    const url = /listening on (\S+)/.exec(output)?.[1] ?? '';
    const socket = new WebSocket(`${url}?token=${await signToken({ sub: 'user_alice' }, SECRET)}`);
    await once(socket, 'open');
    const closed = once(socket, 'close');
    child.kill('SIGTERM');
    const [code] = (await closed) as [number];
    expect(code).toBe(1001);
    const [exitCode] = (await once(child, 'exit')) as [number];
    expect(exitCode).toBe(0);
  }, 40_000);
});
