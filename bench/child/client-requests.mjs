#!/usr/bin/env node
/**
 * Client side of bench part 6, in its own process: round trips (`chatMessage` →
 * `messageDelivered`) against one raw bench server, from
 *   - `raw`: a hand-written `ws` client — JSON.stringify, JSON.parse, a Map from id to the
 *     request's promise (no validation, timeouts or reconnection);
 *   - `generated`: the generated client (`createClient`, defaults: both directions validated,
 *     request timeout, heartbeat) with `request()`, `ws` injected as its WebSocket;
 *   - `generated-unvalidated`: the same with `validateIncoming` and `validateOutgoing` off (shows
 *     what the validators cost).
 * Each side has its own connection; a round is `messages` round trips, `inFlight` at a time;
 * the sides take turns (order reversed every other round) after warm-up rounds. CPU time is this
 * process's `process.cpuUsage()` over the round.
 *
 * Prints `WSGEN_BENCH {"rounds":[{ round, target, messages, wallMs, cpuUs }]}`.
 * Usage (run by bench/client.mjs): node --import tsx bench/child/client-requests.mjs '<json config>'
 *   config: { url, inFlight, messages, rounds, warmupRounds, budgetS, generatedDir }
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { runMain } from '../lib/args.mjs';
import { BENCH_TOKEN, childConfig, openConnection } from '../lib/ws-load.mjs';

const payload = () => ({ conversationId: 'conv_bench', senderId: 'user_bench', content: 'Hello, I need help with my order number 10245, it has not arrived yet.', timestamp: '2025-01-06T12:00:00Z' });

/** The hand-written baseline: `request(message)` resolves with the reply whose `id` matches. */
async function rawClient(url) {
  const ws = await openConnection(url);
  const pending = new Map();
  ws.on('message', (data) => {
    const frame = JSON.parse(data);
    const resolve = pending.get(frame.id);
    if (resolve === undefined) return;
    pending.delete(frame.id);
    resolve(frame);
  });
  return {
    request: (message) =>
      new Promise((resolve) => {
        const id = randomUUID();
        pending.set(id, resolve);
        ws.send(JSON.stringify({ ...message, id }));
      }),
    close: async () => ws.terminate(),
  };
}

/** The generated client, connected. */
async function generatedClient(url, validate, generatedDir) {
  const { createClient } = await import(pathToFileURL(path.join(generatedDir, 'src', 'client.ts')).href);
  const client = createClient({ url, token: BENCH_TOKEN, WebSocket, reconnect: false, validateIncoming: validate, validateOutgoing: validate });
  await client.ready();
  return client;
}

/** `messages` round trips, `inFlight` chains at a time; resolves with wall and CPU time. */
async function runRound(client, { messages, inFlight }) {
  let next = 0;
  const chain = async () => {
    while (next < messages) {
      next++;
      const reply = await client.request({ type: 'chatMessage', payload: payload() });
      if (reply.type !== 'messageDelivered') throw new Error(`unexpected reply: ${JSON.stringify(reply).slice(0, 200)}`);
    }
  };
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, chain));
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuUs: used.user + used.system };
}

async function main() {
  const config = childConfig();
  const deadline = performance.now() + config.budgetS * 1000;
  const sides = [
    { name: 'raw', client: await rawClient(config.url) },
    { name: 'generated', client: await generatedClient(config.url, true, config.generatedDir) },
    { name: 'generated-unvalidated', client: await generatedClient(config.url, false, config.generatedDir) },
  ];
  try {
    const rounds = [];
    const total = config.warmupRounds + config.rounds;
    for (let round = 0; round < total; round++) {
      if (round >= config.warmupRounds + 2 && round % 2 === 0 && performance.now() > deadline) break;
      const order = round % 2 === 0 ? sides : [...sides].reverse();
      for (const { name, client } of order) {
        const { wallMs, cpuUs } = await runRound(client, config);
        if (round >= config.warmupRounds) rounds.push({ round, target: name, messages: config.messages, wallMs, cpuUs });
      }
    }
    process.stdout.write(`WSGEN_BENCH ${JSON.stringify({ rounds })}\n`);
  } finally {
    await Promise.allSettled(sides.map(({ client }) => client.close()));
  }
}

runMain(main);
