import { afterEach, describe, expect, it } from 'vitest';
import { createRuntimeClient } from '../../../src/runtime/client/index.js';
import { WsgenRuntimeError } from '../../../src/runtime/errors.js';
import { Cleanup, chatProtocol, delay, startServer, waitFor } from './fixture.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const typing = (conversationId: string) => ({ type: 'typingStarted', payload: { conversationId } });

describe('offline queue', () => {
  it('queues sends while connecting and flushes them in order once open', async () => {
    const server = cleanup.add(await startServer());
    const client = cleanup.add(createRuntimeClient(chatProtocol(), { url: server.url, channelId: 'chat' }));
    expect(client.state).toBe('connecting');
    for (let i = 0; i < 5; i++) client.send(typing(`c${i}`));
    await waitFor(() => server.received().length === 5);
    expect(server.received()).toEqual([0, 1, 2, 3, 4].map((i) => typing(`c${i}`)));
  });

  it('queues while reconnecting and flushes before messages sent after the open', async () => {
    const server = cleanup.add(await startServer());
    const client = cleanup.add(createRuntimeClient(chatProtocol(), { url: server.url, channelId: 'chat', reconnect: { initialDelayMs: 50, jitter: 'none' } }));
    await client.ready();
    client.on('state', (state) => {
      if (state === 'reconnecting') {
        client.send(typing('queued-1'));
        client.send(typing('queued-2'));
      } else if (state === 'open') {
        client.send(typing('after-open'));
      }
    });
    (await server.connection(0)).socket.terminate();
    await waitFor(() => server.received().length === 3);
    expect(server.connections[1]?.received).toEqual([typing('queued-1'), typing('queued-2'), typing('after-open')]);
  });

  it("throws 'queue_full' on overflow instead of dropping", async () => {
    const server = cleanup.add(await startServer());
    const client = cleanup.add(createRuntimeClient(chatProtocol(), { url: server.url, channelId: 'chat', queue: { maxMessages: 2 } }));
    client.send(typing('a'));
    client.send(typing('b'));
    const error = (() => {
      try {
        client.send(typing('c'));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(WsgenRuntimeError);
    expect((error as WsgenRuntimeError).code).toBe('queue_full');
    await waitFor(() => server.received().length === 2);
    await delay(30);
    expect(server.received()).toEqual([typing('a'), typing('b')]);
    client.send(typing('d')); // open now: no queue involved
    await waitFor(() => server.received().length === 3);
  });

  it("throws 'invalid_state' after close()", async () => {
    const server = cleanup.add(await startServer());
    const client = createRuntimeClient(chatProtocol(), { url: server.url, channelId: 'chat' });
    await client.close();
    expect(() => client.send(typing('x'))).toThrow(expect.objectContaining({ code: 'invalid_state' }));
    await expect(client.request({ type: 'chatMessage', payload: { conversationId: 'c', content: 'x' } })).rejects.toMatchObject({ code: 'invalid_state' });
  });
});
