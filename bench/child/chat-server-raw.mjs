/**
 * The baseline of bench parts 4–6: a minimal hand-written chat server on the `ws` library, doing
 * what the generated server does for the bench's workload with plain `JSON.parse` and object
 * literals — the query token checked at the upgrade, `chatMessage` answered with
 * `messageDelivered` (same `id`), `messageRead` joining a topic, `typingStarted` publishing a chat
 * message to every socket of the topic (serialised once). No validation, limits or heartbeat.
 */
import { createServer as createHttpServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { BENCH, broadcastFor, deliveredPayload, topicOf } from './chat-server-shared.mjs';

/**
 * Starts the raw server on 127.0.0.1 (port 0); resolves with `{ port, counters(), close() }`.
 * `onPublish(ms)` receives the duration of each fan-out loop.
 */
export async function startRawServer({ onPublish }) {
  const counters = { messagesIn: 0, messagesOut: 0, joined: 0 };
  const topics = new Map();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 64 * 1024 });
  const http = createHttpServer((_request, response) => response.writeHead(426).end());
  http.on('upgrade', (request, socket, head) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== BENCH.path || url.searchParams.get('token') !== BENCH.token) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      ws.principal = BENCH.principal;
      ws.topics = undefined;
      ws.on('error', () => undefined);
      ws.on('close', () => {
        for (const topic of ws.topics ?? []) topics.get(topic)?.delete(ws);
      });
      ws.on('message', (data) => onMessage(ws, data));
    });
  });

  function onMessage(ws, data) {
    let frame;
    try {
      frame = JSON.parse(data.toString());
    } catch {
      return;
    }
    counters.messagesIn++;
    switch (frame?.type) {
      case 'chatMessage':
        ws.send(JSON.stringify({ type: 'messageDelivered', payload: deliveredPayload(frame), id: frame.id }));
        counters.messagesOut++;
        break;
      case 'messageRead': {
        const topic = topicOf(frame.payload.conversationId);
        let members = topics.get(topic);
        if (members === undefined) topics.set(topic, (members = new Set()));
        members.add(ws);
        (ws.topics ??= new Set()).add(topic);
        counters.joined++;
        break;
      }
      case 'typingStarted': {
        const started = performance.now();
        const json = JSON.stringify(broadcastFor(frame));
        const members = topics.get(topicOf(frame.payload.conversationId)) ?? [];
        for (const member of members) member.send(json);
        onPublish(performance.now() - started);
        counters.messagesOut += members.size ?? 0;
        break;
      }
      default:
        break;
    }
  }

  await new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: http.address().port,
    counters: () => ({ ...counters, connections: wss.clients.size }),
    close: () => {
      for (const ws of wss.clients) ws.terminate();
      http.close();
    },
  };
}
