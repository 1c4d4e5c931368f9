#!/usr/bin/env node
/**
 * Load generator of bench part 4's fan-out case, in its own process: per target server,
 * `subscribers` raw `ws` connections join one conversation topic (a `messageRead` frame each),
 * and one more connection triggers publishes (a `typingStarted` frame: the server publishes one
 * chat message to the topic — `ctx.publish` in the generated server, a loop over the sockets in
 * the raw one). A round is `publishes` publishes, one at a time, each awaited until every
 * subscriber has it. Rounds alternate between the targets (ABBA) after warm-up rounds; around
 * each round it reads the server's CPU time and the durations of its publish calls.
 *
 * Prints `WSGEN_BENCH {"rounds":[{ target, deliveries, serverCpuUs, publishMs: [], endToEndMs: [] }]}`.
 * Usage (run by bench/server.mjs): node --import tsx bench/child/load-fanout.mjs '<json config>'
 *   config: { targets: [{ name, url, controlUrl }], subscribers, publishes, rounds, warmupRounds,
 *             budgetS, roundTimeoutS, generatedDir (the package whose validators check a delivery) }
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runMain } from '../lib/args.mjs';
import { fetchStats } from '../lib/server-child.mjs';
import { childConfig, closeAll, joinFrame, openConnection, openConnections, publishFrame, until } from '../lib/ws-load.mjs';

const CONVERSATION = 'conv_fanout';

/** Subscribers of one target, counting what they receive; `next(n)` resolves when the total reaches n. */
async function subscribe(target, count) {
  const sockets = await openConnections(target.url, count);
  const state = { received: 0, waiting: undefined, first: undefined, unexpected: undefined };
  for (const ws of sockets) {
    ws.on('message', (data) => {
      state.received++;
      state.first ??= String(data);
      if (state.waiting !== undefined && state.received >= state.waiting.total) {
        const { resolve } = state.waiting;
        state.waiting = undefined;
        resolve();
      }
    });
    ws.send(joinFrame(CONVERSATION));
  }
  await until(async () => (await fetchStats(target.controlUrl)).counters.joined >= count, { what: `${count} subscribers of ${target.name} to join the topic` });
  const publisher = await openConnection(target.url);
  // The publisher is no member of the topic: anything it receives is a bug of the server.
  publisher.on('message', (data) => (state.unexpected ??= String(data)));
  return { target, sockets, publisher, state };
}

/** Publishes once and resolves with the time until the last subscriber has the message (ms). */
function publishOnce(pool, timeoutMs) {
  const { state, sockets } = pool;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const timer = setTimeout(() => reject(new Error(`${pool.target.name}: a publish did not reach all ${sockets.length} subscribers within ${timeoutMs / 1000} s`)), timeoutMs);
    state.waiting = {
      total: state.received + sockets.length,
      resolve: () => {
        clearTimeout(timer);
        resolve(performance.now() - started);
      },
    };
    pool.publisher.send(publishFrame(CONVERSATION));
  });
}

async function main() {
  const config = childConfig();
  const { validateChatMessageBroadcast } = await import(pathToFileURL(path.join(config.generatedDir, 'src', 'validators.ts')).href);
  const deadline = performance.now() + config.budgetS * 1000;
  const pools = [];
  try {
    for (const target of config.targets) {
      const pool = await subscribe(target, config.subscribers);
      pools.push(pool);
      // Check one delivery before timing: schema-valid, received by everyone exactly once.
      await publishOnce(pool, config.roundTimeoutS * 1000);
      if (pool.state.received !== config.subscribers) throw new Error(`${target.name}: ${pool.state.received} deliveries for ${config.subscribers} subscribers`);
      const frame = JSON.parse(pool.state.first);
      if (!validateChatMessageBroadcast(frame).ok) throw new Error(`${target.name}: the published frame is not a valid chatMessage broadcast: ${pool.state.first.slice(0, 200)}`);
    }
    const rounds = [];
    const total = config.warmupRounds + config.rounds;
    for (let round = 0; round < total; round++) {
      if (round >= config.warmupRounds + 2 && round % 2 === 0 && performance.now() > deadline) break;
      const order = round % 2 === 0 ? pools : [...pools].reverse();
      for (const pool of order) {
        const before = await fetchStats(pool.target.controlUrl);
        const endToEndMs = [];
        for (let i = 0; i < config.publishes; i++) endToEndMs.push(await publishOnce(pool, config.roundTimeoutS * 1000));
        const after = await fetchStats(pool.target.controlUrl);
        if (round < config.warmupRounds) continue;
        if (pool.state.unexpected !== undefined) throw new Error(`${pool.target.name}: the publisher got a frame: ${pool.state.unexpected.slice(0, 200)}`);
        rounds.push({ round, target: pool.target.name, deliveries: config.publishes * config.subscribers, serverCpuUs: after.cpuUs - before.cpuUs, publishMs: after.publishMs, endToEndMs });
      }
    }
    process.stdout.write(`WSGEN_BENCH ${JSON.stringify({ rounds })}\n`);
  } finally {
    for (const pool of pools) closeAll([...pool.sockets, pool.publisher]);
  }
}

runMain(main);
