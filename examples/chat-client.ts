/**
 * A terminal client for the example chat, on top of the generated client:
 *   npm run example:client -- --url ws://127.0.0.1:8080/v1/ws/chat --user user_alice --name Alice --conversation conv_demo
 * Every line you type is sent as a chat message (`✓ delivered msg_…` once the server confirms it);
 * messages, typing indicators, agent assignments and errors of the conversation print one per line.
 * EOF (Ctrl-D) or Ctrl-C closes the connection and exits.
 * Environment: CHAT_JWT_SECRET, the HS256 secret the dev token is signed with (default: the
 * development secret, with a warning). Development tool: it mints its own tokens.
 */
import { createInterface, type Interface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createClient, type Client } from '../generated/src/client.js';
import { signToken } from './tokens.js';

const DEFAULT_SECRET = 'dev-secret-change-me';
const DEFAULT_URL = 'ws://127.0.0.1:8080/v1/ws/chat';
/** Typing indicator ends after this much silence at the keyboard. */
const TYPING_IDLE_MS = 3000;
/** How long EOF waits for unconfirmed messages before closing anyway. */
const DRAIN_TIMEOUT_MS = 10_000;
const USER_ID = /^(user|agent)_[A-Za-z0-9]+$/;
const CONVERSATION_ID = /^conv_[A-Za-z0-9]+$/;
const USAGE = 'usage: chat-client --user user_alice [--name Alice] [--conversation conv_demo] [--url ws://127.0.0.1:8080/v1/ws/chat]';

/** Command-line options after validation. */
interface CliOptions {
  url: string;
  user: string;
  name: string;
  conversation: string;
}

function parseOptions(): CliOptions {
  const { values } = parseArgs({
    options: {
      url: { type: 'string', default: DEFAULT_URL },
      user: { type: 'string' },
      name: { type: 'string' },
      conversation: { type: 'string', default: 'conv_demo' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) exitWith(USAGE, 0);
  const user = values.user;
  if (user === undefined || !USER_ID.test(user)) exitWith(`--user must look like user_alice or agent_sarah, got ${user ?? 'nothing'}\n${USAGE}`);
  if (!CONVERSATION_ID.test(values.conversation)) exitWith(`--conversation must look like conv_demo, got ${values.conversation}`);
  if (!/^wss?:\/\//.test(values.url)) exitWith(`--url must be a ws:// or wss:// URL, got ${values.url}`);
  const name = values.name ?? user;
  if (name.trim() === '' || name.length > 100) exitWith('--name must be 1 to 100 characters');
  return { url: values.url, user, name, conversation: values.conversation };
}

function exitWith(message: string, code = 2): never {
  (code === 0 ? console.log : console.error)(message);
  process.exit(code);
}

const options = parseOptions();
const secret = process.env['CHAT_JWT_SECRET'] ?? DEFAULT_SECRET;
if (secret === DEFAULT_SECRET) console.warn('warning: CHAT_JWT_SECRET is not set; signing a token with the development secret.');

const names = new Map<string, string>([[options.user, options.name]]);
const nameOf = (userId: string): string => names.get(userId) ?? userId;
/** Other participants currently typing (so "stopped typing" only follows "is typing"). */
const othersTyping = new Set<string>();
const conversation = options.conversation;
const interactive = process.stdin.isTTY === true;
/** Whether the server was last told that we are typing, and when that ends by itself. */
let typing = false;
let typingTimer: ReturnType<typeof setTimeout> | undefined;
/** Set once EOF, Ctrl-C or a signal started the shutdown. */
let stopping = false;

const rl: Interface = createInterface({ input: process.stdin, output: interactive ? process.stdout : undefined, terminal: interactive });
rl.setPrompt(`${options.name}> `);

/** Prints a line without mangling what the user is typing (the prompt is redrawn after it). */
function print(line: string): void {
  if (!interactive) {
    console.log(line);
    return;
  }
  process.stdout.write('\r\x1b[2K');
  console.log(line);
  if (!stopping) rl.prompt(true);
}

// A function, so every reconnect presents a freshly signed token.
const client: Client = createClient({ url: options.url, token: () => signToken({ sub: options.user, name: options.name }, secret) });

client.on('state', (state) => {
  print(`* connection ${state}`);
  if (state !== 'open') {
    typing = false; // a new connection starts without indicators, ours or theirs
    othersTyping.clear();
  }
  // The server adds a connection to a conversation when it first hears about it, and a new
  // connection starts with none: announce ourselves after every (re)connect to receive messages.
  if (state === 'open') client.sendTypingStopped({ conversationId: conversation, userId: options.user });
});
client.on('chatMessage', ({ payload }) => {
  if (payload.conversationId !== conversation) return;
  names.set(payload.senderId, payload.senderName);
  othersTyping.delete(payload.senderId);
  if (payload.senderId !== options.user) print(`${payload.senderName}: ${payload.content}`);
});
client.on('typingStarted', ({ payload }) => {
  if (payload.conversationId !== conversation || payload.userId === options.user || othersTyping.has(payload.userId)) return;
  othersTyping.add(payload.userId);
  print(`* ${nameOf(payload.userId)} is typing…`);
});
client.on('typingStopped', ({ payload }) => {
  if (payload.conversationId === conversation && othersTyping.delete(payload.userId)) print(`* ${nameOf(payload.userId)} stopped typing`);
});
client.on('agentAssigned', ({ payload }) => {
  if (payload.conversationId !== conversation) return;
  names.set(payload.agentId, payload.agentName);
  print(`* agent ${payload.agentName} (${payload.agentId}) joined the conversation`);
});
client.on('error', ({ payload }) => print(`! server error ${payload.code}: ${payload.message}`));
client.on('clientError', (error) => print(`! client error ${error.code}: ${error.message}`));

// ── typing indicators ──────────────────────────────────────────────────────────────────────────

/** Indicators are only worth sending live: a queued "is typing" would arrive stale. */
function setTyping(next: boolean): void {
  clearTimeout(typingTimer);
  if (next) typingTimer = setTimeout(() => setTyping(false), TYPING_IDLE_MS);
  if (typing === next || client.state !== 'open') return;
  typing = next;
  const payload = { conversationId: conversation, userId: options.user };
  if (next) client.sendTypingStarted(payload);
  else client.sendTypingStopped(payload);
}

// In a terminal, readline reports keystrokes: typing starts with the first key of a line.
if (interactive) process.stdin.on('keypress', (_text: string | undefined, key: { name?: string } | undefined) => {
  if (key?.name !== 'return' && key?.name !== 'enter') setTyping(true);
});

// ── sending ────────────────────────────────────────────────────────────────────────────────────

const inFlight = new Set<Promise<void>>();

function sendLine(line: string): void {
  const content = line.trim();
  if (!interactive) setTyping(true); // piped input has no keystrokes: frame each line instead
  setTyping(false);
  if (content === '') return;
  const delivery = client
    .request({ type: 'chatMessage', payload: { conversationId: conversation, senderId: options.user, content, timestamp: new Date().toISOString() } })
    .then(
      (reply) => print(`✓ delivered ${reply.payload.messageId}`),
      (error: unknown) => print(`✗ not delivered: ${error instanceof Error ? error.message : String(error)}`),
    );
  inFlight.add(delivery);
  void delivery.finally(() => inFlight.delete(delivery));
}

rl.on('line', sendLine);

// ── shutdown ───────────────────────────────────────────────────────────────────────────────────

/** Closes once: after EOF unconfirmed messages get a bounded chance to be confirmed first. */
async function stop(drain: boolean): Promise<void> {
  if (stopping) return;
  stopping = true;
  clearTimeout(typingTimer);
  rl.close();
  if (drain && inFlight.size > 0) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([Promise.allSettled(inFlight), new Promise((resolve) => (timer = setTimeout(resolve, DRAIN_TIMEOUT_MS)))]);
    clearTimeout(timer);
  }
  await client.close();
  if (interactive) process.stdout.write('\n');
  process.exit(0);
}

rl.on('close', () => void stop(true));
rl.on('SIGINT', () => void stop(false));
process.on('SIGINT', () => void stop(false));
process.on('SIGTERM', () => void stop(false));

if (interactive) rl.prompt();
