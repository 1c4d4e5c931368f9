#!/usr/bin/env node
/**
 * Bench part 4 — server: the generated chat server vs a minimal raw `ws` server, each in its own
 * process, under the same load from a third process of raw `ws` clients.
 *
 *  - request/response: `--connections` × `--in-flight` `chatMessage` frames in flight, each
 *    answered with `messageDelivered` (same `id`); rounds of `--messages` replies alternate
 *    between the servers. Figures: messages/s, p50/p99 latency (seen by the clients), server CPU
 *    time per message (`process.cpuUsage()` inside the server process), each as a ratio.
 *  - fan-out: one publish to a topic of `--subscribers` connections (`ctx.publish` vs a loop
 *    over the sockets sending one serialised string), `--publishes` per round. Figures: duration
 *    of the publish call in the server, time until the last subscriber has it, server CPU per
 *    delivery.
 *
 * The closed-loop rounds keep the server saturated, so their latency is mostly queueing (frames
 * in flight ÷ throughput, Little's law). Paced (open-loop) rounds follow them: `--paced-rate`
 * frames/s whatever the replies do (0: none), where latency shows service time instead.
 *
 * Finally (`--profile always`, the default; `auto`: only when a target is missed — CPU/message
 * > 1.15×, p99 > 1.2×) both servers run the request/response load once more under V8's CPU
 * profiler (as `--cpu-prof`, but over the measured rounds only), and the profiles are compared
 * per message: where the generated server's extra time goes.
 *
 * Usage: node bench/server.mjs [--connections 50] [--in-flight 4] [--messages 20000] [--rounds 16]
 *          [--warmup 2] [--paced-rate 10000] [--paced-messages 20000] [--paced-rounds 6]
 *          [--subscribers 1000] [--publishes 20] [--fanout-rounds 6]
 *          [--profile always|auto|never] [--profile-rounds 4] [--budget-s 240]
 *          [--generated generated] [--out bench/results]
 * `--generated` names the package whose server is measured (e.g. one generated after a runtime
 * change into a folder of this checkout, so that it finds `ws` in node_modules/).
 */
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { options, runMain } from './lib/args.mjs';
import { readMarked, runNode } from './lib/children.mjs';
import { compareRounds, ratioText, targetRow } from './lib/paired.mjs';
import { diffProfiles, profileIn } from './lib/profile-diff.mjs';
import { defaultResultsDir, loadAverage, repoRoot, saveResults, scratchDir, table } from './lib/results.mjs';
import { startServerChild } from './lib/server-child.mjs';
import { spread, summarise } from './lib/stats.mjs';

const spec = {
  connections: { type: 'integer', default: 50, min: 1, max: 5000 },
  'in-flight': { type: 'integer', default: 4, min: 1, max: 1000 },
  messages: { type: 'integer', default: 20_000, min: 10, max: 10_000_000 },
  rounds: { type: 'integer', default: 16, min: 2, max: 1000 },
  warmup: { type: 'integer', default: 2, min: 0, max: 100 },
  subscribers: { type: 'integer', default: 1000, min: 1, max: 9000 },
  publishes: { type: 'integer', default: 20, min: 1, max: 10_000 },
  'fanout-rounds': { type: 'integer', default: 6, min: 2, max: 1000 },
  'paced-rate': { type: 'integer', default: 10_000, min: 0, max: 1_000_000 },
  'paced-messages': { type: 'integer', default: 20_000, min: 10, max: 10_000_000 },
  'paced-rounds': { type: 'integer', default: 6, min: 2, max: 1000 },
  profile: { type: 'string', default: 'always' },
  'profile-rounds': { type: 'integer', default: 4, min: 1, max: 100 },
  'budget-s': { type: 'integer', default: 240, min: 5, max: 3600 },
  generated: { type: 'string', default: 'generated' },
  out: { type: 'string', default: defaultResultsDir },
};

/** Targets of this part (limits on generated ÷ raw). */
export const SERVER_TARGETS = { cpuPerMessage: 1.15, p99: 1.2 };

const BASELINE = 'raw';
const CANDIDATE = 'generated';
const loadScript = (name) => path.join(repoRoot, 'bench', 'child', `${name}.mjs`);

/** Runs a load child against `servers`; resolves with what it printed after WSGEN_BENCH. */
async function runLoad(name, servers, config, timeoutMs) {
  const targets = servers.map((server) => ({ name: server.kind, url: server.url, controlUrl: server.controlUrl }));
  const child = await runNode(loadScript(name), [JSON.stringify({ targets, ...config })], { nodeArgs: ['--import', 'tsx'], cwd: repoRoot, timeoutMs });
  if (child.code !== 0) throw new Error(`${name} failed (${child.timedOut ? 'timed out' : `exit ${child.code ?? child.signal}`}): ${child.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return readMarked(child.stdout, 'WSGEN_BENCH');
}

/** Starts one server of each kind (side by side), runs `body(servers)`, always stops them. */
async function withServers(kinds, scratch, body, serverOptions = () => ({})) {
  const servers = await Promise.all(kinds.map((kind) => startServerChild(kind, scratch, serverOptions(kind))));
  try {
    return await body(servers);
  } finally {
    await Promise.allSettled(servers.map((server) => server.stop()));
  }
}

function requestFigures(rounds) {
  const compare = (value, digits) => compareRounds(rounds, value, { baseline: BASELINE, candidate: CANDIDATE, digits });
  return {
    messagesPerSecond: compare((row) => (row.messages * 1000) / row.wallMs, 0),
    p50Ms: compare((row) => row.p50Ms, 2),
    p99Ms: compare((row) => row.p99Ms, 2),
    serverCpuUsPerMessage: compare((row) => row.serverCpuUs / row.messages, 2),
    serverUserUsPerMessage: compare((row) => row.serverUserUs / row.messages, 2),
    serverSystemUsPerMessage: compare((row) => row.serverSystemUs / row.messages, 2),
  };
}

function fanoutFigures(rounds) {
  const compare = (value, digits) => compareRounds(rounds, value, { baseline: BASELINE, candidate: CANDIDATE, digits });
  const median = (values) => summarise(values, 3).median;
  return {
    publishCallMs: compare((row) => median(row.publishMs), 3),
    endToEndMs: compare((row) => median(row.endToEndMs), 2),
    serverCpuUsPerDelivery: compare((row) => row.serverCpuUs / row.deliveries, 3),
  };
}

/** How profiles name the files of `dir`: relative to the repo inside it, else a file URL. */
const profilePath = (dir) => (path.relative(repoRoot, dir).startsWith('..') ? `file://${dir}` : path.relative(repoRoot, dir));

/** Categories of code in the profiles, first match wins; `src` is the generated package's src/ as profiles name it. */
const profileCategories = (src) => [
  { name: 'generated runtime (src/runtime/)', test: (file) => file.startsWith(`${src}/runtime/`) },
  { name: 'generated validators (src/validators*.ts)', test: (file) => file.startsWith(`${src}/validators`) },
  { name: 'other generated code (src/)', test: (file) => file.startsWith(`${src}/`) },
  { name: 'bench handlers (bench/child/chat-server-*.mjs)', test: (file) => file.startsWith('bench/child/chat-server-') },
  { name: 'ws library (node_modules/ws/)', test: (file) => file.startsWith('node_modules/ws/') },
  { name: 'Node internals (node:*)', test: (file) => file.startsWith('node:') },
  { name: 'native: syscalls, GC, builtins', test: (file) => file === '(native/vm)' },
];

/**
 * Both servers again, side by side, each profiled by V8's CPU sampler (the one behind
 * `--cpu-prof`, started in-process after the warm-up round so start-up is left out), with the
 * request/response load alternating between them (so machine load hits both alike); the profiles
 * compared per message.
 */
async function profileServers(opts, scratch, load) {
  const dirs = Object.fromEntries([BASELINE, CANDIDATE].map((kind) => [kind, path.join(scratch, `profile-${kind}`)]));
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  await withServers(
    [BASELINE, CANDIDATE],
    scratch,
    (servers) => runLoad('load-requests', servers, { ...load, warmupRounds: 1, rounds: opts['profile-rounds'], profile: true, pacedRate: 0 }, 10 * 60_000),
    (kind) => ({ profileDir: dirs[kind], generated: load.generatedDir }),
  );
  // The profilers ran over the measured rounds only (started and stopped by the load child).
  const messages = opts['profile-rounds'] * load.messages;
  const src = profilePath(path.join(load.generatedDir, 'src'));
  return diffProfiles(profileIn(dirs[BASELINE]), profileIn(dirs[CANDIDATE]), { units: messages, categories: profileCategories(src), cwd: repoRoot, own: `${src}/` });
}

function printResults(section) {
  const { requests, paced, fanout } = section;
  const header = ['figure', 'raw ws (baseline)', 'generated', 'generated/raw [per-round min–max]'];
  const row = (label, figure, unit = '') => [label, spread(figure.baseline, unit), spread(figure.candidate, unit), ratioText(figure)];
  const requestRows = (figures) => [
    row('messages/s', figures.messagesPerSecond),
    row('p50 latency', figures.p50Ms, ' ms'),
    row('p99 latency', figures.p99Ms, ' ms'),
    row('server CPU / message', figures.serverCpuUsPerMessage, ' µs'),
    row('  of which user', figures.serverUserUsPerMessage, ' µs'),
    row('  of which system', figures.serverSystemUsPerMessage, ' µs'),
  ];
  console.log(`\nServer, request/response, closed loop: ${section.load.connections} connections × ${section.load.inFlight} in flight, ${section.load.messages.toLocaleString('en-US')} replies per round, ${requests.serverCpuUsPerMessage.candidate.n} rounds each, median [min–max] (load avg ${section.loadAverage.before})`);
  console.log(table(header, requestRows(requests)));
  if (paced !== null) {
    console.log(`\nServer, request/response, paced at ${paced.rate.toLocaleString('en-US')} frames/s (open loop), ${paced.messages.toLocaleString('en-US')} per round, ${paced.p99Ms.candidate.n} rounds each`);
    console.log(table(header, requestRows(paced)));
  }
  console.log(`\nServer, fan-out: one publish to ${fanout.subscribers.toLocaleString('en-US')} connections, ${fanout.publishes} per round, ${fanout.serverCpuUsPerDelivery.candidate.n} rounds each`);
  console.log(table(header, [row('publish call (server)', fanout.publishCallMs, ' ms'), row('until the last delivery', fanout.endToEndMs, ' ms'), row('server CPU / delivery', fanout.serverCpuUsPerDelivery, ' µs')]));
  console.log(`\nTargets\n${table(['target', 'limit', 'measured', ''], section.targets.map((t) => [t.name, t.target, t.figure, t.met ? 'met' : 'MISSED']))}`);
  if (section.profile !== null) {
    const p = section.profile;
    console.log(`\nCPU profiles (sampled, both servers side by side, same load), µs per message: raw ${p.baselineUsPerUnit}, generated ${p.candidateUsPerUnit}`);
    console.log(table(['category', 'raw µs/msg', 'generated µs/msg', 'difference'], p.categories.map((c) => [c.name, c.baselineUsPerUnit, c.candidateUsPerUnit, c.deltaUsPerUnit])));
    console.log(table(['generated package function (self time)', 'µs/msg', 'share'], p.ownFunctions.map((f) => [f.name, f.usPerUnit, `${(f.share * 100).toFixed(1)}%`])));
    console.log(table(['function whose self time grew most (generated − raw)', 'µs/msg', 'generated µs/msg'], p.grownFunctions.map((f) => [f.name, f.usPerUnit, f.candidateUsPerUnit])));
  }
}

const compactRound = ({ round, target, wallMs, serverCpuUs, p50Ms, p99Ms }) => ({ round, target, wallMs: Math.round(wallMs), serverCpuUs, p50Ms: Number(p50Ms.toFixed(2)), p99Ms: Number(p99Ms.toFixed(2)) });

async function main() {
  const opts = options(spec);
  if (!['auto', 'always', 'never'].includes(opts.profile)) throw new RangeError(`--profile must be auto, always or never; got ${JSON.stringify(opts.profile)}`);
  const scratch = scratchDir('server');
  const loadBefore = loadAverage();
  const generatedDir = path.resolve(repoRoot, opts.generated);
  const load = { generatedDir, connections: opts.connections, inFlight: opts['in-flight'], messages: opts.messages, budgetS: opts['budget-s'], roundTimeoutS: 120 };
  const fanoutLoad = { generatedDir, subscribers: opts.subscribers, publishes: opts.publishes, budgetS: opts['budget-s'], roundTimeoutS: 60 };
  const childTimeoutMs = (opts['budget-s'] + 300) * 1000;

  process.stderr.write('bench server: request/response rounds, raw ws vs generated…\n');
  const { requestRounds, pacedRounds, fanoutRounds } = await withServers([BASELINE, CANDIDATE], scratch, async (servers) => {
    const requestLoad = { ...load, rounds: opts.rounds, warmupRounds: opts.warmup, pacedRate: opts['paced-rate'], pacedMessages: opts['paced-messages'], pacedRounds: opts['paced-rounds'] };
    const { rounds: requestRounds, paced: pacedRounds } = await runLoad('load-requests', servers, requestLoad, childTimeoutMs);
    process.stderr.write('bench server: fan-out rounds…\n');
    const fanoutRounds = (await runLoad('load-fanout', servers, { ...fanoutLoad, rounds: opts['fanout-rounds'], warmupRounds: 1 }, childTimeoutMs)).rounds;
    return { requestRounds, pacedRounds, fanoutRounds };
  }, () => ({ generated: generatedDir }));
  const requests = requestFigures(requestRounds);
  const paced = pacedRounds.length === 0 ? null : { rate: opts['paced-rate'], messages: opts['paced-messages'], ...requestFigures(pacedRounds) };
  const fanout = fanoutFigures(fanoutRounds);
  const targets = [
    targetRow('generated server CPU per message vs raw ws', requests.serverCpuUsPerMessage.ratio, SERVER_TARGETS.cpuPerMessage),
    targetRow('generated server p99 latency vs raw ws', requests.p99Ms.ratio, SERVER_TARGETS.p99),
  ];
  let profile = null;
  if (opts.profile === 'always' || (opts.profile === 'auto' && targets.some((target) => !target.met))) {
    process.stderr.write('bench server: profiling both servers under the same load (--cpu-prof)…\n');
    profile = await profileServers(opts, scratch, load);
  }
  const section = {
    date: new Date().toISOString(),
    loadAverage: { before: loadBefore, after: loadAverage() },
    baseline: 'minimal raw ws server: query token checked at the upgrade, JSON.parse, reply built as an object literal, JSON.stringify (bench/child/chat-server-raw.mjs)',
    package: path.relative(repoRoot, generatedDir) || '.',
    candidate: 'generated createServer: auth (trivial authenticate), validation of every frame, token bucket (raised to 1e9/s), validateOutgoing false, default limits otherwise (bench/child/chat-server-generated.mjs)',
    load: { connections: opts.connections, inFlight: opts['in-flight'], messages: opts.messages, warmupRounds: opts.warmup, generator: 'one separate process of raw ws clients (bench/child/load-requests.mjs)' },
    requests,
    paced,
    fanout: { subscribers: opts.subscribers, publishes: opts.publishes, ...fanout },
    targets,
    profile,
    rounds: { requests: requestRounds.map(compactRound), paced: pacedRounds.map(compactRound) },
  };
  const file = saveResults(opts.out, 'server', section);
  printResults(section);
  console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
}

runMain(main);
