/**
 * Child-process harness around `createChatServer()`, so hostile scenarios can measure the
 * server's own memory: `node --expose-gc --import tsx test/hardening/support/chat-child.ts`
 * with the options as JSON in `HARDENING_CHAT_OPTIONS` and an IPC channel. It sends
 * `{ ready: port }`, then `{ log: line }` for every log line, and answers `{ probe: true }` with
 * memory figures taken after a full GC.
 */
import { createChatServer, type ChatServerOptions } from '../../../examples/chat-app.js';

if (process.send === undefined) throw new Error('chat-child.ts must be started with an IPC channel');
const send = (message: unknown): void => {
  process.send?.(message);
};

// JSON has no Infinity: the parent writes it as the string "Infinity".
const options = JSON.parse(process.env['HARDENING_CHAT_OPTIONS'] ?? '{}', (_key, value: unknown) => (value === 'Infinity' ? Infinity : value)) as Omit<ChatServerOptions, 'log'>;
const chat = createChatServer({ ...options, log: (line) => send({ log: line }) });
const address = await chat.server.listen();
send({ ready: address?.port });

process.on('message', (message: { probe?: boolean; close?: boolean }) => {
  if (message.probe === true) {
    (globalThis as { gc?: () => void }).gc?.();
    const memory = process.memoryUsage();
    const polluted = ({} as Record<string, unknown>)['polluted'] !== undefined;
    send({ probe: { rss: memory.rss, heapUsed: memory.heapUsed, external: memory.external, peakRss: process.resourceUsage().maxRSS * 1024, stats: chat.server.stats(), conversations: chat.conversations.size, polluted } });
  }
  if (message.close === true) {
    void chat.server.close({ timeoutMs: 1_000 }).then(() => process.exit(0));
  }
});
// The parent going away ends the harness too.
process.on('disconnect', () => process.exit(0));
