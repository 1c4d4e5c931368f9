/**
 * Topics on one instance: join/leave/publish through the default in-memory PubSub.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RuntimeErrorCode } from '../../../src/runtime/errors.js';
import { memoryPubSub } from '../../../src/runtime/server/index.js';
import { ALICE, BOB } from './fixture.js';
import { Inbox, cleanup, connect, sendJson, sleep, startServer } from './helpers.js';

afterEach(cleanup);

const said = (text: string) => ({ type: 'chatMessage', payload: { content: text, sender: 'srv' } });

describe('topics with memoryPubSub', () => {
  it('delivers a publish exactly once to every member, the publisher included, and stops after leave', async () => {
    const { url, server } = await startServer({
      handlers: {
        chat: {
          typingStarted: async (_m, ctx) => {
            await ctx.join('room:1');
            ctx.send(said('joined'));
          },
          chatMessage: async (message, ctx) => {
            const { content } = (message as { payload: { content: string } }).payload;
            if (content !== 'leave') return ctx.publish('room:1', said(content));
            await ctx.leave('room:1');
            ctx.send(said('left'));
          },
        },
      },
    });
    const alice = await connect(url(`/v1/ws/chat?token=${ALICE}`));
    const bob = await connect(url(`/v1/ws/chat?token=${BOB}`));
    const [aliceInbox, bobInbox] = [new Inbox(alice), new Inbox(bob)];
    sendJson(alice, { type: 'typingStarted' });
    sendJson(alice, { type: 'typingStarted' }); // joining twice is idempotent
    sendJson(bob, { type: 'typingStarted' });
    await aliceInbox.atLeast(2);
    await bobInbox.atLeast(1);
    sendJson(alice, { type: 'chatMessage', id: '1', payload: { content: 'one' } });
    await aliceInbox.atLeast(3);
    await bobInbox.atLeast(2);
    sendJson(bob, { type: 'chatMessage', id: '2', payload: { content: 'leave' } });
    await bobInbox.atLeast(3);
    await server.publish('room:1', said('two'));
    await aliceInbox.atLeast(4);
    await sleep(50);
    expect(aliceInbox.received).toEqual([said('joined'), said('joined'), said('one'), said('two')]);
    expect(bobInbox.received).toEqual([said('joined'), said('one'), said('left')]);
    // One count per frame written: 3 join acks, 1 leave ack, 2 deliveries of "one", 1 of "two".
    expect(server.stats().messagesOut).toBe(7);
  });

  it('validates server.publish against the channels and rejects invalid messages', async () => {
    const { server } = await startServer();
    await expect(server.publish('t', { type: 'chatMessage' })).rejects.toMatchObject({ code: RuntimeErrorCode.INVALID_OUTGOING_MESSAGE });
    await expect(server.publish('t', { type: 'said', roomId: 'r', text: 'ok' })).resolves.toBeUndefined();
  });

  it('memoryPubSub delivers synchronously, supports unsubscribe, and refuses use after close', async () => {
    const pubsub = memoryPubSub();
    const got: string[] = [];
    await pubsub.subscribe('a', (payload) => got.push(payload));
    await pubsub.publish('a', 'x');
    await pubsub.publish('b', 'ignored');
    await pubsub.unsubscribe('a');
    await pubsub.publish('a', 'y');
    expect(got).toEqual(['x']);
    await pubsub.close();
    await expect(pubsub.publish('a', 'z')).rejects.toMatchObject({ code: RuntimeErrorCode.INVALID_STATE });
  });
});
