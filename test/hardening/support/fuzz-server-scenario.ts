/**
 * The server-fuzz scenario, shared by `test/hardening/fuzz-server.test.ts` (smoke size) and
 * `scripts/soak.ts` (large): the example chat server runs in this process; fuzzing connections
 * send hostile frames one at a time and check each answer against an independent oracle, while a
 * well-behaved generated client keeps chatting on its own connection.
 */
import fc from 'fast-check';
import { createChatServer, type ChatServer } from '../../../examples/chat-app.js';
import { signToken } from '../../../examples/tokens.js';
import { createClient } from '../../../generated/src/client.js';
import * as validators from '../../../generated/src/validators.js';
import { codePoints } from './schemas.js';
import { documentedCloseCodes, RawClient, sleep, until, within, type Received } from './common.js';
import { expectedOutcome, hostileFrame, type Expected, type HostileFrame } from './hostile-frames.js';

/** Size of one run. */
export interface ServerFuzzOptions {
  connections: number;
  framesPerConnection: number;
  seed: number;
  /** The server's maxPayloadBytes (default: the runtime default, 64 KiB). */
  maxPayloadBytes?: number;
  /** How long to wait for the answer to one frame. */
  answerTimeoutMs?: number;
}

/** What happened. `violations` lists every broken expectation (empty when all is well). */
export interface ServerFuzzResult {
  framesSent: number;
  byLabel: Record<string, number>;
  outcomes: Record<string, number>;
  closeCodes: Record<string, number>;
  reconnects: number;
  violations: string[];
  good: { requests: number; delivered: number; failures: string[] };
  messagesIn: { expected: number; actual: number };
  pollution: string[];
  invalidStored: string[];
  connectionsLeft: number;
  durationMs: number;
  /** Peak RSS of this process (server and clients), bytes. */
  peakRss: number;
}

const SECRET = 'fuzz-secret';
const MAX_INVALID_FRAMES = 10;
/** Frames generated at a time per fuzzing connection. */
const CHUNK = 25;

/** Own property names of the built-in prototypes a pollution would touch. */
function prototypeSnapshot(): string {
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype].map((proto) => Object.getOwnPropertyNames(proto).sort().join(',')).join('|');
}

/** Server→client validators by discriminator value. */
const OUTGOING: Record<string, (value: unknown) => { ok: boolean }> = {
  chatMessage: validators.validateChatMessageBroadcast,
  messageDelivered: validators.validateMessageDelivered,
  messageRead: validators.validateMessageRead,
  typingStarted: validators.validateTypingStarted,
  typingStopped: validators.validateTypingStopped,
  agentAssigned: validators.validateAgentAssigned,
  error: validators.validateErrorMessage,
};

type Frame = { type?: unknown; id?: unknown; payload?: Record<string, unknown> };

const frameOf = (event: Received): Frame | undefined => (event.kind === 'frame' ? (event.frame as Frame) : undefined);
const isError = (event: Received): boolean => frameOf(event)?.type === 'error';

/** Runs the scenario; never throws for a misbehaving server (that goes into `violations`). */
export async function runServerFuzz(options: ServerFuzzOptions): Promise<ServerFuzzResult> {
  const started = Date.now();
  const maxPayloadBytes = options.maxPayloadBytes ?? 64 * 1024;
  const answerTimeoutMs = options.answerTimeoutMs ?? 5_000;
  const documented = documentedCloseCodes();
  const prototypesBefore = prototypeSnapshot();
  const log: string[] = [];
  const chat: ChatServer = createChatServer({
    port: 0,
    host: '127.0.0.1',
    tokens: { secret: SECRET },
    // No rate limit, so each answer is determined by the frame alone.
    limits: { maxPayloadBytes, messagesPerSecond: Infinity, maxInvalidFrames: MAX_INVALID_FRAMES },
    log: (line) => {
      if (log.length < 10_000) log.push(line);
    },
  });
  try {
    return await fuzz(chat, options, { maxPayloadBytes, answerTimeoutMs, documented, prototypesBefore, log, started });
  } finally {
    await chat.server.close({ timeoutMs: 2_000 });
  }
}

/** The body of {@link runServerFuzz}, against a created (not yet listening) chat server. */
async function fuzz(
  chat: ChatServer,
  options: ServerFuzzOptions,
  context: { maxPayloadBytes: number; answerTimeoutMs: number; documented: Set<number>; prototypesBefore: string; log: string[]; started: number },
): Promise<ServerFuzzResult> {
  const { maxPayloadBytes, answerTimeoutMs, documented, prototypesBefore, log, started } = context;
  const address = await chat.server.listen();
  const url = `ws://127.0.0.1:${address?.port ?? 0}/v1/ws/chat`;
  const result: ServerFuzzResult = {
    framesSent: 0,
    byLabel: {},
    outcomes: {},
    closeCodes: {},
    reconnects: 0,
    violations: [],
    good: { requests: 0, delivered: 0, failures: [] },
    messagesIn: { expected: 0, actual: 0 },
    pollution: [],
    invalidStored: [],
    connectionsLeft: -1,
    durationMs: 0,
    peakRss: 0,
  };
  const violate = (message: string): void => {
    if (result.violations.length < 50) result.violations.push(message);
  };
  const count = (record: Record<string, number>, key: string): void => {
    record[key] = (record[key] ?? 0) + 1;
  };

  let fuzzing = true;
  const good = createClient({ url, token: () => signToken({ sub: 'user_good', name: 'Good' }, SECRET), reconnect: { initialDelayMs: 50, maxDelayMs: 200 } });
  const goodLoop = (async () => {
    await within(good.ready(), 10_000, 'the well-behaved client to connect');
    for (let n = 0; fuzzing && n < 100_000; n++) {
      result.good.requests++;
      result.messagesIn.expected++;
      const conversationId = `conv_good${n % 3}`;
      try {
        const reply = await good.request({ type: 'chatMessage', payload: { conversationId, senderId: 'user_good', content: `good ${n}`, timestamp: new Date().toISOString() } }, { timeoutMs: answerTimeoutMs });
        if (reply.type !== 'messageDelivered' || reply.payload.conversationId !== conversationId || !validators.validateMessageDelivered(reply).ok) {
          result.good.failures.push(`request ${n}: unexpected reply ${JSON.stringify(reply)}`);
        } else {
          result.good.delivered++;
        }
      } catch (error) {
        if (result.good.failures.length < 20) result.good.failures.push(`request ${n}: ${(error as Error).message}`);
      }
      await sleep(15);
    }
  })().catch((error: unknown) => {
    result.good.failures.push(`good client: ${(error as Error).message}`);
  });

  const arbitrary = hostileFrame(maxPayloadBytes);
  const fuzzer = async (index: number): Promise<void> => {
    // Agents: they may join any conversation, so the answer to a valid frame does not depend on
    // which fuzzer named a conversation first (customers own the conversations they open).
    const principal = `agent_fuzz${index}`;
    const token = await signToken({ sub: principal }, SECRET);
    const open = () => RawClient.open(`${url}?token=${token}`);
    let client = await open();
    const all: RawClient[] = [client];
    let streak = 0;
    let frames: HostileFrame[] = [];
    for (let n = 0; n < options.framesPerConnection; n++) {
      // Generated in small chunks, so many fuzzers do not starve the (shared) event loop.
      if (n % CHUNK === 0) {
        frames = fc.sample(arbitrary, { numRuns: Math.min(CHUNK, options.framesPerConnection - n), seed: options.seed + index * 100_003 + n });
        await sleep(0);
      }
      const frame = frames[n % CHUNK] as HostileFrame;
      if (client.closed) {
        client = await open();
        all.push(client);
        result.reconnects++;
        streak = 0;
      }
      const expected = expectedOutcome(frame, maxPayloadBytes);
      count(result.byLabel, frame.label);
      count(result.outcomes, expected.kind === 'error' ? expected.code : expected.kind === 'close' ? `close ${expected.code}` : expected.kind);
      if (expected.kind === 'delivered' || expected.kind === 'echo') result.messagesIn.expected++;
      const what = `connection ${index} frame ${n} (${frame.label}: ${describe(frame)}) expecting ${JSON.stringify(expected)}`;
      client.ws.send(frame.data, { binary: frame.binary });
      result.framesSent++;
      try {
        const closedNow = await checkAnswer(client, expected, principal, answerTimeoutMs, what, violate);
        if (expected.kind === 'error') streak++;
        else streak = 0;
        if (!closedNow && streak >= MAX_INVALID_FRAMES) {
          const close = await client.next((event) => event.kind === 'close' || isError(event), answerTimeoutMs, `close 1008 after ${streak} invalid frames`);
          if (close.kind !== 'close' || close.code !== 1008) violate(`${what}: expected close 1008 after ${streak} invalid frames, got ${JSON.stringify(close).slice(0, 200)}`);
        }
      } catch (error) {
        violate(`${what}: ${(error as Error).message}`);
        client.terminate();
      }
    }
    client.ws.close(1000);
    await until(() => client.closed, 5_000, 'fuzz client close').catch(() => client.terminate());
    for (const each of all) {
      for (const event of each.events) {
        if (event.kind === 'close') {
          count(result.closeCodes, String(event.code));
          if (!documented.has(event.code)) violate(`connection ${index}: close code ${event.code} is not in asyncapi.yaml's close-code table`);
          if (/eyJ/.test(event.reason)) violate(`connection ${index}: a close reason contains a token`);
          continue;
        }
        const frameValue = event.frame as Frame;
        const validate = typeof frameValue.type === 'string' ? OUTGOING[frameValue.type] : undefined;
        if (validate === undefined || !validate(frameValue).ok) violate(`connection ${index}: the server sent an invalid frame ${event.text.slice(0, 200)}`);
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: options.connections }, (_, index) => fuzzer(index)));
  } finally {
    fuzzing = false;
    await goodLoop;
    await good.close();
  }

  await until(() => chat.server.stats().connections === 0, 5_000, 'every connection to close').catch(() => undefined);
  result.connectionsLeft = chat.server.stats().connections;
  result.messagesIn.actual = chat.server.stats().messagesIn;

  // Pollution checks run in this process, which is the server's.
  const probe = {} as Record<string, unknown>;
  for (const key of ['polluted', 'isAdmin', 'content', 'payload', 'type']) if (probe[key] !== undefined) result.pollution.push(`({}).${key} is ${String(probe[key])}`);
  if (prototypeSnapshot() !== prototypesBefore) result.pollution.push('a built-in prototype gained or lost own properties');

  // Whatever the handlers stored must be valid data: they only ever saw valid messages.
  for (const [conversationId, history] of chat.conversations) {
    if (!/^conv_[A-Za-z0-9]+$/.test(conversationId)) result.invalidStored.push(`conversation id ${JSON.stringify(conversationId)}`);
    for (const message of history) {
      const length = codePoints(message.content);
      if (length < 1 || length > 2000) result.invalidStored.push(`content of ${length} characters in ${conversationId}`);
      if (!/^(user|agent)_[A-Za-z0-9]+$/.test(message.senderId)) result.invalidStored.push(`sender ${message.senderId}`);
    }
  }
  for (const line of log) if (/eyJ/.test(line)) result.violations.push(`a log line contains a token: ${line.slice(0, 80)}`);

  result.durationMs = Date.now() - started;
  result.peakRss = process.resourceUsage().maxRSS * 1024;
  return result;
}

/**
 * Waits for the answer `expected` on `client`. Returns true when the connection closed (as
 * expected). Frames that belong to other traffic (topic deliveries) are skipped.
 */
async function checkAnswer(client: RawClient, expected: Expected, principal: string, ms: number, what: string, violate: (message: string) => void): Promise<boolean> {
  switch (expected.kind) {
    case 'close': {
      const event = await client.next((e) => e.kind === 'close' || isError(e), ms, 'close');
      if (event.kind !== 'close') violate(`${what}: got an error frame instead of close ${expected.code}: ${event.text.slice(0, 200)}`);
      else if (event.code !== expected.code) violate(`${what}: closed with ${event.code} instead of ${expected.code}`);
      return event.kind === 'close';
    }
    case 'error': {
      const event = await client.next((e) => e.kind === 'close' || isError(e), ms, `error ${expected.code}`);
      if (event.kind === 'close') {
        violate(`${what}: closed with ${event.code} instead of answering ${expected.code}`);
        return true;
      }
      const payload = (event.frame as Frame).payload ?? {};
      const ref = payload['ref'] as { type?: string; id?: string } | undefined;
      if (payload['code'] !== expected.code) violate(`${what}: got error ${String(payload['code'])}`);
      else if (expected.refType !== undefined && ref?.type !== expected.refType) violate(`${what}: ref.type ${JSON.stringify(ref?.type)}`);
      else if (expected.refId !== undefined && ref?.id !== expected.refId) violate(`${what}: ref.id ${JSON.stringify(ref?.id)}`);
      else if (expected.code === 'invalid_message' && !Array.isArray(payload['details'])) violate(`${what}: invalid_message without details`);
      return false;
    }
    case 'delivered': {
      const event = await client.next((e) => e.kind === 'close' || isError(e) || frameOf(e)?.type === 'messageDelivered', ms, 'messageDelivered');
      const frame = frameOf(event);
      if (frame === undefined || frame.type !== 'messageDelivered') {
        violate(`${what}: a valid chatMessage got ${event.kind === 'close' ? `close ${event.code}` : (event as { text: string }).text.slice(0, 200)}`);
        return event.kind === 'close';
      }
      if (frame.payload?.['conversationId'] !== expected.conversationId || frame.id !== expected.id) violate(`${what}: wrong messageDelivered ${JSON.stringify(frame)}`);
      return false;
    }
    case 'echo': {
      const who = expected.type === 'messageRead' ? 'readBy' : 'userId';
      const event = await client.next(
        (e) => e.kind === 'close' || isError(e) || (frameOf(e)?.type === expected.type && frameOf(e)?.payload?.['conversationId'] === expected.conversationId && frameOf(e)?.payload?.[who] === principal),
        ms,
        `${expected.type} relay`,
      );
      if (event.kind === 'close' || isError(event)) {
        violate(`${what}: a valid ${expected.type} got ${event.kind === 'close' ? `close ${event.code}` : (event as { text: string }).text.slice(0, 200)}`);
        return event.kind === 'close';
      }
      return false;
    }
  }
}

function describe(frame: HostileFrame): string {
  const text = typeof frame.data === 'string' ? frame.data : `<${frame.data.length} bytes>`;
  return text.length > 120 ? `${JSON.stringify(text.slice(0, 100))}… (${text.length} chars)` : JSON.stringify(text);
}
