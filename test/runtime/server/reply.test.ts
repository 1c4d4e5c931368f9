/**
 * Request/reply correlation and outgoing validation.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/runtime/codes.js';
import { RuntimeErrorCode, WsgenRuntimeError } from '../../../src/runtime/errors.js';
import type { MessageHandler } from '../../../src/runtime/server/index.js';
import { ALICE, type Principal } from './fixture.js';
import { Inbox, cleanup, connect, sendJson, startServer } from './helpers.js';

afterEach(cleanup);

async function chatWith(chatMessage: MessageHandler<Principal>, typingStarted?: MessageHandler<Principal>, validateOutgoing = true) {
  const started = await startServer({ validateOutgoing, handlers: { chat: { chatMessage, ...(typingStarted ? { typingStarted } : {}) } } });
  const ws = await connect(started.url(`/v1/ws/chat?token=${ALICE}`));
  return { ...started, ws, inbox: new Inbox(ws) };
}

const request = { type: 'chatMessage', id: 'req-42', payload: { content: 'hello' } };

describe('ctx.reply()', () => {
  it('copies the request correlation id into the reply', async () => {
    const { ws, inbox } = await chatWith((_m, ctx) => ctx.reply({ type: 'messageDelivered', payload: { deliveredAt: 7 } }));
    sendJson(ws, request);
    expect(await inbox.nth(0)).toEqual({ type: 'messageDelivered', id: 'req-42', payload: { deliveredAt: 7 } });
  });

  it('rejects a reply of a message that is not a declared reply', async () => {
    const { ws, inbox, errors } = await chatWith((_m, ctx) => ctx.reply({ type: 'chatMessage', payload: { content: 'x', sender: 'y' } }));
    sendJson(ws, request);
    expect(await inbox.nth(0)).toMatchObject({ payload: { code: ErrorCode.INTERNAL_ERROR } });
    expect(errors[0]?.error).toMatchObject({ code: RuntimeErrorCode.INVALID_OUTGOING_MESSAGE });
  });

  it('throws invalid_state for a message that declares no reply', async () => {
    let thrown: unknown;
    const { ws, inbox } = await chatWith(
      () => undefined,
      (_m, ctx) => {
        try {
          ctx.reply({ type: 'messageDelivered', payload: { deliveredAt: 1 } });
        } catch (error) {
          thrown = error;
        }
        ctx.send({ type: 'chatMessage', payload: { content: 'done', sender: 'srv' } });
      },
    );
    sendJson(ws, { type: 'typingStarted' });
    await inbox.nth(0);
    expect(thrown).toBeInstanceOf(WsgenRuntimeError);
    expect((thrown as WsgenRuntimeError).code).toBe(RuntimeErrorCode.INVALID_STATE);
  });
});

describe('ctx.send()', () => {
  it('adds the correlation id to a reply-key message that lacks one, and only to those', async () => {
    const { ws, inbox } = await chatWith((_m, ctx) => {
      ctx.send({ type: 'chatMessage', payload: { content: 'echo', sender: 'srv' } });
      ctx.send({ type: 'messageDelivered', payload: { deliveredAt: 1 } });
      ctx.send({ type: 'messageDelivered', id: 'explicit', payload: { deliveredAt: 2 } });
    });
    sendJson(ws, request);
    expect(await inbox.atLeast(3)).toEqual([
      { type: 'chatMessage', payload: { content: 'echo', sender: 'srv' } },
      { type: 'messageDelivered', id: 'req-42', payload: { deliveredAt: 1 } },
      { type: 'messageDelivered', id: 'explicit', payload: { deliveredAt: 2 } },
    ]);
  });

  it('throws invalid_outgoing_message with details and sends nothing for an invalid message', async () => {
    let thrown: unknown;
    const { ws, inbox } = await chatWith((_m, ctx) => {
      try {
        ctx.send({ type: 'chatMessage', payload: { content: 'no sender' } });
      } catch (error) {
        thrown = error;
      }
      ctx.send({ type: 'chatMessage', payload: { content: 'after', sender: 'srv' } });
    });
    sendJson(ws, request);
    expect(await inbox.nth(0)).toEqual({ type: 'chatMessage', payload: { content: 'after', sender: 'srv' } });
    expect(thrown).toMatchObject({ code: RuntimeErrorCode.INVALID_OUTGOING_MESSAGE, details: [{ path: '/payload', message: "must have required property 'sender'" }] });
  });

  it('skips outgoing validation when validateOutgoing is false', async () => {
    const { ws, inbox } = await chatWith((_m, ctx) => ctx.send({ type: 'chatMessage', anything: true }), undefined, false);
    sendJson(ws, request);
    expect(await inbox.nth(0)).toEqual({ type: 'chatMessage', anything: true });
  });
});
