#!/usr/bin/env node
/**
 * Load generator of bench part 5 (memory), in its own process: opens `connections` idle,
 * authenticated raw `ws` connections to one bench server and reads the server process's memory
 * (after full GCs) before and after, through its control endpoint. Before the baseline reading it
 * opens and closes `warmup` connections, so code loaded and compiled on the first connection does
 * not count as per-connection memory. Then it holds the connections `holdS` seconds and checks
 * that the server still has every one and none closed, and tries one connection more (the
 * generated server's default `maxConnections` is 10,000).
 *
 * Prints `WSGEN_BENCH { openMs, before, after, serverConnections, allOpen, oneMore }` (memory as
 * `process.memoryUsage()` of the server; `oneMore`: `accepted` or why it was not).
 * Usage (run by bench/memory.mjs): node bench/child/load-idle.mjs '<json config>'
 *   config: { url, controlUrl, connections, warmup, holdS, concurrency }
 */
import { runMain } from '../lib/args.mjs';
import { fetchStats } from '../lib/server-child.mjs';
import { childConfig, closeAll, openConnection, openConnections, until } from '../lib/ws-load.mjs';

/** Tries one connection more than the load holds: `accepted`, or why not (e.g. `upgrade refused with HTTP 503`). */
async function probeOneMore(url) {
  try {
    const ws = await openConnection(url, { timeoutMs: 10_000 });
    ws.terminate();
    return 'accepted';
  } catch (error) {
    return error.message;
  }
}

async function main() {
  const config = childConfig();
  const settled = (count, what) => until(async () => (await fetchStats(config.controlUrl)).counters.connections === count, { what, timeoutMs: 60_000, everyMs: 100 });
  closeAll(await openConnections(config.url, config.warmup, { concurrency: config.concurrency }));
  await settled(0, 'the warm-up connections to close on the server');
  const before = await fetchStats(config.controlUrl, true);
  const started = performance.now();
  const sockets = await openConnections(config.url, config.connections, { concurrency: config.concurrency, timeoutMs: 60_000 });
  const openMs = performance.now() - started;
  let closed = 0;
  for (const ws of sockets) ws.once('close', () => closed++);
  try {
    await settled(config.connections, `${config.connections} connections on the server`);
    const after = await fetchStats(config.controlUrl, true);
    await new Promise((resolve) => setTimeout(resolve, config.holdS * 1000));
    const held = await fetchStats(config.controlUrl);
    const allOpen = closed === 0 && sockets.every((ws) => ws.readyState === ws.OPEN);
    const oneMore = await probeOneMore(config.url);
    process.stdout.write(`WSGEN_BENCH ${JSON.stringify({ openMs, before: before.memory, after: after.memory, serverConnections: held.counters.connections, allOpen, oneMore })}\n`);
  } finally {
    closeAll(sockets);
  }
}

runMain(main);
