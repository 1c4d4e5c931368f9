#!/usr/bin/env node
/**
 * Load generator of bench part 4 (request/response), in its own process: `connections` raw
 * `ws` clients per target server, each keeping `inFlight` `chatMessage` frames in flight, until
 * `messages` replies have arrived — one round. Rounds alternate between the targets (ABBA) after
 * warm-up rounds; around each round it reads the server process's CPU time from its control
 * endpoint. Before timing, every connection's first reply is checked against the document's
 * `messageDelivered` schema (generated validator) and its `id`.
 *
 * With `profile`, the servers' CPU profilers run over the measured closed-loop rounds only.
 * With `pacedRate` > 0, `pacedRounds` open-loop rounds follow: `pacedMessages` frames sent at
 * `pacedRate` per second whatever the replies do, so latency shows service time, not queueing.
 *
 * Prints `WSGEN_BENCH {"rounds":[row…],"paced":[row…]}`, each row
 * `{ round, target, messages, wallMs, serverCpuUs, serverUserUs, serverSystemUs, p50Ms, p99Ms, maxMs }`.
 * Usage (run by bench/server.mjs): node --import tsx bench/child/load-requests.mjs '<json config>'
 *   config: { targets: [{ name, url, controlUrl }], connections, inFlight, messages, rounds,
 *             warmupRounds, profile, pacedRate, pacedMessages, pacedRounds, budgetS, roundTimeoutS,
 *             generatedDir (the package whose validators check the replies) }
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runMain } from '../lib/args.mjs';
import { fetchStats } from '../lib/server-child.mjs';
import { quantile } from '../lib/stats.mjs';
import { chatFrame, childConfig, closeAll, openConnections } from '../lib/ws-load.mjs';

/**
 * Runs one round on `sockets`; resolves with wall time and per-message latencies (ms). Closed
 * loop (`rate` undefined): `inFlight` frames per connection, each reply sends the next. Paced
 * (open loop): `rate` frames per second in all, round-robin over the connections, in ~1 ms ticks,
 * whatever the replies do.
 */
function runRound(sockets, { messages, inFlight, rate, tag, timeoutMs }) {
  return new Promise((resolve, reject) => {
    const sentAt = new Float64Array(messages);
    const latency = new Float64Array(messages);
    const prefixLength = tag.length;
    let next = 0;
    let done = 0;
    let ticker;
    const started = performance.now();
    const timer = setTimeout(() => finish(new Error(`round ${tag} did not finish within ${timeoutMs / 1000} s (${done}/${messages} replies)`)), timeoutMs);
    function send(ws) {
      const index = next++;
      sentAt[index] = performance.now();
      ws.send(chatFrame(tag + index));
    }
    function onReply(ws, data) {
      const now = performance.now();
      const frame = JSON.parse(data);
      if (frame.type !== 'messageDelivered' || typeof frame.id !== 'string' || !frame.id.startsWith(tag)) {
        finish(new Error(`unexpected reply in round ${tag}: ${String(data).slice(0, 200)}`));
        return;
      }
      const index = Number(frame.id.slice(prefixLength));
      latency[index] = now - sentAt[index];
      done++;
      if (rate === undefined && next < messages) send(ws);
      else if (done === messages) finish();
    }
    function tick() {
      const due = Math.min(messages, Math.ceil(((performance.now() - started) * rate) / 1000));
      while (next < due) send(sockets[next % sockets.length]);
      if (next < messages) ticker = setTimeout(tick, 1);
    }
    function finish(error) {
      clearTimeout(timer);
      clearTimeout(ticker);
      for (const ws of sockets) ws.onReply = undefined;
      if (error !== undefined) reject(error);
      else resolve({ wallMs: performance.now() - started, latency });
    }
    for (const ws of sockets) ws.onReply = onReply;
    if (rate === undefined) {
      for (let slot = 0; slot < inFlight; slot++) for (const ws of sockets) if (next < messages) send(ws);
    } else {
      tick();
    }
  });
}

/** Rounds of `round(target, sockets, index)` alternating between the pools (ABBA), warm-up rounds dropped, within the budget. */
async function alternate(pools, { rounds, warmupRounds, deadline }, round) {
  const rows = [];
  for (let index = 0; index < warmupRounds + rounds; index++) {
    // Past the budget: stop after the current pair, keeping at least two measured rounds.
    if (index >= warmupRounds + 2 && index % 2 === 0 && performance.now() > deadline) break;
    const order = index % 2 === 0 ? pools : [...pools].reverse();
    for (const { target, sockets } of order) {
      const row = await round(target, sockets, index);
      if (index >= warmupRounds) rows.push({ round: index, target: target.name, ...row });
    }
  }
  return rows;
}

/** `POST <controlUrl>/<action>` on a bench server (e.g. `profile/start`). */
async function control(target, action) {
  const response = await fetch(`${target.controlUrl}/${action}`, { method: 'POST' });
  if (!response.ok) throw new Error(`${target.name}: ${action} failed with HTTP ${response.status}: ${await response.text()}`);
  return response.json();
}

/** One measured round: the load's figures plus the server's CPU time over it. */
async function measuredRound(target, sockets, load) {
  const before = await fetchStats(target.controlUrl);
  const { wallMs, latency } = await runRound(sockets, load);
  const after = await fetchStats(target.controlUrl);
  const sorted = latency.sort();
  return {
    messages: load.messages,
    wallMs,
    serverCpuUs: after.cpuUs - before.cpuUs,
    serverUserUs: after.cpuUserUs - before.cpuUserUs,
    serverSystemUs: after.cpuSystemUs - before.cpuSystemUs,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    maxMs: sorted[sorted.length - 1],
  };
}

/** Sends one frame per connection and checks each reply: schema-valid `messageDelivered`, same id. */
async function verify(target, sockets, generatedDir) {
  const { validateMessageDelivered } = await import(pathToFileURL(path.join(generatedDir, 'src', 'validators.ts')).href);
  await Promise.all(
    sockets.map(
      (ws, index) =>
        new Promise((resolve, reject) => {
          const id = `verify${index}`;
          ws.onReply = (_ws, data) => {
            ws.onReply = undefined;
            const frame = JSON.parse(data);
            const result = validateMessageDelivered(frame);
            if (!result.ok || frame.id !== id) reject(new Error(`${target.name}: the reply to ${id} is not a valid messageDelivered with that id: ${String(data).slice(0, 200)}`));
            else resolve();
          };
          ws.send(chatFrame(id));
        }),
    ),
  );
}

async function main() {
  const config = childConfig();
  const deadline = performance.now() + config.budgetS * 1000;
  const pools = [];
  try {
    for (const target of config.targets) {
      const sockets = await openConnections(target.url, config.connections);
      for (const ws of sockets) ws.on('message', (data) => ws.onReply?.(ws, data));
      pools.push({ target, sockets });
      await verify(target, sockets, config.generatedDir);
    }
    const timeoutMs = config.roundTimeoutS * 1000;
    const closedRound = (target, sockets, index) => measuredRound(target, sockets, { messages: config.messages, inFlight: config.inFlight, tag: `r${index}${target.name[0]}n`, timeoutMs });
    await alternate(pools, { rounds: 0, warmupRounds: config.warmupRounds, deadline }, closedRound);
    if (config.profile) await Promise.all(config.targets.map((target) => control(target, 'profile/start')));
    const rounds = await alternate(pools, { rounds: config.rounds, warmupRounds: 0, deadline }, closedRound);
    if (config.profile) await Promise.all(config.targets.map((target) => control(target, 'profile/stop')));
    const paced =
      config.pacedRate > 0
        ? await alternate(pools, { rounds: config.pacedRounds, warmupRounds: 0, deadline: deadline + config.pacedRounds * 10_000 }, (target, sockets, index) =>
            measuredRound(target, sockets, { messages: config.pacedMessages, rate: config.pacedRate, tag: `p${index}${target.name[0]}n`, timeoutMs }),
          )
        : [];
    process.stdout.write(`WSGEN_BENCH ${JSON.stringify({ rounds, paced })}\n`);
  } finally {
    for (const { sockets } of pools) closeAll(sockets);
  }
}

runMain(main);
