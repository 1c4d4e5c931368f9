/**
 * WebSocket by hand over a plain TCP socket, for peers no library would produce: a handshake we
 * control, masked text frames, and a reader we can stop (a consumer that never reads).
 */
import net from 'node:net';
import { until, within } from './common.js';

/** A socket after a successful 101, with whatever arrived after the response headers. */
export interface RawWebSocket {
  socket: net.Socket;
  /** Bytes received after the 101 response (server frames), while reading. */
  received: () => Buffer;
}

/** Opens TCP to 127.0.0.1:`port`, sends an upgrade request for `path` and waits for `101`. */
export async function rawUpgrade(port: number, path: string, headers: Record<string, string> = {}): Promise<RawWebSocket> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  let buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
  });
  await within(new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject)), 5_000, 'TCP connect');
  const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`);
  await until(() => buffer.includes('\r\n\r\n') || socket.destroyed, 5_000, 'upgrade response').catch((error: unknown) => {
    socket.destroy();
    throw error;
  });
  if (!buffer.includes('\r\n\r\n')) throw new Error('closed during the handshake');
  const head = buffer.toString('latin1', 0, buffer.indexOf('\r\n\r\n'));
  if (!head.startsWith('HTTP/1.1 101')) {
    socket.destroy();
    throw new Error(`upgrade refused: ${head.split('\r\n')[0]}`);
  }
  const start = buffer.indexOf('\r\n\r\n') + 4;
  return { socket, received: () => buffer.subarray(start) };
}

/** A masked (client) text frame holding `text`, with a zero masking key (valid per RFC 6455). */
export function maskedText(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const length = payload.length;
  const header =
    length < 126 ? Buffer.from([0x81, 0x80 | length])
    : length < 65_536 ? Buffer.from([0x81, 0x80 | 126, length >> 8, length & 0xff])
    : (() => {
        const big = Buffer.alloc(10);
        big[0] = 0x81;
        big[1] = 0x80 | 127;
        big.writeBigUInt64BE(BigInt(length), 2);
        return big;
      })();
  return Buffer.concat([header, Buffer.alloc(4), payload]);
}
