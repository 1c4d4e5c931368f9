/**
 * WebSocket selection and token placement.
 *
 * The client must run in browsers and in Node without bundlers pulling Node code into browser
 * builds, so `ws` is never imported statically: it is loaded on first use, through an import
 * whose specifier bundlers cannot see, and only when no WebSocket was injected and the host has
 * none (Node 20) or the token must travel in a header (which only `ws` can set).
 */
import type { AuthProtocol } from '../protocol.js';
import type { AuthPlacement } from './options.js';

/** `WebSocket.OPEN`, the same in browsers and `ws`. */
export const OPEN = 1;

/**
 * What the client uses of a WebSocket: the browser API's `on*` properties, which both browsers
 * and the `ws` library implement (text frames arrive as strings in both).
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
}

/** The extra surface of the `ws` library's WebSocket (Node): ping/pong, upgrade response, terminate. */
export interface NodeWebSocketLike extends WebSocketLike {
  on(event: string, listener: (...args: never[]) => void): unknown;
  ping(): void;
  terminate(): void;
}

/**
 * A WebSocket constructor: the browser's, the `ws` library's, or a compatible one. The third
 * argument (upgrade headers) is only passed with `auth: 'header'`; browsers ignore it.
 */
export type WebSocketLikeConstructor = new (url: string, protocols?: string | string[], options?: { headers?: Record<string, string> }) => object;

/** True for sockets of the `ws` library (they expose ping/pong and the upgrade response). */
export function isNodeWebSocket(socket: WebSocketLike): socket is NodeWebSocketLike {
  const candidate = socket as Partial<NodeWebSocketLike>;
  return typeof candidate.on === 'function' && typeof candidate.ping === 'function' && typeof candidate.terminate === 'function';
}

/** Arguments for the WebSocket constructor with the token placed. */
export interface ConnectRequest {
  url: string;
  protocols: string[] | undefined;
  headers: Record<string, string> | undefined;
}

/**
 * Places `token` (when there is one): as the API's query parameter, as the subprotocol pair
 * `[subprotocol, token]`, or as a header — the API's `auth.header` carrying the raw token, else
 * `Authorization: Bearer <token>`.
 */
export function buildConnectRequest(url: string, auth: AuthPlacement, api: AuthProtocol | undefined, token: string | undefined): ConnectRequest {
  if (token === undefined) return { url, protocols: undefined, headers: undefined };
  if (auth === 'query') {
    const withToken = new URL(url);
    withToken.searchParams.set(api?.queryParameter ?? 'token', token);
    return { url: withToken.toString(), protocols: undefined, headers: undefined };
  }
  if (auth === 'subprotocol') return { url, protocols: [api?.subprotocol ?? 'bearer', token], headers: undefined };
  const headers = api?.header !== undefined ? { [api.header]: token } : { authorization: `Bearer ${token}` };
  return { url, protocols: undefined, headers };
}

/**
 * Picks the WebSocket constructor: the injected one, else the host's (`globalThis.WebSocket`),
 * else the `ws` package. With a header token the host's is skipped: browser-style constructors
 * cannot set headers.
 */
export function resolveWebSocket(injected: WebSocketLikeConstructor | undefined, needsHeaders: boolean): Promise<WebSocketLikeConstructor> {
  if (injected !== undefined) return Promise.resolve(injected);
  const host = (globalThis as { WebSocket?: unknown }).WebSocket;
  if (!needsHeaders && typeof host === 'function') return Promise.resolve(host as WebSocketLikeConstructor);
  return loadWsLibrary();
}

let wsLibrary: Promise<WebSocketLikeConstructor> | undefined;

/** Loads the `ws` package once, hidden from bundlers (a browser build must not contain it). */
export function loadWsLibrary(): Promise<WebSocketLikeConstructor> {
  wsLibrary ??= importWs().catch((cause: unknown) => {
    wsLibrary = undefined; // let a later connect try again (e.g. after the package is installed)
    throw new Error("No WebSocket implementation: pass options.WebSocket, run where globalThis.WebSocket exists, or install the 'ws' package (needed for auth 'header').", { cause });
  });
  return wsLibrary;
}

/**
 * A dynamic import whose specifier is a parameter: bundlers cannot see (or inline, when
 * minifying, as esbuild does with a local constant) which module it loads, so `ws` never ends
 * up in a browser bundle.
 */
function importModule(specifier: string): Promise<unknown> {
  return import(/* @vite-ignore */ /* webpackIgnore: true */ specifier);
}

async function importWs(): Promise<WebSocketLikeConstructor> {
  const module: unknown = await importModule('ws');
  const exports = module as { WebSocket?: unknown; default?: unknown };
  const constructor = typeof exports.WebSocket === 'function' ? exports.WebSocket : exports.default;
  if (typeof constructor !== 'function') throw new TypeError("The 'ws' package exports no WebSocket class.");
  return constructor as WebSocketLikeConstructor;
}
