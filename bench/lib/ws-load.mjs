/**
 * Load generation with plain `ws` clients (the same for every server measured): opening many
 * authenticated connections, the chat frames of the bench, and reading a child's JSON config.
 */
import WebSocket from 'ws';

/** Token the bench servers accept (see bench/child/chat-server-shared.mjs). */
export const BENCH_TOKEN = 'bench-token';

/** Conversation every bench frame belongs to. */
export const BENCH_CONVERSATION = 'conv_bench';

/** JSON of a `chatMessage` payload (valid against the document's schema), spliced into every request frame. */
export const CHAT_PAYLOAD_JSON = JSON.stringify({
  conversationId: BENCH_CONVERSATION,
  senderId: 'user_bench',
  content: 'Hello, I need help with my order number 10245, it has not arrived yet.',
  timestamp: '2025-01-06T12:00:00Z',
});

/** A `chatMessage` frame with correlation id `id`, as text. */
export const chatFrame = (id) => `{"type":"chatMessage","id":"${id}","payload":${CHAT_PAYLOAD_JSON}}`;

/** A `messageRead` frame: the bench servers join its sender to the conversation's topic. */
export const joinFrame = (conversationId) =>
  JSON.stringify({ type: 'messageRead', payload: { conversationId, messageId: 'msg_1', readBy: 'user_bench', timestamp: '2025-01-06T12:00:00Z' } });

/** A `typingStarted` frame: the bench servers publish one chat message to the conversation's topic. */
export const publishFrame = (conversationId) => JSON.stringify({ type: 'typingStarted', payload: { conversationId, userId: 'user_bench' } });

/** `url` with the bench token as query parameter. */
export const withToken = (url) => `${url}?token=${BENCH_TOKEN}`;

/** Opens one authenticated connection; resolves when open, rejects on error or refusal. */
export function openConnection(url, { timeoutMs = 30_000 } = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(withToken(url), { perMessageDeflate: false, handshakeTimeout: timeoutMs });
    const fail = (error) => {
      ws.terminate();
      reject(error);
    };
    ws.once('open', () => {
      ws.off('error', fail);
      ws.on('error', () => undefined);
      resolve(ws);
    });
    ws.once('error', fail);
    ws.once('unexpected-response', (_request, response) => fail(new Error(`upgrade refused with HTTP ${response.statusCode}`)));
  });
}

/** Opens `count` connections, at most `concurrency` handshakes at a time; resolves with them in order. */
export async function openConnections(url, count, { concurrency = 100, timeoutMs = 30_000 } = {}) {
  const sockets = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      sockets[index] = await openConnection(url, { timeoutMs });
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  } catch (error) {
    closeAll(sockets);
    throw error;
  }
  return sockets;
}

/** Terminates every socket (no close handshake). */
export function closeAll(sockets) {
  for (const ws of sockets) ws?.terminate();
}

/** Resolves once `condition()` (possibly async) is true; polls every `everyMs`, throws after `timeoutMs`. */
export async function until(condition, { timeoutMs = 30_000, everyMs = 20, what = 'a condition' } = {}) {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** The JSON config a load child gets as its only argument. */
export function childConfig() {
  const raw = process.argv[2];
  if (raw === undefined) throw new TypeError('expected one argument: the JSON config given by the bench part');
  return JSON.parse(raw);
}
