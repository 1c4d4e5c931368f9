/**
 * Runs the example chat server:
 *   npm run example:server -- --port 8080 [--host 127.0.0.1]
 * Environment: CHAT_JWT_SECRET (HS256 secret), REDIS_URL (enables Redis pub/sub),
 * CHAT_ALLOWED_ORIGINS (comma-separated exact origins). SIGTERM/SIGINT shut it down gracefully.
 */
import { parseArgs } from 'node:util';
import { createChatServer } from './chat-app.js';

const DEFAULT_SECRET = 'dev-secret-change-me';

const { values } = parseArgs({ options: { port: { type: 'string', default: '8080' }, host: { type: 'string', default: '127.0.0.1' } } });
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be an integer from 0 to 65535, got ${values.port}`);
  process.exit(2);
}
const secret = process.env['CHAT_JWT_SECRET'] ?? DEFAULT_SECRET;
if (secret === DEFAULT_SECRET) console.warn('warning: CHAT_JWT_SECRET is not set; using the development secret. Never do this in production.');
const origins = process.env['CHAT_ALLOWED_ORIGINS']?.split(',').map((origin) => origin.trim()).filter(Boolean);

const chat = createChatServer({
  port,
  host: values.host,
  tokens: { secret },
  redisUrl: process.env['REDIS_URL'],
  allowedOrigins: origins,
  log: process.env['CHAT_LOG'] === '1' ? (line) => console.error(line) : undefined,
});
const address = await chat.server.listen();
console.log(`listening on ws://${values.host}:${address?.port ?? port}/v1/ws/chat`);

let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  console.error(`${signal}: closing connections (1001) and shutting down`);
  chat.server.close({ timeoutMs: 10_000 }).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`shutdown failed: ${(error as Error).message}`);
      process.exit(1);
    },
  );
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
