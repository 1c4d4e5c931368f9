/**
 * The example chat server and two terminal clients as real child processes on 127.0.0.1: a line
 * typed into one client reaches the other, the sender sees the delivery confirmation, and EOF on
 * stdin closes a client cleanly (exit code 0).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SECRET = 'cli-test-secret';
const CONVERSATION = 'conv_e2ecli';
/** Bound of one expected line (includes a tsx cold start of the child). */
const LINE_TIMEOUT_MS = 15_000;

/** A child process and everything it printed so far. */
interface Child {
  process: ChildProcessWithoutNullStreams;
  stdout: string;
  stderr: string;
}

const children: Child[] = [];

function start(script: string, args: string[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: { ...process.env, CHAT_JWT_SECRET: SECRET, FORCE_COLOR: '0' },
    stdio: 'pipe',
  });
  const entry: Child = { process: child, stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (entry.stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (entry.stderr += chunk));
  children.push(entry);
  return entry;
}

/** Resolves with the first match of `pattern` in the child's stdout, waiting for it if need be. */
function waitForOutput(child: Child, pattern: RegExp, timeoutMs = LINE_TIMEOUT_MS): Promise<RegExpMatchArray> {
  return new Promise((resolvePromise, reject) => {
    const check = (): boolean => {
      const match = child.stdout.match(pattern);
      if (match === null) return false;
      clearTimeout(timer);
      child.process.stdout.off('data', check);
      child.process.off('exit', exited);
      resolvePromise(match);
      return true;
    };
    const exited = (code: number | null): void => {
      if (!check()) fail(`exited with ${code} before printing ${pattern}`);
    };
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.process.stdout.off('data', check);
      child.process.off('exit', exited);
      reject(new Error(`${why}\n--- stdout\n${child.stdout}\n--- stderr\n${child.stderr}`));
    };
    const timer = setTimeout(() => fail(`no ${pattern} within ${timeoutMs} ms`), timeoutMs);
    // Registered after setEncoding's listener, so the buffer already holds the new chunk.
    child.process.stdout.on('data', check);
    child.process.once('exit', exited);
    check();
  });
}

function exitCode(child: Child): Promise<number | null> {
  if (child.process.exitCode !== null) return Promise.resolve(child.process.exitCode);
  return new Promise((resolvePromise) => child.process.once('exit', (code) => resolvePromise(code)));
}

const client = (url: string, user: string, name: string): Child =>
  start('examples/chat-client.ts', ['--url', url, '--user', user, '--name', name, '--conversation', CONVERSATION]);

let alice: Child;
let bob: Child;

beforeAll(async () => {
  const server = start('examples/chat-server.ts', ['--port', '0']);
  const [, url, port] = await waitForOutput(server, /listening on (ws:\/\/127\.0\.0\.1:(\d+)\/v1\/ws\/chat)/);
  expect(Number(port)).toBeGreaterThan(0); // --port 0 reports the port it really got
  alice = client(url!, 'user_alice', 'Alice');
  bob = client(url!, 'agent_bob', 'Bob');
  await Promise.all([waitForOutput(alice, /\* connection open/), waitForOutput(bob, /\* connection open/)]);
});

afterAll(async () => {
  for (const child of children) if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
  await Promise.all(children.map(exitCode));
});

describe('chat CLI clients', () => {
  it('prints a line typed into one client in the other, and confirms delivery to the sender', async () => {
    alice.process.stdin.write('My hamster escaped\n');
    await waitForOutput(bob, /^Alice: My hamster escaped$/m);
    await waitForOutput(alice, /^✓ delivered msg_[A-Za-z0-9]+$/m);
    // Piped input frames each line with typing indicators (before her first message only her
    // id is known: typing frames carry no display name), and an agent gets assigned.
    await waitForOutput(bob, /^\* (Alice|user_alice) is typing…$/m);
    await waitForOutput(alice, /^\* agent Sarah Johnson \(agent_sarah\) joined the conversation$/m);
  });

  it('works the other way round', async () => {
    bob.process.stdin.write('Checking the cage now\n');
    await waitForOutput(alice, /^Bob: Checking the cage now$/m);
    expect(bob.stdout).not.toMatch(/^Bob: /m); // no echo of one's own messages
  });

  it('exits with 0 on EOF after its last message is confirmed', async () => {
    alice.process.stdin.end('Bye\n');
    expect(await exitCode(alice)).toBe(0);
    expect(alice.stdout.match(/^✓ delivered msg_/gm)).toHaveLength(2);
    expect(alice.stdout).toMatch(/\* connection closed\s*$/);
    await waitForOutput(bob, /^Alice: Bye$/m);
    expect(alice.stderr).not.toMatch(/error/i);
  });

  it('exits with 0 on SIGINT', async () => {
    bob.process.kill('SIGINT');
    expect(await exitCode(bob)).toBe(0);
  });
});
