import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntimeClient } from '../../../src/runtime/client/index.js';
import { Cleanup, chatProtocol, delivered, startServer, waitFor } from './fixture.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const typing = (conversationId: string) => JSON.stringify({ type: 'typingStarted', payload: { conversationId } });

describe('lifecycle', () => {
  it('messages() yields one key in order and ends when the client closes', async () => {
    const server = cleanup.add(
      await startServer({
        onConnection: (c) => {
          c.socket.send(typing('a'));
          c.socket.send(delivered('x'));
          c.socket.send(typing('b'));
        },
      }),
    );
    const client = createRuntimeClient(chatProtocol(), { url: server.url, channelId: 'chat' });
    const seen: unknown[] = [];
    const consumed = (async () => {
      for await (const message of client.messages('typingStarted')) {
        seen.push(message);
        if (seen.length === 2) void client.close();
      }
    })();
    await consumed; // ends by itself once close() runs
    expect(seen).toEqual([JSON.parse(typing('a')), JSON.parse(typing('b'))]);
    const late = client.messages('typingStarted');
    await expect(late.next()).resolves.toEqual({ value: undefined, done: true });
  });

  it('close() resolves once the server saw the close, after the last state event, and listeners are gone', async () => {
    const server = cleanup.add(await startServer());
    const client = createRuntimeClient(chatProtocol(), { url: server.url, channelId: 'chat' });
    const states: unknown[] = [];
    const calls: string[] = [];
    client.on('state', (state) => states.push(state));
    const off = client.once('typingStarted', () => calls.push('once'));
    client.off('typingStarted', () => undefined); // unknown listener: no-op
    await client.ready();
    const connection = await server.connection(0);
    const serverClosed = new Promise<number>((resolve) => connection.socket.on('close', (code) => resolve(code)));
    await client.close(4000, 'bye');
    expect(await serverClosed).toBe(4000);
    expect(states).toEqual(['open', 'closed']);
    // Idempotent, and a closed client accepts listeners without keeping them.
    await client.close();
    off();
    expect(client.on('state', () => calls.push('late'))).toBeTypeOf('function');
    expect(calls).toEqual([]);
    await expect(client.ready()).rejects.toMatchObject({ code: 'connection_closed' });
  });

  it('close() during the reconnect backoff cancels the retry', async () => {
    const server = cleanup.add(await startServer());
    const client = createRuntimeClient(chatProtocol(), { url: server.url, channelId: 'chat', reconnect: { initialDelayMs: 100, jitter: 'none' } });
    await client.ready();
    (await server.connection(0)).socket.terminate();
    await waitFor(() => client.state === 'reconnecting');
    await client.close();
    await new Promise((r) => setTimeout(r, 150));
    expect(server.connections).toHaveLength(1);
  });

  it('rejects invalid close codes and unknown event names', async () => {
    const server = cleanup.add(await startServer());
    const client = cleanup.add(createRuntimeClient(chatProtocol(), { url: server.url, channelId: 'chat' }));
    await expect(client.close(1006)).rejects.toThrow(RangeError);
    expect(() => client.on('chatMesage', () => undefined)).toThrow(/event must be one of: state, clientError, chatMessage/);
  });

  it('leaves nothing running: a Node process exits by itself after close()', async () => {
    const server = cleanup.add(
      await startServer({ onFrame: (frame, c) => (frame.type === 'chatMessage' && frame.payload && (frame.payload as { content: string }).content === 'answer me' ? c.socket.send(delivered(String(frame.id))) : undefined) }),
    );
    const dir = await mkdtemp(join(tmpdir(), 'wsgen-client-'));
    cleanup.add({ close: () => rm(dir, { recursive: true, force: true }) });
    const script = join(dir, 'exit.mts') // .mts: /tmp has no package.json saying "type": "module";
    const root = resolve(import.meta.dirname, '../../..');
    await writeFile(
      script,
      `import { createRuntimeClient } from ${JSON.stringify(join(root, 'src/runtime/client/index.ts'))};
import { chatProtocol } from ${JSON.stringify(join(root, 'test/runtime/client/fixture.ts'))};
const message = (content: string) => ({ type: 'chatMessage', payload: { conversationId: 'c1', content } });
// A client that is open, with a heartbeat timer, a pending request timer and an iterator.
const client = createRuntimeClient(chatProtocol(), { url: ${JSON.stringify(server.url)}, channelId: 'chat', heartbeat: { intervalMs: 60_000, timeoutMs: 60_000 }, requestTimeoutMs: 60_000 });
await client.ready();
await client.request(message('answer me'));
const pending = client.request(message('ignore me')).catch((error: { code: string }) => error.code);
const iterator = client.messages('chatMessage');
const ended = iterator.next();
// A second client waiting in its reconnect backoff against a closed port.
const down = createRuntimeClient(chatProtocol(), { url: 'ws://127.0.0.1:1/ws/chat', channelId: 'chat', reconnect: { initialDelayMs: 60_000, jitter: 'none' } });
while (down.state !== 'reconnecting') await new Promise((r) => setTimeout(r, 5));
await Promise.all([client.close(), down.close()]);
console.log(JSON.stringify({ pending: await pending, ended: (await ended).done, state: client.state }));
`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let printedAt = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += String(chunk);
      printedAt = Date.now();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += String(chunk)));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(null);
      }, 10_000);
      child.on('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    const lingered = Date.now() - printedAt;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // Every timer the client owns is >= 5 s (close grace) or 60 s here: any leak shows up.
    expect(lingered).toBeLessThan(2500);
    expect(JSON.parse(stdout)).toEqual({ pending: 'connection_closed', ended: true, state: 'closed' });
  });
});
