/**
 * Test helpers: start servers and real `ws` clients on 127.0.0.1, await frames and closes with
 * bounded timeouts, and clean everything up after each test.
 */
import { WebSocket, type ClientOptions } from 'ws';
import { createRuntimeServer, type RuntimeServer, type RuntimeServerOptions } from '../../../src/runtime/server/index.js';
import type { ApiProtocol } from '../../../src/runtime/protocol.js';
import { authenticate, protocol as defaultProtocol, type Principal } from './fixture.js';

const servers = new Set<RuntimeServer>();
const clients = new Set<WebSocket>();
const cleanups: Array<() => unknown> = [];

/** Rejects after `ms` with a message naming what was awaited. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Polls `predicate` every 5 ms until it is true (rejects after `ms`). */
export function until(predicate: () => boolean, ms: number, what: string): Promise<void> {
  return within(
    (async () => {
      while (!predicate()) await sleep(5);
    })(),
    ms,
    what,
  );
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Everything a test observes about one started server. */
export interface Started {
  server: RuntimeServer;
  port: number;
  /** ws:// URL of `path` on this server. */
  url(path: string): string;
  errors: Array<{ error: unknown; connectionId?: string }>;
  connects: string[];
  disconnects: Array<{ connectionId: string; code: number; reason: string }>;
}

/** Starts a server on 127.0.0.1 with the fixture protocol, test authenticate and recording hooks. */
export async function startServer(
  overrides: Partial<RuntimeServerOptions<Principal>> = {},
  protocol: ApiProtocol = defaultProtocol,
): Promise<Started> {
  const errors: Started['errors'] = [];
  const connects: string[] = [];
  const disconnects: Started['disconnects'] = [];
  const server = createRuntimeServer<Principal>(protocol, {
    port: 0,
    host: '127.0.0.1',
    authenticate,
    handlers: {},
    hooks: {
      onError: (error, conn) => errors.push({ error, connectionId: conn?.id }),
      onConnect: (conn) => connects.push(conn.id),
      onDisconnect: (conn, code, reason) => disconnects.push({ connectionId: conn.id, code, reason }),
    },
    ...overrides,
  });
  servers.add(server);
  const address = await server.listen();
  const port = address?.port ?? 0;
  return { server, port, url: (path) => `ws://127.0.0.1:${port}${path}`, errors, connects, disconnects };
}

/** Opens a client and resolves once it is open (rejects on refusal or after 5 s). */
export function connect(url: string, options: ClientOptions & { protocols?: string[] } = {}): Promise<WebSocket> {
  const { protocols, ...clientOptions } = options;
  const ws = new WebSocket(url, protocols ?? [], clientOptions);
  clients.add(ws);
  return within(
    new Promise((resolve, reject) => {
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
      ws.once('unexpected-response', (_request, response) => reject(new Error(`unexpected HTTP ${response.statusCode}`)));
    }),
    5_000,
    `open ${url}`,
  );
}

/**
 * Attempts an upgrade that must be refused: resolves the HTTP status and body the client saw,
 * and fails if a socket ever opens.
 */
export function refusal(url: string, options: ClientOptions & { protocols?: string[] } = {}): Promise<{ status: number; body: string }> {
  const { protocols, ...clientOptions } = options;
  const ws = new WebSocket(url, protocols ?? [], clientOptions);
  clients.add(ws);
  return within(
    new Promise((resolve, reject) => {
      ws.once('open', () => reject(new Error('the socket opened')));
      ws.once('error', reject);
      ws.once('unexpected-response', (request, response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => {
          request.destroy();
          resolve({ status: response.statusCode ?? 0, body });
        });
      });
    }),
    5_000,
    `refusal of ${url}`,
  );
}

/** Collects a client's text frames as parsed JSON, to await them in order. */
export class Inbox {
  readonly received: unknown[] = [];
  private waiters: Array<() => void> = [];

  constructor(ws: WebSocket) {
    ws.on('message', (data) => {
      this.received.push(JSON.parse(String(data)));
      for (const waiter of this.waiters.splice(0)) waiter();
    });
  }

  /** Waits until `count` frames arrived (2 s by default) and returns all received so far. */
  async atLeast(count: number, ms = 2_000): Promise<unknown[]> {
    const reached = new Promise<void>((resolve) => {
      const check = (): void => {
        if (this.received.length >= count) resolve();
        else this.waiters.push(check);
      };
      check();
    });
    await within(reached, ms, `${count} frame(s), got ${this.received.length}`);
    return this.received;
  }

  /** Waits for the frame number `index` (0-based). */
  async nth(index: number, ms = 2_000): Promise<unknown> {
    return (await this.atLeast(index + 1, ms))[index];
  }
}

/** Resolves the close code and reason a client saw (5 s by default). */
export function closed(ws: WebSocket, ms = 5_000): Promise<{ code: number; reason: string }> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.reject(new Error('already closed'));
  return within(new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }))), ms, 'close');
}

/** Sends a JSON frame. */
export function sendJson(ws: WebSocket, value: unknown): void {
  ws.send(JSON.stringify(value));
}

/** Registers extra cleanup (e.g. an http server) to run after the test. */
export function onCleanup(fn: () => unknown): void {
  cleanups.push(fn);
}

/** Terminates every client and closes every server started by the test. Use in afterEach. */
export async function cleanup(): Promise<void> {
  for (const ws of clients) ws.terminate();
  clients.clear();
  await Promise.all([...servers].map((server) => server.close({ timeoutMs: 500 })));
  servers.clear();
  for (const fn of cleanups.splice(0).reverse()) await fn();
}
