/**
 * The per-frame pipeline: JSON, discriminator, schema, binary and size checks, invalid-frame
 * streaks, handler failures, and the counters behind stats().
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode, ErrorCode } from '../../../src/runtime/codes.js';
import type { RuntimeContext } from '../../../src/runtime/server/index.js';
import { ALICE, protocolWithoutErrors, SECRET, type Principal } from './fixture.js';
import { Inbox, cleanup, closed, connect, sendJson, sleep, startServer, until } from './helpers.js';

afterEach(cleanup);

const CHAT = `/v1/ws/chat?token=${ALICE}`;

/** Starts a server whose chat handlers record what they see. */
async function recordingServer(overrides: Parameters<typeof startServer>[0] = {}, protocol?: Parameters<typeof startServer>[1]) {
  const seen: unknown[] = [];
  const started = await startServer(
    {
      handlers: {
        chat: {
          chatMessage: (message, ctx) => {
            seen.push(message);
            ctx.reply({ type: 'messageDelivered', payload: { deliveredAt: 1 } });
          },
          typingStarted: (message) => void seen.push(message),
        },
      },
      ...overrides,
    },
    protocol,
  );
  const ws = await connect(started.url(CHAT));
  return { ...started, ws, inbox: new Inbox(ws), seen };
}

describe('invalid frames', () => {
  it('answers invalid_json for a frame that is not JSON', async () => {
    const { ws, inbox, seen } = await recordingServer();
    ws.send('{not json');
    expect(await inbox.nth(0)).toEqual({ type: 'error', payload: { code: ErrorCode.INVALID_JSON, message: 'The frame is not valid JSON.' } });
    expect(seen).toHaveLength(0);
  });

  it('answers unknown_message_type with a ref for an unknown discriminator value', async () => {
    const { ws, inbox } = await recordingServer();
    sendJson(ws, { type: 'launchRockets', id: 'r1' });
    expect(await inbox.nth(0)).toMatchObject({
      type: 'error',
      payload: { code: ErrorCode.UNKNOWN_MESSAGE_TYPE, ref: { type: 'launchRockets', id: 'r1' }, details: [{ path: '/type' }] },
    });
  });

  it('answers invalid_message with JSON paths, reasons and ref {type, id}', async () => {
    const { ws, inbox, seen } = await recordingServer();
    sendJson(ws, { type: 'chatMessage', id: 'm1', payload: { content: 'x'.repeat(2001) } });
    const frame = (await inbox.nth(0)) as { payload: { code: string; details: Array<{ path: string; message: string }>; ref: unknown } };
    expect(frame.payload.code).toBe(ErrorCode.INVALID_MESSAGE);
    expect(frame.payload.ref).toEqual({ type: 'chatMessage', id: 'm1' });
    expect(frame.payload.details).toContainEqual({ path: '/payload/content', message: 'must NOT have more than 2000 characters' });
    expect(seen).toHaveLength(0);
  });

  it('delivers only valid messages to handlers', async () => {
    const { ws, inbox, seen } = await recordingServer();
    sendJson(ws, { type: 'chatMessage', id: 'bad' });
    sendJson(ws, { type: 'chatMessage', id: 'good', payload: { content: 'hello' } });
    ws.send('[');
    sendJson(ws, { type: 'typingStarted' });
    await inbox.atLeast(3);
    await sleep(20);
    expect(seen).toEqual([{ type: 'chatMessage', id: 'good', payload: { content: 'hello' } }, { type: 'typingStarted' }]);
  });

  it('closes with 1003 on a binary frame', async () => {
    const { ws } = await recordingServer();
    ws.send(Buffer.from('{"type":"typingStarted"}'), { binary: true });
    expect((await closed(ws)).code).toBe(CloseCode.UNSUPPORTED_DATA);
  });

  it('closes with 1009 on a frame over maxPayloadBytes', async () => {
    const { ws, server, disconnects } = await recordingServer({ limits: { maxPayloadBytes: 1024 } });
    sendJson(ws, { type: 'chatMessage', id: 'big', payload: { content: 'x'.repeat(2000) } });
    expect((await closed(ws)).code).toBe(CloseCode.MESSAGE_TOO_BIG);
    await until(() => disconnects.length > 0, 2_000, 'onDisconnect');
    expect(disconnects[0]?.code).toBe(CloseCode.MESSAGE_TOO_BIG);
    expect(server.stats().framesRejected).toBe(1);
  });

  it('closes with 1008 after maxInvalidFrames invalid frames in a row, and a valid frame resets the streak', async () => {
    const { ws, inbox } = await recordingServer({ limits: { maxInvalidFrames: 3 } });
    ws.send('x');
    ws.send('x');
    sendJson(ws, { type: 'typingStarted' });
    ws.send('x');
    ws.send('x');
    await inbox.atLeast(4);
    expect(ws.readyState).toBe(ws.OPEN);
    const closing = closed(ws);
    ws.send('x');
    expect((await closing).code).toBe(CloseCode.POLICY_VIOLATION);
  });

  it('sends no error frames when the protocol has no error message, but still closes', async () => {
    const { ws, inbox, seen } = await recordingServer({ limits: { maxInvalidFrames: 3 } }, protocolWithoutErrors);
    ws.send('x');
    sendJson(ws, { type: 'nope' });
    sendJson(ws, { type: 'chatMessage' });
    expect((await closed(ws)).code).toBe(CloseCode.POLICY_VIOLATION);
    expect(inbox.received).toEqual([]);
    expect(seen).toHaveLength(0);
  });
});

describe('handler failures', () => {
  it.each([
    ['sync', (): void => { throw new Error(`db down (${SECRET} internal detail)`); }],
    ['async', async (): Promise<void> => { await sleep(1); throw new Error(`db down (${SECRET} internal detail)`); }],
  ])('answers internal_error without details and reports a %s throw to onError', async (_kind, failing) => {
    const { url, errors } = await startServer({ handlers: { chat: { chatMessage: failing } } });
    const ws = await connect(url(CHAT));
    const inbox = new Inbox(ws);
    sendJson(ws, { type: 'chatMessage', id: 'm7', payload: { content: 'hi' } });
    const frame = await inbox.nth(0);
    expect(frame).toEqual({
      type: 'error',
      payload: { code: ErrorCode.INTERNAL_ERROR, message: 'The server failed to process the message.', ref: { type: 'chatMessage', id: 'm7' } },
    });
    expect(JSON.stringify(frame)).not.toContain('db down');
    expect(errors).toHaveLength(1);
    expect((errors[0]?.error as Error).message).toContain('db down');
    // The process and the connection survive.
    sendJson(ws, { type: 'chatMessage', id: 'm8', payload: { content: 'again' } });
    await inbox.nth(1);
    expect(ws.readyState).toBe(ws.OPEN);
  });
});

describe('stats()', () => {
  it('counts connections, messages in and out, rejected frames and rejected upgrades', async () => {
    let context: RuntimeContext<Principal> | undefined;
    const { server, ws, inbox, url } = await recordingServer({
      handlers: { chat: { typingStarted: (_m, ctx) => void (context = ctx) } },
    });
    sendJson(ws, { type: 'typingStarted' });
    ws.send('nope');
    await inbox.atLeast(1);
    await until(() => context !== undefined, 2_000, 'handler');
    context?.send({ type: 'chatMessage', payload: { content: 'x', sender: 'bob' } });
    await inbox.atLeast(2);
    await connect(url('/v1/ws/chat?token=wrong')).catch(() => undefined);
    expect(server.stats()).toEqual({ connections: 1, messagesIn: 1, messagesOut: 2, framesRejected: 1, upgradesRejected: 1 });
    ws.close();
    await closed(ws);
    await until(() => server.stats().connections === 0, 2_000, 'connection count');
  });
});
