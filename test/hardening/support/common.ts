/**
 * Small shared helpers of the hardening suite: bounded waiting, free ports, the API's documented
 * close codes, and a raw `ws` connection that queues what the server sends.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import WebSocket from 'ws';

/** Repository root. */
export const ROOT = path.resolve(import.meta.dirname, '../../..');

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Rejects after `ms` with a message naming what was awaited. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Polls `predicate` every 10 ms until it holds (rejects after `ms`). */
export async function until(predicate: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** The close codes listed in the "Close codes" table of `asyncapi.yaml`'s description. */
export function documentedCloseCodes(): Set<number> {
  const document = parse(readFileSync(path.join(ROOT, 'asyncapi.yaml'), 'utf8')) as { info: { description: string } };
  const table = document.info.description.split('## Close codes')[1] ?? '';
  const codes = [...table.matchAll(/^\|\s*(\d{4})\s*\|/gm)].map((match) => Number(match[1]));
  if (codes.length === 0) throw new Error('asyncapi.yaml has no close-code table');
  return new Set(codes);
}

/** Something the server sent on a {@link RawClient}: a parsed text frame, or the close. */
export type Received = { kind: 'frame'; frame: unknown; text: string } | { kind: 'close'; code: number; reason: string };

/** A `ws` client without the generated client's logic: it records every frame and the close. */
export class RawClient {
  readonly events: Received[] = [];
  private cursor = 0;
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? '<binary>' : String(data);
      let frame: unknown;
      try {
        frame = JSON.parse(text);
      } catch {
        frame = { unparsable: text.slice(0, 200) };
      }
      this.push({ kind: 'frame', frame, text });
    });
    ws.on('close', (code, reason) => {
      this.closed = true;
      this.push({ kind: 'close', code, reason: reason.toString() });
    });
    ws.on('error', () => undefined);
  }

  /** Opens a connection (rejects with `HTTP <status>` on a refused upgrade, or after `ms`). */
  static open(url: string, options: WebSocket.ClientOptions & { protocols?: string[] } = {}, ms = 5_000): Promise<RawClient> {
    const { protocols, ...rest } = options;
    const ws = new WebSocket(url, protocols ?? [], { ...rest, perMessageDeflate: false });
    return within(
      new Promise<RawClient>((resolve, reject) => {
        const client = new RawClient(ws);
        ws.once('open', () => resolve(client));
        ws.once('unexpected-response', (request, response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (body += chunk.slice(0, 10_000)));
          const done = (): void => {
            request.destroy();
            reject(Object.assign(new Error(`HTTP ${response.statusCode}`), { status: response.statusCode, body, headers: response.headers }));
          };
          response.once('end', done);
          response.once('error', done);
          response.once('close', done);
        });
        ws.once('error', reject);
      }),
      ms,
      `open ${url.replace(/token=[^&]+/, 'token=…')}`,
    ).catch((error: unknown) => {
      ws.terminate();
      throw error;
    });
  }

  private push(event: Received): void {
    this.events.push(event);
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** Waits for the next event matching `predicate` after the cursor; consumes everything up to it. */
  async next(predicate: (event: Received) => boolean, ms: number, what: string): Promise<Received> {
    const deadline = Date.now() + ms;
    for (;;) {
      while (this.cursor < this.events.length) {
        const event = this.events[this.cursor++] as Received;
        if (predicate(event)) return event;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
      await within(new Promise<void>((resolve) => this.waiters.push(resolve)), left, what).catch(() => undefined);
    }
  }

  /** Events not consumed by {@link next} yet. */
  pending(): Received[] {
    return this.events.slice(this.cursor);
  }

  /** Destroys the socket. */
  terminate(): void {
    this.ws.terminate();
  }
}

/** Resident set size and its peak (VmHWM) of a process, in bytes, from /proc (Linux). */
export function procMemory(pid: number): { rss: number; peakRss: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), peakRss: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** Megabytes, one decimal. */
export const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
