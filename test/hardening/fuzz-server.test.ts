/**
 * Fuzzing the running example chat server (in this process): many connections send hostile
 * frames; every frame must get an error frame, a close with a documented code, or a valid reply;
 * built-in prototypes stay clean; a well-behaved client keeps getting `messageDelivered`.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatServer, type ChatServer } from '../../examples/chat-app.js';
import { signToken } from '../../examples/tokens.js';
import { documentedCloseCodes, RawClient, until, within } from './support/common.js';
import { runServerFuzz } from './support/fuzz-server-scenario.js';

describe('example chat server under hostile frames', () => {
  it('answers every frame as documented, stays unpolluted and keeps serving a well-behaved client', async () => {
    const result = await runServerFuzz({ connections: 8, framesPerConnection: 150, seed: 4242 });
    console.log(
      `fuzz-server: ${result.framesSent} frames on 8 connections in ${result.durationMs} ms, ${result.reconnects} reconnects; ` +
        `outcomes ${JSON.stringify(result.outcomes)}; closes ${JSON.stringify(result.closeCodes)}; ` +
        `good client ${result.good.delivered}/${result.good.requests} delivered`,
    );
    expect(result.violations).toEqual([]);
    expect(result.good.failures).toEqual([]);
    expect(result.good.delivered).toBeGreaterThan(10);
    expect(result.pollution).toEqual([]);
    expect(result.invalidStored).toEqual([]);
    // Exactly the valid frames reached the handler stage: none lost, no invalid one let through.
    expect(result.messagesIn.actual).toBe(result.messagesIn.expected);
    expect(result.connectionsLeft).toBe(0);
    // The generators reached every interesting class of outcome.
    for (const outcome of ['invalid_json', 'unknown_message_type', 'invalid_message', 'delivered', 'echo', 'close 1003', 'close 1009']) {
      expect(result.outcomes[outcome] ?? 0, outcome).toBeGreaterThan(0);
    }
    expect(result.closeCodes['1008'] ?? 0).toBeGreaterThan(0);
  }, 120_000);
});

/**
 * Frames that `ws` rejects before the runtime sees them. Its close codes must be in the API's
 * documented close-code table like every other close.
 */
describe('closes decided by the ws library', () => {
  const SECRET = 'ws-level-secret';
  let chat: ChatServer;
  let port = 0;
  let token = '';
  const documented = documentedCloseCodes();

  beforeAll(async () => {
    chat = createChatServer({ port: 0, host: '127.0.0.1', tokens: { secret: SECRET } });
    port = (await chat.server.listen())?.port ?? 0;
    token = await signToken({ sub: 'user_ws' }, SECRET);
  });
  afterAll(() => chat.server.close({ timeoutMs: 1_000 }));

  it('a text frame that is not UTF-8 closes the connection with a documented close code', async () => {
    const client = await RawClient.open(`ws://127.0.0.1:${port}/v1/ws/chat?token=${token}`);
    // `"` + a CESU-8 encoded lone surrogate + `"`: valid JSON to a lenient decoder, not UTF-8.
    client.ws.send(Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]), { binary: false });
    const close = await client.next((event) => event.kind === 'close', 5_000, 'close');
    expect(close.kind === 'close' && documented.has(close.code), `closed with ${JSON.stringify(close)}; documented: ${[...documented].join(', ')}`).toBe(true);
  });

  it('a frame that breaks RFC 6455 framing (unmasked client frame) closes with a documented close code', async () => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    try {
      await within(new Promise((resolve) => socket.once('connect', resolve)), 5_000, 'TCP connect');
      socket.write(
        `GET /v1/ws/chat?token=${token} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
      let received = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
      await until(() => received.includes('\r\n\r\n'), 5_000, '101 response');
      expect(received.toString('latin1')).toMatch(/^HTTP\/1\.1 101/);
      const headerEnd = received.indexOf('\r\n\r\n') + 4;
      // FIN + text opcode, no MASK bit: servers must fail the connection (RFC 6455 §5.1).
      socket.write(Buffer.from([0x81, 0x02, 0x7b, 0x7d]));
      await within(new Promise((resolve) => socket.once('close', resolve)), 5_000, 'close');
      const frame = received.subarray(headerEnd);
      // A server close frame: 0x88, length, 2-byte code.
      expect(frame[0]).toBe(0x88);
      const code = frame.readUInt16BE(2);
      expect(documented.has(code), `closed with ${code}; documented: ${[...documented].join(', ')}`).toBe(true);
    } finally {
      socket.destroy();
    }
  });
});
