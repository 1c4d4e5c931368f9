/**
 * Processes the hardening scenarios start — the chat harness, the example CLI server and
 * redis-server — each killed by whoever started it (every handle has `kill()`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ChatServerOptions } from '../../../examples/chat-app.js';
import type { ServerStats } from '../../../generated/src/server.js';
import { ROOT, within } from './common.js';

/** Memory figures of the harness, after a full GC. */
export interface Probe {
  rss: number;
  heapUsed: number;
  external: number;
  peakRss: number;
  stats: ServerStats;
  conversations: number;
  polluted: boolean;
}

/** A chat server in a child process (see `chat-child.ts`). */
export interface ChildChat {
  port: number;
  pid: number;
  /** Every log line so far. */
  log: string[];
  probe(): Promise<Probe>;
  /** True while the process runs. */
  alive(): boolean;
  kill(): Promise<void>;
}

/** Starts the harness with `options` (no `log`: lines come back over IPC). */
export async function startChildChat(options: Omit<ChatServerOptions, 'log' | 'server' | 'pubsub'>): Promise<ChildChat> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(ROOT, 'test/hardening/support/chat-child.ts')], {
    cwd: ROOT,
    env: { ...process.env, HARDENING_CHAT_OPTIONS: JSON.stringify(options, (_key, value: unknown) => (value === Infinity ? 'Infinity' : value)) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const log: string[] = [];
  const probes: Array<(probe: Probe) => void> = [];
  let stderrOfExit = '';
  const ready = new Promise<number>((resolve, reject) => {
    child.on('message', (message: { ready?: number; log?: string; probe?: Probe }) => {
      if (message.ready !== undefined) resolve(message.ready);
      if (message.log !== undefined && log.length < 100_000) log.push(message.log);
      if (message.probe !== undefined) probes.shift()?.(message.probe);
    });
    child.once('exit', (code, signal) => {
      stderrOfExit = `exit ${code ?? signal}`;
      reject(new Error(`chat harness exited before listening (${stderrOfExit})`));
    });
  });
  const kill = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await within(exited, 5_000, 'harness exit').catch(() => undefined);
  };
  try {
    const port = await within(ready, 30_000, 'chat harness to listen');
    return {
      port,
      pid: child.pid ?? 0,
      log,
      alive: () => child.exitCode === null && child.signalCode === null,
      probe: () =>
        within(
          new Promise<Probe>((resolve) => {
            probes.push(resolve);
            child.send({ probe: true });
          }),
          10_000,
          'harness probe',
        ),
      kill,
    };
  } catch (error) {
    await kill();
    throw error;
  }
}

/** A process that can be killed -9 and restarted on the same port. */
export interface Restartable {
  readonly port: number;
  /** Unexpected exits (not caused by kill()) so far. */
  readonly crashes: string[];
  start(): Promise<void>;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
  running(): boolean;
  pid(): number | undefined;
}

/** Spawns `command` and resolves once a stdout line matches `ready`. */
function restartable(label: string, port: number, command: () => ChildProcess, ready: RegExp, startMs: number): Restartable {
  let child: ChildProcess | undefined;
  const crashes: string[] = [];
  return {
    port,
    crashes,
    async start() {
      const spawned = command();
      child = spawned;
      let output = '';
      spawned.stderr?.on('data', (chunk: Buffer) => {
        if (output.length < 20_000) output += chunk.toString();
      });
      spawned.once('exit', (code, signal) => {
        if ((spawned as ChildProcess & { killedByUs?: boolean }).killedByUs !== true) crashes.push(`${label} exited unexpectedly (${code ?? signal}): ${output.slice(-2000)}`);
      });
      await within(
        new Promise<void>((resolve, reject) => {
          let stdout = '';
          spawned.stdout?.on('data', (chunk: Buffer) => {
            stdout += chunk.toString();
            if (ready.test(stdout)) resolve();
          });
          spawned.once('exit', () => reject(new Error(`${label} exited while starting: ${output.slice(-2000)}`)));
        }),
        startMs,
        `${label} to start`,
      ).catch(async (error: unknown) => {
        (spawned as ChildProcess & { killedByUs?: boolean }).killedByUs = true;
        spawned.kill('SIGKILL');
        throw error;
      });
    },
    async kill() {
      const current = child;
      child = undefined;
      if (current === undefined || current.exitCode !== null || current.signalCode !== null) return;
      (current as ChildProcess & { killedByUs?: boolean }).killedByUs = true;
      const exited = new Promise((resolve) => current.once('exit', resolve));
      current.kill('SIGKILL');
      await within(exited, 5_000, `${label} to exit`).catch(() => undefined);
    },
    running: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    pid: () => child?.pid,
  };
}

/** redis-server without persistence on `port`. */
export function redisServer(port: number): Restartable {
  return restartable(
    `redis-server :${port}`,
    port,
    () => spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] }),
    /Ready to accept connections/,
    10_000,
  );
}

/** The example CLI server (`examples/chat-server.ts`) on `port`, sharing `redisUrl`. */
export function exampleServer(port: number, redisUrl: string, secret: string): Restartable {
  return restartable(
    `chat-server :${port}`,
    port,
    () =>
      spawn(process.execPath, ['--import', 'tsx', 'examples/chat-server.ts', '--port', String(port)], {
        cwd: ROOT,
        env: { ...process.env, CHAT_JWT_SECRET: secret, REDIS_URL: redisUrl, CHAT_LOG: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    /listening on ws:\/\//,
    30_000,
  );
}
