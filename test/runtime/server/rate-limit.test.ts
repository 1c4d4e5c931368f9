/**
 * Per-connection token bucket: excess frames are answered `rate_limited` and dropped; a run of
 * rateLimitStrikes dropped frames closes with 4029.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode, ErrorCode } from '../../../src/runtime/codes.js';
import { TokenBucket } from '../../../src/runtime/server/rate-limiter.js';
import { ALICE } from './fixture.js';
import { Inbox, cleanup, closed, connect, sendJson, sleep, startServer, until } from './helpers.js';

afterEach(cleanup);

const CHAT = `/v1/ws/chat?token=${ALICE}`;

describe('TokenBucket', () => {
  it('allows a burst, then refills at the rate', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 3, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    now += 100;
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
    now += 10_000;
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
  });

  it('never limits at an infinite rate', () => {
    const bucket = new TokenBucket(Infinity, 1, () => 0);
    for (let i = 0; i < 1000; i++) expect(bucket.take()).toBe(true);
  });
});

describe('rate limiting on a connection', () => {
  it('answers rate_limited for frames beyond the burst and keeps them from handlers', async () => {
    let handled = 0;
    const { url, server } = await startServer({
      limits: { messagesPerSecond: 1, burst: 5, rateLimitStrikes: 100 },
      handlers: { chat: { typingStarted: () => void handled++ } },
    });
    const ws = await connect(url(CHAT));
    const inbox = new Inbox(ws);
    for (let i = 0; i < 8; i++) sendJson(ws, { type: 'typingStarted' });
    const frames = await inbox.atLeast(3);
    await sleep(50);
    expect(handled).toBe(5);
    expect(frames).toHaveLength(3);
    for (const frame of frames) expect(frame).toMatchObject({ type: 'error', payload: { code: ErrorCode.RATE_LIMITED } });
    expect(server.stats().framesRejected).toBe(3);
    expect(ws.readyState).toBe(ws.OPEN);
  });

  it('closes with 4029 after rateLimitStrikes dropped frames in a row', async () => {
    const { url, disconnects } = await startServer({ limits: { messagesPerSecond: 1, burst: 2, rateLimitStrikes: 4 } });
    const ws = await connect(url(CHAT));
    const inbox = new Inbox(ws);
    const closing = closed(ws);
    for (let i = 0; i < 10; i++) sendJson(ws, { type: 'typingStarted' });
    expect(await closing).toEqual({ code: CloseCode.RATE_LIMITED, reason: 'rate limit exceeded' });
    await until(() => disconnects.length > 0, 2_000, 'onDisconnect');
    // Strikes 1..3 got error frames; the 4th closed the connection.
    expect(inbox.received).toHaveLength(3);
    expect(disconnects[0]?.code).toBe(CloseCode.RATE_LIMITED);
  });
});
