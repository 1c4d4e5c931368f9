/**
 * Development server of the chat page:
 *   npm run example:web -- --port 8081 [--chat-port 8082] [--host 127.0.0.1]
 * Bundles `app.ts` for the browser with esbuild once at start, serves `index.html` and `app.js`,
 * mints tokens at `GET /dev-token?sub=…&name=…`, and runs the example chat server on a second port
 * (restartable on its own through `chat.stop()` / `chat.start()`, as the browser test does).
 *
 * DEVELOPMENT ONLY: `/dev-token` signs a token for whoever asks, with any user id. It exists so the
 * page can be tried without a login service; never expose this server beyond your machine.
 * Environment: CHAT_JWT_SECRET (HS256 secret shared by `/dev-token` and the chat server).
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { createChatServer } from '../chat-app.js';
import { signToken } from '../tokens.js';

/** The secret used when CHAT_JWT_SECRET is not set (the same default as the example server). */
export const DEV_SECRET = 'dev-secret-change-me';
const USER_ID = /^(user|agent)_[A-Za-z0-9]+$/;
const MAX_NAME_LENGTH = 100;
const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

/** The chat server behind the page, stoppable and startable again on the same port. */
export interface ChatController {
  /** Its port (fixed once it first listened, so a restart reuses it). */
  readonly port: number;
  /** `ws://<host>:<port>/v1/ws/chat`. */
  readonly url: string;
  readonly running: boolean;
  /** Closes every connection (1001) and stops listening. Conversations held in memory are lost. */
  stop(): Promise<void>;
  /** Listens again on the same port with a fresh chat server. */
  start(): Promise<void>;
}

/** The running page server. */
export interface WebServer {
  /** URL of the page, e.g. `http://127.0.0.1:8081/`. */
  url: string;
  chat: ChatController;
  /** What esbuild bundled into `app.js` (paths relative to the working directory) and its size. */
  bundle: { inputs: string[]; bytes: number };
  /** Stops the chat server and the page server. */
  close(): Promise<void>;
}

/** Options of {@link startWeb}. */
export interface WebOptions {
  /** Port of the page; 0 (default) picks a free one. */
  port?: number;
  /** Port of the chat server; 0 (default) picks a free one. */
  chatPort?: number;
  /** Interface both listen on. Default 127.0.0.1 (see the warning at the top). */
  host?: string;
  /** HS256 secret for `/dev-token` and the chat server. Default: CHAT_JWT_SECRET, else {@link DEV_SECRET}. */
  secret?: string;
}

/** Bundles the page, starts the chat server, then serves the page; resolves once both listen. */
export async function startWeb(options: WebOptions = {}): Promise<WebServer> {
  const host = options.host ?? '127.0.0.1';
  const secret = options.secret ?? process.env['CHAT_JWT_SECRET'] ?? DEV_SECRET;
  for (const [name, value] of [['port', options.port], ['chatPort', options.chatPort]] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 0 || value > 65535)) throw new RangeError(`options.${name} must be an integer from 0 to 65535, got ${value}.`);
  }
  const bundle = await bundleApp();
  const chat = await startChat(host, options.chatPort ?? 0, secret);
  const page = (await readFile(here('index.html'), 'utf8')).replace('{{CHAT_PORT}}', String(chat.port));
  const http = createServer((request, response) => {
    route(request, response, { page, script: bundle.script, chatPort: chat.port, secret }).catch(() => {
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'text/plain' });
      response.end('internal error');
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port ?? 0, host, () => {
        http.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await chat.stop();
    throw error;
  }
  const { port } = http.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}/`,
    chat,
    bundle: { inputs: bundle.inputs, bytes: bundle.script.byteLength },
    close: () => {
      closing ??= (async () => {
        await chat.stop();
        http.closeAllConnections();
        await new Promise<void>((resolve) => http.close(() => resolve()));
      })();
      return closing;
    },
  };
}

/** `app.ts` and everything it imports as one minified browser script. */
async function bundleApp(): Promise<{ script: Buffer; inputs: string[] }> {
  const result = await build({
    entryPoints: [here('app.ts')],
    bundle: true,
    minify: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error('esbuild produced no output for app.ts');
  return { script: Buffer.from(output.contents), inputs: Object.keys(result.metafile.inputs) };
}

async function startChat(host: string, initialPort: number, secret: string): Promise<ChatController> {
  let port = initialPort;
  let current: ReturnType<typeof createChatServer> | undefined;
  const controller: ChatController = {
    get port() {
      return port;
    },
    get url() {
      return `ws://${host}:${port}/v1/ws/chat`;
    },
    get running() {
      return current !== undefined;
    },
    async start() {
      if (current !== undefined) return;
      const chat = createChatServer({ port, host, tokens: { secret } });
      const address = await chat.server.listen();
      port = address?.port ?? port;
      current = chat;
    },
    async stop() {
      const chat = current;
      current = undefined;
      await chat?.server.close({ timeoutMs: 2000 });
    },
  };
  await controller.start();
  return controller;
}

interface RouteContext {
  page: string;
  script: Buffer;
  chatPort: number;
  secret: string;
}

async function route(request: IncomingMessage, response: ServerResponse, context: RouteContext): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('method not allowed');
    return;
  }
  const hostname = (request.headers.host ?? '127.0.0.1').replace(/:\d+$/, '');
  const securityHeaders = {
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': `default-src 'self'; connect-src 'self' ws://${hostname}:${context.chatPort}; style-src 'self' 'unsafe-inline'; img-src 'self' data:`,
  };
  switch (url.pathname) {
    case '/':
    case '/index.html':
      response.writeHead(200, { ...securityHeaders, 'Content-Type': 'text/html; charset=utf-8' }).end(context.page);
      return;
    case '/app.js':
      response.writeHead(200, { ...securityHeaders, 'Content-Type': 'text/javascript; charset=utf-8' }).end(context.script);
      return;
    case '/dev-token':
      await devToken(url.searchParams, response, context.secret);
      return;
    case '/favicon.ico':
      response.writeHead(204).end();
      return;
    default:
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
  }
}

/** DEV ONLY: signs a one-hour token for any `sub` (`user_…` or `agent_…`) and optional `name`. */
async function devToken(query: URLSearchParams, response: ServerResponse, secret: string): Promise<void> {
  const sub = query.get('sub') ?? '';
  const name = query.get('name') ?? undefined;
  if (!USER_ID.test(sub) || (name !== undefined && (name.trim() === '' || name.length > MAX_NAME_LENGTH))) {
    response.writeHead(400, { 'Content-Type': 'text/plain' }).end('sub must look like user_alice or agent_sarah; name must be 1 to 100 characters');
    return;
  }
  const token = await signToken({ sub, name }, secret);
  response.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store' }).end(token);
}

/** `npm run example:web`: starts everything and prints where to go. */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '8081' }, 'chat-port': { type: 'string' }, host: { type: 'string', default: '127.0.0.1' } } });
  const port = Number(values.port);
  const chatPort = values['chat-port'] === undefined ? (port === 0 ? 0 : port + 1) : Number(values['chat-port']);
  if (process.env['CHAT_JWT_SECRET'] === undefined) console.warn('warning: CHAT_JWT_SECRET is not set; using the development secret. Never do this in production.');
  console.warn('warning: /dev-token signs a token for anyone who asks: development only, keep this server on localhost.');
  let web: WebServer;
  try {
    web = await startWeb({ port, chatPort, host: values.host });
  } catch (error) {
    console.error(error instanceof RangeError ? error.message : `could not start: ${(error as Error).message}`);
    process.exit(2);
  }
  console.log(`chat page:   ${web.url}?user=user_alice&name=Alice&conversation=conv_demo`);
  console.log(`agent view:  ${web.url}?user=agent_sarah&name=Sarah&conversation=conv_demo`);
  console.log(`chat server: ${web.chat.url}`);
  const stop = (): void => void web.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) await main();
