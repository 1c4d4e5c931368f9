/**
 * The candidate of bench parts 4–6: the generated chat server (`<package>/src/server.ts`,
 * `createServer`; `generated/` by default) in production mode — every incoming frame validated, rate limiting on but
 * raised so the bench is not throttled, `validateOutgoing: false`, auth on (the query token
 * checked by a trivial `authenticate`) — with the same handlers as the raw baseline.
 * Loaded through tsx (the child runs under `node --import tsx`).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BENCH, broadcastFor, deliveredPayload, topicOf } from './chat-server-shared.mjs';

/** Rate limits high enough never to refuse a bench frame; the token bucket still runs on every frame. */
export const BENCH_LIMITS = Object.freeze({ messagesPerSecond: 1e9, burst: 1e9 });

/**
 * Starts the server of the package in `generatedDir` (its `src/server.ts`) on 127.0.0.1 (port 0);
 * resolves with `{ port, counters(), close() }`. `onPublish(ms)` receives the duration of each
 * `ctx.publish` (the in-memory PubSub delivers synchronously inside it).
 */
export async function startGeneratedServer({ onPublish, maxConnections, generatedDir }) {
  const { createServer } = await import(pathToFileURL(path.join(generatedDir, 'src', 'server.ts')).href);
  let joined = 0;
  const server = createServer({
    port: 0,
    host: '127.0.0.1',
    validateOutgoing: false,
    limits: { ...BENCH_LIMITS, ...(maxConnections === undefined ? {} : { maxConnections }) },
    authenticate: ({ token }) => (token === BENCH.token ? BENCH.principal : null),
    hooks: { onError: (error) => process.stderr.write(`bench server: ${error?.message ?? error}\n`) },
    handlers: {
      chatMessage: (message, ctx) => ctx.reply({ type: 'messageDelivered', payload: deliveredPayload(message) }),
      messageRead: async (message, ctx) => {
        await ctx.join(topicOf(message.payload.conversationId));
        joined++;
      },
      typingStarted: (message, ctx) => {
        const started = performance.now();
        const published = ctx.publish(topicOf(message.payload.conversationId), broadcastFor(message));
        onPublish(performance.now() - started);
        return published;
      },
      typingStopped: () => undefined,
    },
  });
  const address = await server.listen();
  return {
    port: address.port,
    counters: () => {
      const stats = server.stats();
      return { messagesIn: stats.messagesIn, messagesOut: stats.messagesOut, joined, connections: stats.connections, framesRejected: stats.framesRejected };
    },
    close: () => server.close({ timeoutMs: 500 }),
  };
}
