/**
 * A chat API protocol for the client runtime tests, with ajv-compiled validators, plus a small
 * real `ws` server on 127.0.0.1 that records what it receives.
 */
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv } from 'ajv';
import type { ErrorObject } from 'ajv';
import { WebSocketServer } from 'ws';
import type { WebSocket, ServerOptions } from 'ws';
import { isPlainObject } from '../../../src/runtime/protocol.js';
import type { ApiProtocol, AuthProtocol, MessageRoute, ProtocolError, Validator } from '../../../src/runtime/protocol.js';
import type { RuntimeClient } from '../../../src/runtime/client/index.js';

const ajv = new Ajv({ allErrors: true });

function validator(schema: object): Validator {
  const validate = ajv.compile(schema);
  return (value) =>
    validate(value)
      ? { ok: true, value }
      : { ok: false, issues: (validate.errors ?? []).map((e: ErrorObject) => ({ path: e.instancePath, message: e.message ?? 'is invalid' })) };
}

function envelope(type: string, payload: object, extra: Record<string, object> = {}, required: string[] = []): object {
  return {
    type: 'object',
    required: ['type', 'payload', ...required],
    additionalProperties: false,
    properties: { type: { const: type }, payload: { type: 'object', additionalProperties: false, ...payload }, ...extra },
  };
}

function route(key: string, schema: object): MessageRoute {
  return { key, discriminatorValue: key, validate: validator(schema) };
}

const conversationId = { type: 'string', minLength: 1 };

/** Builds the chat protocol; `auth` replaces the default (query `token` + subprotocol `bearer`), `'none'` removes it. */
export function chatProtocol(auth: AuthProtocol | 'none' = { queryParameter: 'token', subprotocol: 'bearer' }): ApiProtocol {
  return {
    title: 'Chat',
    basePath: '',
    ...(auth === 'none' ? {} : { auth }),
    errorMessage: {
      key: 'error',
      toFrame: (error: ProtocolError) => ({ type: 'error', payload: error }),
      fromFrame: (frame: unknown) => (isPlainObject(frame) && isPlainObject(frame.payload) ? (frame.payload as unknown as ProtocolError) : undefined),
    },
    channels: [
      {
        id: 'chat',
        address: '/ws/chat',
        parameters: {},
        discriminator: 'type',
        clientToServer: [
          route('chatMessage', envelope('chatMessage', { required: ['conversationId', 'content'], properties: { conversationId, content: { type: 'string', maxLength: 2000 } } }, { id: { type: 'string' } })),
          route('typingStarted', envelope('typingStarted', { required: ['conversationId'], properties: { conversationId } })),
        ],
        serverToClient: [
          route('chatMessage', envelope('chatMessage', { required: ['conversationId', 'messageId', 'senderId', 'content'], properties: { conversationId, messageId: { type: 'string' }, senderId: { type: 'string' }, content: { type: 'string' } } })),
          route('messageDelivered', envelope('messageDelivered', { required: ['messageId'], properties: { messageId: { type: 'string' }, conversationId } }, { id: { type: 'string' } }, ['id'])),
          route('typingStarted', envelope('typingStarted', { required: ['conversationId'], properties: { conversationId } })),
          route('error', envelope('error', {
            additionalProperties: true,
            required: ['code', 'message'],
            properties: {
              code: { type: 'string' },
              message: { type: 'string' },
              details: { type: 'array' },
              ref: { type: 'object', properties: { type: { type: 'string' }, id: { type: 'string' } } },
            },
          })),
        ],
        replies: { chatMessage: { replyKeys: ['messageDelivered'], correlationProperty: 'id' } },
      },
    ],
  };
}

/** A chat message the client may send. */
export function chatMessage(content = 'hello', id?: string): Record<string, unknown> {
  return { type: 'chatMessage', ...(id === undefined ? {} : { id }), payload: { conversationId: 'c1', content } };
}

/** The delivery receipt a server sends for `id`. */
export function delivered(id: string): string {
  return JSON.stringify({ type: 'messageDelivered', id, payload: { messageId: `m-${id}` } });
}

/** One accepted connection as the test server sees it. */
export interface ServerConnection {
  socket: WebSocket;
  request: IncomingMessage;
  /** Parsed frames received on this connection, in order. */
  received: unknown[];
}

/** A `ws` server on 127.0.0.1 with a random port. */
export interface TestServer {
  wss: WebSocketServer;
  url: string;
  port: number;
  connections: ServerConnection[];
  /** Every frame received, over all connections. */
  received(): unknown[];
  /** Resolves with the next connection (or the n-th, 0-based, when given). */
  connection(index?: number): Promise<ServerConnection>;
  close(): Promise<void>;
}

/** Starts a server; `onConnection` runs for each accepted connection, `onFrame` for each frame. */
export async function startServer(
  handlers: { onConnection?: (connection: ServerConnection) => void; onFrame?: (frame: Record<string, unknown>, connection: ServerConnection) => void } = {},
  options: ServerOptions = {},
): Promise<TestServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, ...options });
  await once(wss, 'listening');
  const connections: ServerConnection[] = [];
  const waiters: Array<() => void> = [];
  wss.on('connection', (socket, request) => {
    const connection: ServerConnection = { socket, request, received: [] };
    connections.push(connection);
    socket.on('message', (data) => {
      const frame: unknown = JSON.parse(String(data));
      connection.received.push(frame);
      handlers.onFrame?.(frame as Record<string, unknown>, connection);
    });
    handlers.onConnection?.(connection);
    for (const waiter of waiters.splice(0)) waiter();
  });
  const port = (wss.address() as AddressInfo).port;
  return {
    wss,
    port,
    url: `ws://127.0.0.1:${port}/ws/chat`,
    connections,
    received: () => connections.flatMap((c) => c.received),
    async connection(index = connections.length) {
      while (connections.length <= index) await new Promise<void>((resolve) => waiters.push(resolve));
      return connections[index] as ServerConnection;
    },
    async close() {
      // ws 8's close() leaves accepted sockets open: end them first.
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** Polls `condition` every 5 ms until it holds; fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await delay(5);
  }
}

/** Resolves after `ms`. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Records every 'state' and 'clientError' event of a client. */
export function record(client: RuntimeClient): { states: unknown[]; errors: unknown[] } {
  const log = { states: [] as unknown[], errors: [] as unknown[] };
  client.on('state', (state) => log.states.push(state));
  client.on('clientError', (error) => log.errors.push(error));
  return log;
}

/** Tracks clients and servers of one test so afterEach can close them all. */
export class Cleanup {
  private readonly items: Array<{ close(): Promise<void> | void }> = [];
  add<T extends { close(): Promise<void> | void }>(item: T): T {
    this.items.push(item);
    return item;
  }
  async run(): Promise<void> {
    const items = this.items.splice(0).reverse();
    for (const item of items) await item.close();
  }
}
