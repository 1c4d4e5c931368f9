import { afterEach, describe, expect, it } from 'vitest';
import { createRuntimeClient } from '../../../src/runtime/client/index.js';
import type { WsgenRuntimeError } from '../../../src/runtime/errors.js';
import { Cleanup, chatProtocol, delay, startServer, waitFor } from './fixture.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const goodChat = JSON.stringify({ type: 'chatMessage', payload: { conversationId: 'c1', messageId: 'm1', senderId: 'u1', content: 'hi' } });

describe('validation', () => {
  it.each([
    ['bad JSON', '{"type": ', 'not valid JSON', ''],
    ['an unknown type', JSON.stringify({ type: 'mystery', payload: {} }), 'unknown message type', '/type'],
    ['a schema failure', JSON.stringify({ type: 'chatMessage', payload: { conversationId: 'c1' } }), "'chatMessage' from the server is invalid", '/payload'],
  ])("reports %s via 'clientError' and does not deliver it", async (_name, frame, message, path) => {
    const server = cleanup.add(
      await startServer({
        onConnection: (c) => {
          c.socket.send(frame);
          c.socket.send(goodChat);
        },
      }),
    );
    const client = cleanup.add(createRuntimeClient(chatProtocol(), { url: server.url, channelId: 'chat' }));
    const delivered: unknown[] = [];
    const errors: WsgenRuntimeError[] = [];
    client.on('chatMessage', (value) => delivered.push(value));
    client.on('clientError', (error) => errors.push(error as WsgenRuntimeError));
    await waitFor(() => delivered.length === 1);
    expect(delivered).toEqual([JSON.parse(goodChat)]);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.code).toBe('invalid_incoming_message');
    expect(errors[0]?.message).toContain(message);
    expect(errors[0]?.details?.[0]?.path).toBe(path);
  });

  it('throws invalid_outgoing_message for an invalid outgoing message and sends nothing', async () => {
    const server = cleanup.add(await startServer());
    const client = cleanup.add(createRuntimeClient(chatProtocol(), { url: server.url, channelId: 'chat' }));
    await client.ready();
    const tooLong = { type: 'chatMessage', payload: { conversationId: 'c1', content: 'x'.repeat(2001) } };
    expect(() => client.send(tooLong)).toThrow(expect.objectContaining({ code: 'invalid_outgoing_message', details: [expect.objectContaining({ path: '/payload/content' })] }));
    expect(() => client.send({ type: 'nope' })).toThrow(expect.objectContaining({ code: 'invalid_outgoing_message' }));
    await expect(client.request(tooLong)).rejects.toMatchObject({ code: 'invalid_outgoing_message' });
    client.send({ type: 'typingStarted', payload: { conversationId: 'marker' } });
    await waitFor(() => server.received().length > 0);
    await delay(30);
    expect(server.received()).toEqual([{ type: 'typingStarted', payload: { conversationId: 'marker' } }]);
  });

  it('with validateIncoming: false, delivers frames of known types unchecked', async () => {
    const server = cleanup.add(await startServer({ onConnection: (c) => c.socket.send(JSON.stringify({ type: 'chatMessage', payload: {} })) }));
    const client = cleanup.add(createRuntimeClient(chatProtocol(), { url: server.url, channelId: 'chat', validateIncoming: false }));
    const delivered: unknown[] = [];
    client.on('chatMessage', (value) => delivered.push(value));
    await waitFor(() => delivered.length === 1);
  });
});
