/**
 * Run by test/package-consumer.test.ts inside a fresh consumer project that installed the packed
 * tarball: plain Node ESM, no TypeScript, no loader. Imports every public entry point by its
 * package name, starts the generated server on 127.0.0.1, round-trips a chat message with the
 * generated client, closes both, and prints one JSON line with what it observed.
 */
import { validateChatMessage, CloseCode } from 'petstore-support-chat';
import { createServer } from 'petstore-support-chat/server';
import { createClient } from 'petstore-support-chat/client';
import { isChatMessage } from 'petstore-support-chat/messages';
import { validateMessageDelivered } from 'petstore-support-chat/validators';
import packageJson from 'petstore-support-chat/package.json' with { type: 'json' };

const TOKEN = 'consumer-token';
const frame = {
  type: 'chatMessage',
  payload: { conversationId: 'conv_pack', senderId: 'user_pack', content: 'Hello from a consumer', timestamp: '2025-01-06T12:00:00Z' },
};

const valid = validateChatMessage(frame);
const invalid = validateChatMessage({ type: 'chatMessage', payload: { conversationId: 'conv_pack', senderId: 'user_pack', timestamp: 'yesterday' } });

const handled = [];
const server = createServer({
  port: 0,
  host: '127.0.0.1',
  authenticate: ({ token }) => (token === TOKEN ? { userId: 'user_pack' } : null),
  handlers: {
    chatMessage: (message, ctx) => {
      handled.push(message.type);
      ctx.reply({ type: 'messageDelivered', payload: { conversationId: message.payload.conversationId, messageId: 'msg_pack1', timestamp: '2025-01-06T12:00:01Z' } });
    },
    messageRead: (message) => void handled.push(message.type),
    typingStarted: (message) => void handled.push(message.type),
    typingStopped: (message) => void handled.push(message.type),
  },
});

const watchdog = setTimeout(() => {
  console.error('node-smoke: timed out');
  process.exit(2);
}, 15_000);

const address = await server.listen();
const client = createClient({ url: `ws://127.0.0.1:${address.port}/v1/ws/chat`, token: TOKEN, reconnect: false, requestTimeoutMs: 5000 });
const states = [];
client.on('state', (state) => states.push(state));
try {
  await client.ready();
  const reply = await client.request(frame, { timeoutMs: 5000 });
  await client.close();
  await server.close({ timeoutMs: 2000 });
  clearTimeout(watchdog);
  console.log(
    JSON.stringify({
      name: packageJson.name,
      resolved: import.meta.resolve('petstore-support-chat'),
      valid: valid.ok,
      invalidIssues: valid.ok && !invalid.ok ? invalid.issues.map((issue) => issue.path) : null,
      isChatMessage: isChatMessage(frame),
      normalClose: CloseCode.NORMAL,
      port: address.port,
      reply,
      replyValid: validateMessageDelivered(reply).ok,
      handled,
      states,
      finalState: client.state,
    }),
  );
} catch (error) {
  await client.close().catch(() => undefined);
  await server.close({ timeoutMs: 1000 }).catch(() => undefined);
  throw error;
}
