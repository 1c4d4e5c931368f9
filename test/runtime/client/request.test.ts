import { afterEach, describe, expect, it } from 'vitest';
import { createRuntimeClient } from '../../../src/runtime/client/index.js';
import { WsgenRuntimeError } from '../../../src/runtime/errors.js';
import { Cleanup, chatMessage, chatProtocol, delay, delivered, startServer, waitFor } from './fixture.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const fast = { reconnect: { initialDelayMs: 20, jitter: 'none' as const } };

describe('request/reply', () => {
  it('resolves with the reply correlated by a generated id', async () => {
    const server = cleanup.add(
      await startServer({
        onFrame: (frame, connection) => {
          // Answer out of order is fine: a decoy reply for another id first.
          connection.socket.send(delivered('someone-else'));
          connection.socket.send(delivered(String(frame.id)));
        },
      }),
    );
    const client = cleanup.add(createRuntimeClient(chatProtocol(), { url: server.url, channelId: 'chat' }));
    const message = chatMessage('hi');
    const reply = (await client.request(message)) as { id: string; type: string };
    expect(reply.type).toBe('messageDelivered');
    const sent = server.received()[0] as { id: string };
    expect(sent.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(reply.id).toBe(sent.id);
    expect(message).not.toHaveProperty('id'); // the caller's object is not mutated
  });

  it('keeps an id the caller chose', async () => {
    const server = cleanup.add(await startServer({ onFrame: (frame, c) => c.socket.send(delivered(String(frame.id))) }));
    const client = cleanup.add(createRuntimeClient(chatProtocol(), { url: server.url, channelId: 'chat' }));
    await expect(client.request(chatMessage('hi', 'mine-1'))).resolves.toMatchObject({ id: 'mine-1' });
  });

  it('rejects with request_timeout when no reply arrives', async () => {
    const server = cleanup.add(await startServer());
    const client = cleanup.add(createRuntimeClient(chatProtocol(), { url: server.url, channelId: 'chat' }));
    const started = Date.now();
    const error = await client.request(chatMessage(), { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WsgenRuntimeError);
    expect((error as WsgenRuntimeError).code).toBe('request_timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });

  it('rejects with connection_closed on close()', async () => {
    const server = cleanup.add(await startServer());
    const client = createRuntimeClient(chatProtocol(), { url: server.url, channelId: 'chat' });
    await client.ready();
    const pending = client.request(chatMessage()).catch((error: unknown) => error);
    await waitFor(() => server.received().length === 1);
    await client.close();
    expect(await pending).toMatchObject({ code: 'connection_closed' });
  });

  it('rejects with server_error on an error frame referencing its id', async () => {
    const server = cleanup.add(
      await startServer({
        onFrame: (frame, c) => {
          c.socket.send(JSON.stringify({ type: 'error', payload: { code: 'internal_error', message: 'boom', ref: { type: 'chatMessage', id: frame.id } } }));
        },
      }),
    );
    const client = cleanup.add(createRuntimeClient(chatProtocol(), { url: server.url, channelId: 'chat' }));
    const errors: unknown[] = [];
    client.on('error', (frame) => errors.push(frame));
    const error = (await client.request(chatMessage()).catch((e: unknown) => e)) as WsgenRuntimeError;
    expect(error.code).toBe('server_error');
    expect(error.message).toContain('internal_error: boom');
    expect((error.cause as { code: string }).code).toBe('internal_error');
    expect(errors).toHaveLength(1); // the error frame is still delivered to 'error' listeners
  });

  it('rejects (TypeError) a request for a message without a reply route', async () => {
    const server = cleanup.add(await startServer());
    const client = cleanup.add(createRuntimeClient(chatProtocol(), { url: server.url, channelId: 'chat' }));
    await expect(client.request({ type: 'typingStarted', payload: { conversationId: 'c1' } })).rejects.toBeInstanceOf(TypeError);
  });

  it('re-sends unanswered messages once after a reconnect, before the queued ones', async () => {
    const server = cleanup.add(
      await startServer({
        onFrame: (frame, connection) => {
          // The first connection swallows everything and then drops (1006); later ones answer.
          if (connection === server.connections[0]) {
            if (server.received().length === 2) connection.socket.terminate();
            return;
          }
          if (frame.type === 'chatMessage') connection.socket.send(delivered(String(frame.id)));
        },
      }),
    );
    const client = cleanup.add(createRuntimeClient(chatProtocol(), { url: server.url, channelId: 'chat', ...fast }));
    await client.ready();
    // Queue one message the moment the drop is noticed (event-driven: no race with the retry).
    client.on('state', (state) => (state === 'reconnecting' ? client.send(chatMessage('queued while reconnecting')) : undefined));
    const pending = client.request(chatMessage('request'));
    client.send(chatMessage('plain send')); // has a reply route → tracked with an id too
    await expect(pending).resolves.toMatchObject({ type: 'messageDelivered' });
    const second = await server.connection(1);
    await waitFor(() => second.received.length >= 3, 3000, 'the re-sends');
    await delay(50);
    const contents = second.received.map((f) => (f as { payload: { content: string } }).payload.content);
    expect(contents).toEqual(['request', 'plain send', 'queued while reconnecting']);
    const firstIds = server.connections[0]?.received.map((f) => (f as { id: string }).id);
    expect(second.received.slice(0, 2).map((f) => (f as { id: string }).id)).toEqual(firstIds);
  });
});
