/**
 * Soak run of the hardening scenarios at a larger size than the test suite:
 *   npm run soak                 prints a table
 *   npm run soak -- --report     also rewrites RELIABILITY.md
 *   npm run soak -- --scale 0.2  smaller run (quick check of the script itself)
 *   npm run soak -- --only chaos one scenario: fuzz, ws-level, flood, slow, tokens, abuse or chaos
 *
 * Scenarios (the same code as test/hardening/*.test.ts): server fuzzing with hostile frames,
 * frames refused by the ws library, a handshake flood, slow consumers, forged tokens and foreign
 * origins, abuse of the example's own state, and chaos (two example-server processes on a real
 * redis-server, kills and restarts).
 * Everything runs on 127.0.0.1; every process started here is killed before exiting.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createChatServer } from '../examples/chat-app.js';
import { signToken } from '../examples/tokens.js';
import { runChaos, type ChaosResult } from '../test/hardening/support/chaos-scenario.js';
import { documentedCloseCodes, mb, RawClient, ROOT, within } from '../test/hardening/support/common.js';
import { runServerFuzz } from '../test/hardening/support/fuzz-server-scenario.js';
import { forgedTokens, junkTokens, present } from '../test/hardening/support/forged-tokens.js';
import { runHandshakeFlood, runSlowConsumer } from '../test/hardening/support/hostile-scenarios.js';
import { runStateAbuse } from '../test/hardening/support/abuse-scenario.js';
import { startChildChat, type ChildChat } from '../test/hardening/support/processes.js';
import { report, table, type Row } from '../test/hardening/support/soak-report.js';
import { maskedText, rawUpgrade } from '../test/hardening/support/raw-socket.js';

const { values } = parseArgs({ options: { report: { type: 'boolean', default: false }, scale: { type: 'string', default: '1' }, seed: { type: 'string', default: '1' }, only: { type: 'string' } } });
const scale = Number(values.scale);
const seed = Number(values.seed);
if (!(scale > 0 && scale <= 10)) throw new RangeError('--scale must be a number above 0 and at most 10.');
if (!Number.isInteger(seed)) throw new RangeError('--seed must be an integer.');
const size = (n: number): number => Math.max(1, Math.round(n * scale));

const SECRET = 'soak-secret';
const ISSUER = 'https://issuer.soak.test';
const AUDIENCE = 'petstore-chat';
const ORIGIN = 'https://chat.soak.test';
const rows: Row[] = [];
const say = (line: string): void => void process.stderr.write(`${line}\n`);
let uncaught = 0;
process.on('uncaughtException', (error) => {
  uncaught++;
  say(`uncaught exception: ${error.stack ?? String(error)}`);
});

const verdict = (failures: string[]): string => (failures.length === 0 ? 'pass' : `FAIL: ${failures.join('; ')}`);

async function fuzzScenario(): Promise<void> {
  const connections = size(40);
  const frames = size(400);
  say(`fuzz-server: ${connections} connections × ${frames} frames…`);
  const before = uncaught;
  const r = await runServerFuzz({ connections, framesPerConnection: frames, seed });
  const failures = [
    ...r.violations.slice(0, 3),
    ...r.good.failures.slice(0, 2).map((failure) => `good client: ${failure}`),
    ...r.pollution,
    ...r.invalidStored.slice(0, 2).map((item) => `stored invalid ${item}`),
    ...(r.messagesIn.actual === r.messagesIn.expected ? [] : [`handlers saw ${r.messagesIn.actual} messages, ${r.messagesIn.expected} valid were sent`]),
    ...(r.connectionsLeft === 0 ? [] : [`${r.connectionsLeft} connections left open`]),
  ];
  rows.push({
    scenario: 'Server fuzz (hostile frames)',
    load: `${connections} connections, ${r.framesSent} frames, 1 well-behaved client (${r.good.requests} requests)`,
    faults: 'random/binary/empty frames, truncated & deeply nested JSON, JSON bombs, huge numbers, `__proto__`/`constructor` keys, lone surrogates, frames at maxPayloadBytes ± 4',
    outcome: verdict(failures),
    crashes: uncaught - before,
    lost: r.good.requests - r.good.delivered,
    duplicated: '–',
    reordered: '–',
    unauthorised: '–',
    peakRss: `${mb(r.peakRss)} MB (server and clients in one process)`,
    details: [
      `Outcomes predicted by the oracle and observed: ${JSON.stringify(r.outcomes)}.`,
      `Close codes seen: ${JSON.stringify(r.closeCodes)}; ${r.reconnects} reconnects after closes.`,
      `Well-behaved client: ${r.good.delivered}/${r.good.requests} requests answered with a valid \`messageDelivered\`.`,
      `Handler stage reached by exactly the valid frames: ${r.messagesIn.actual} of ${r.messagesIn.expected} expected. Prototype pollution: ${r.pollution.length === 0 ? 'none' : r.pollution.join(', ')}.`,
      `Duration ${(r.durationMs / 1000).toFixed(1)} s.`,
    ],
  });
}

async function wsLevelScenario(): Promise<void> {
  say('ws-level frames…');
  const chat = createChatServer({ port: 0, host: '127.0.0.1', tokens: { secret: SECRET } });
  const port = (await chat.server.listen())?.port ?? 0;
  const documented = documentedCloseCodes();
  const token = await signToken({ sub: 'user_ws' }, SECRET);
  const codes: Record<string, number> = {};
  try {
    const client = await RawClient.open(`ws://127.0.0.1:${port}/v1/ws/chat?token=${token}`);
    client.ws.send(Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]), { binary: false });
    const close = await client.next((event) => event.kind === 'close', 5_000, 'close');
    if (close.kind === 'close') codes['not UTF-8'] = close.code;
    const raw = await rawUpgrade(port, `/v1/ws/chat?token=${token}`);
    raw.socket.write(Buffer.from([0x81, 0x02, 0x7b, 0x7d]));
    await within(new Promise((resolve) => raw.socket.once('close', resolve)), 5_000, 'close after an unmasked frame');
    codes['unmasked frame'] = raw.received().readUInt16BE(2);
    // A masked frame with a reserved opcode (0x3).
    const reserved = await rawUpgrade(port, `/v1/ws/chat?token=${token}`);
    const frame = maskedText('{}');
    frame[0] = 0x83;
    reserved.socket.write(frame);
    await within(new Promise((resolve) => reserved.socket.once('close', resolve)), 5_000, 'close after a reserved opcode');
    codes['reserved opcode'] = reserved.received().readUInt16BE(2);
  } finally {
    await chat.server.close({ timeoutMs: 1_000 });
  }
  const undocumented = Object.entries(codes).filter(([, code]) => !documented.has(code));
  rows.push({
    scenario: 'Frames refused by ws',
    load: '3 connections',
    faults: 'text frame that is not UTF-8, unmasked client frame, reserved opcode',
    outcome: verdict(undocumented.map(([what, code]) => `${what} → close ${code}, not in asyncapi.yaml's close-code table`)),
    crashes: 0,
    lost: '–',
    duplicated: '–',
    reordered: '–',
    unauthorised: '–',
    peakRss: '–',
    details: [`Close codes: ${JSON.stringify(codes)}; documented: ${[...documented].join(', ')}.`],
  });
}

async function withChild<T>(options: Parameters<typeof startChildChat>[0], run: (child: ChildChat) => Promise<T>): Promise<{ value: T; crashed: boolean; peakRss: number }> {
  const child = await startChildChat(options);
  try {
    const value = await run(child);
    const crashed = !child.alive();
    const peakRss = crashed ? 0 : (await child.probe()).peakRss;
    return { value, crashed, peakRss };
  } finally {
    await child.kill();
  }
}

async function floodScenario(): Promise<void> {
  const upgrades = size(2_000);
  const rawSockets = size(1_000);
  say(`handshake flood: ${upgrades} upgrades, ${rawSockets} stalled connections…`);
  const { value: r, crashed, peakRss } = await withChild({ port: 0, host: '127.0.0.1', tokens: { secret: SECRET }, limits: { handshakeTimeoutMs: 1_000 } }, (child) =>
    runHandshakeFlood(child, { secret: SECRET, upgrades, rawSockets, concurrency: 100, handshakeTimeoutMs: 1_000 }),
  );
  const growth = r.memory.after.heapUsed - r.memory.before.heapUsed;
  const failures = [
    ...(r.unauthorisedAccepted === 0 ? [] : [`${r.unauthorisedAccepted} upgrades without a valid token were accepted`]),
    ...(r.raw.leftOpen === 0 ? [] : [`${r.raw.leftOpen} stalled connections were never dropped`]),
    ...r.legit.failures.slice(0, 2).map((failure) => `legitimate client: ${failure}`),
    ...(growth < 16 * 1024 * 1024 ? [] : [`heap grew by ${mb(growth)} MB`]),
  ];
  rows.push({
    scenario: 'Handshake flood',
    load: `${upgrades} upgrades without a valid token + ${rawSockets} TCP connections that never finish the request, 100 at a time; a legitimate client connecting every 100 ms`,
    faults: 'no token, garbage, wrong secret, expired; silent and partial requests',
    outcome: verdict(failures),
    crashes: crashed ? 1 : 0,
    lost: r.legit.attempts - r.legit.ok,
    duplicated: '–',
    reordered: '–',
    unauthorised: r.unauthorisedAccepted,
    peakRss: `${mb(peakRss)} MB`,
    details: [
      `Refusals by status: ${JSON.stringify(r.statuses)}. Stalled connections dropped by the server: ${r.raw.closedByServer}/${r.raw.opened}, the longest after ${r.raw.maxLifetimeMs} ms (handshakeTimeoutMs 1000).`,
      `Legitimate client: ${r.legit.ok}/${r.legit.attempts} round trips during the flood, slowest ${r.legit.maxLatencyMs} ms.`,
      `Server memory: RSS ${mb(r.memory.before.rss)} → peak ${mb(r.memory.peakRss)} → ${mb(r.memory.after.rss)} MB; heap after GC ${mb(r.memory.before.heapUsed)} → ${mb(r.memory.after.heapUsed)} MB. Duration ${(r.durationMs / 1000).toFixed(1)} s.`,
    ],
  });
}

async function slowConsumerScenario(): Promise<void> {
  const consumers = size(20);
  // Enough to overflow the kernel's socket buffers (a few MB per connection) at any scale.
  const messages = Math.max(1_500, size(4_000));
  say(`slow consumers: ${consumers} consumers, ${messages} messages of 8 KB…`);
  const { value: r, crashed, peakRss } = await withChild(
    { port: 0, host: '127.0.0.1', tokens: { secret: SECRET }, limits: { maxBufferedBytes: 256 * 1024, messagesPerSecond: Infinity, closeTimeoutMs: 1_000 } },
    (child) => runSlowConsumer(child, { secret: SECRET, consumers, messages, contentChars: 2_000 }),
  );
  const externalGrowth = r.memory.after.external - r.memory.before.external;
  const failures = [
    ...(r.closed1013 === consumers ? [] : [`close codes ${JSON.stringify(r.closeCodes)} instead of 1013 for all`]),
    ...(externalGrowth < 10 * 1024 * 1024 ? [] : [`buffers grew by ${mb(externalGrowth)} MB`]),
  ];
  rows.push({
    scenario: 'Slow consumers',
    load: `${consumers} consumers that never read, ${messages} chat messages of 8 KB (${mb(r.bytesPerConsumer)} MB per consumer)`,
    faults: 'readers stop reading after joining (maxBufferedBytes 256 KiB)',
    outcome: verdict(failures),
    crashes: crashed ? 1 : 0,
    lost: '–',
    duplicated: '–',
    reordered: '–',
    unauthorised: '–',
    peakRss: `${mb(peakRss)} MB`,
    details: [
      `Consumers closed: ${JSON.stringify(r.closeCodes)}. Flooder acknowledged ${r.flooderDelivered}/${messages}.`,
      `Server memory: RSS ${mb(r.memory.before.rss)} → peak ${mb(r.memory.peakRss)} → ${mb(r.memory.after.rss)} MB; heap after GC ${mb(r.memory.before.heapUsed)} → ${mb(r.memory.after.heapUsed)} MB (the conversation history keeps 1000 messages); buffers ${mb(r.memory.before.external)} → ${mb(r.memory.after.external)} MB. Duration ${(r.durationMs / 1000).toFixed(1)} s.`,
    ],
  });
}

async function tokenScenario(): Promise<void> {
  const junk = size(500);
  say(`tokens and origins: forged tokens, ${junk} junk tokens, foreign origins…`);
  const tokens = { secret: SECRET, issuer: ISSUER, audience: AUDIENCE };
  const { value, crashed, peakRss } = await withChild({ port: 0, host: '127.0.0.1', tokens, allowedOrigins: [ORIGIN] }, async (child) => {
    const forged = await forgedTokens(tokens);
    const results = [];
    for (const { name, token } of forged) {
      results.push(await present(child.port, name, token, 'query', ORIGIN));
      if (token !== undefined && token !== '') results.push(await present(child.port, name, token, 'subprotocol', ORIGIN));
    }
    for (const token of junkTokens(junk, seed)) results.push(await present(child.port, 'junk', token, 'query', ORIGIN));
    const valid = await signToken({ sub: 'user_victim', issuer: ISSUER, audience: AUDIENCE }, SECRET);
    const control = await present(child.port, 'valid', valid, 'query', ORIGIN);
    const origins = ['https://evil.example', 'null', 'http://chat.soak.test', 'https://chat.soak.test.evil.example'];
    const hijack = await Promise.all(origins.map((origin) => present(child.port, `origin ${origin}`, valid, 'query', origin)));
    const brief = await signToken({ sub: 'user_brief', issuer: ISSUER, audience: AUDIENCE, expiresInSeconds: 2 }, SECRET);
    const client = await RawClient.open(`ws://127.0.0.1:${child.port}/v1/ws/chat?token=${brief}`, { origin: ORIGIN });
    const close = await client.next((event) => event.kind === 'close', 6_000, 'expiry close');
    const secrets = [...forged.map((item) => item.token ?? ''), valid, brief].filter((token) => token.length >= 16);
    const said = [...child.log, ...results.map((result) => result.body), JSON.stringify(close)].join('\n');
    return { results, control, hijack, close, leaked: secrets.filter((token) => said.includes(token)).length, errors: child.log.filter((line) => line.startsWith('error:')) };
  });
  const wrong = value.results.filter((result) => result.outcome !== 401);
  const hijacked = value.hijack.filter((result) => result.outcome !== 403);
  const failures = [
    ...wrong.slice(0, 3).map((result) => `${result.name} (${result.placement}) → ${result.outcome}`),
    ...hijacked.map((result) => `${result.name} → ${result.outcome}`),
    ...(value.control.outcome === 'open' ? [] : [`valid token refused (${value.control.outcome})`]),
    ...(value.close.kind === 'close' && value.close.code === 4001 ? [] : ['expiring token not closed with 4001']),
    ...(value.leaked === 0 ? [] : [`${value.leaked} tokens leaked into logs or responses`]),
    ...(value.errors.length === 0 ? [] : [`${value.errors.length} onError reports`]),
  ];
  rows.push({
    scenario: 'Tokens and origins',
    load: `${value.results.length} refused upgrades (query and subprotocol), ${value.hijack.length} cross-site attempts, 1 token expiring mid-connection`,
    faults: '`alg: none`, HS384/HS512, RS256 (real key and HMAC-signed), wrong secret, expired, `nbf` in the future, wrong/missing `aud`/`iss`, no `exp`/`sub`, tampered payload, unknown `crit`, junk; foreign `Origin` with a valid token',
    outcome: verdict(failures),
    crashes: crashed ? 1 : 0,
    lost: '–',
    duplicated: '–',
    reordered: '–',
    unauthorised: wrong.filter((result) => result.outcome === 'open').length + hijacked.filter((result) => result.outcome === 'open').length,
    peakRss: `${mb(peakRss)} MB`,
    details: [
      `Refused with 401: ${value.results.length - wrong.length}/${value.results.length}; cross-site attempts refused with 403: ${value.hijack.length - hijacked.length}/${value.hijack.length}; token expiring mid-connection closed with ${value.close.kind === 'close' ? value.close.code : '–'}.`,
      `Tokens found in logs, refusals or close reasons: ${value.leaked}.`,
    ],
  });
}

async function abuseScenario(): Promise<void> {
  const messages = size(50_000);
  say(`example state abuse: ${messages} new conversations from one client, then a customer joining another customer's conversation…`);
  const { value: r, crashed, peakRss } = await withChild({ port: 0, host: '127.0.0.1', tokens: { secret: SECRET }, limits: { messagesPerSecond: Infinity } }, (child) =>
    runStateAbuse(child, { secret: SECRET, messages }),
  );
  const retained = r.after.heapUsed - r.before.heapUsed;
  const failures = [
    ...(r.after.conversations <= 10_000 ? [] : [`the server still keeps ${r.after.conversations} conversations (${mb(retained)} MB) after the client left`]),
    ...(r.snooped === 0 ? [] : [`after the flood, another customer received ${r.snooped} messages of a private conversation`]),
    ...(r.refused ? [] : ['the snooping customer was not told `forbidden`']),
  ];
  rows.push({
    scenario: 'Example state under abuse',
    load: `1 client posting to ${messages} new conversations, then 1 customer joining another customer's live conversation`,
    faults: 'invented conversation ids (flushing per-conversation state); `typingStopped` naming a foreign conversation',
    outcome: verdict(failures),
    crashes: crashed ? 1 : 0,
    lost: '–',
    duplicated: '–',
    reordered: '–',
    unauthorised: r.snooped,
    peakRss: `${mb(peakRss)} MB`,
    details: [
      `Conversations kept after the client left: ${r.after.conversations}; heap after GC ${mb(r.before.heapUsed)} → ${mb(r.after.heapUsed)} MB (${(retained / messages).toFixed(0)} B per conversation). Duration ${(r.durationMs / 1000).toFixed(1)} s.`,
      `Customer joining another customer's live conversation after the flood: received ${r.snooped} of 5 of its messages; told \`forbidden\`: ${r.refused ? 'yes' : 'no'}.`,
    ],
  });
}

async function chaosScenario(): Promise<ChaosResult | undefined> {
  if (spawnSync('redis-server', ['--version']).error !== undefined) {
    say('chaos: skipped, redis-server is not installed');
    return undefined;
  }
  const clients = size(200);
  const durationMs = Math.max(15_000, Math.round(60_000 * scale));
  say(`chaos: ${clients} clients, ${durationMs / 1000} s…`);
  const r = await runChaos({ clients, conversations: Math.max(2, Math.round(clients / 20)), durationMs, thinkMs: 400, cutEveryMs: 250, seed, log: say });
  const failures = [
    ...r.crashes.map((crash) => crash.split('\n')[0] ?? crash),
    ...r.lostExamples.slice(0, 3).map((example) => `lost ${example}`),
    ...(r.duplicatesById === 0 ? [] : [`${r.duplicatesById} messageIds delivered twice`]),
    ...r.duplicatesOutsideCrashWindow.slice(0, 3).map((example) => `duplicate outside a crash window: ${example}`),
    ...r.reorderExamples.slice(0, 3),
    ...(r.notRecovered.length === 0 ? [] : [`${r.notRecovered.length} clients never recovered`]),
    ...Object.entries(r.closedForGood).map(([why, count]) => `${count} clients closed for good: ${why}`),
    ...Object.entries(r.rejections).filter(([code]) => code !== 'request_timeout').map(([code, count]) => `${count} requests refused: ${code}`),
  ];
  rows.push({
    scenario: 'Chaos (2 instances + Redis)',
    load: `${r.clients} clients in ${r.conversations} conversations, ${r.requests} chat requests, ${(r.durationMs / 1000).toFixed(0)} s`,
    faults: `${r.faults.instanceKills} instance kill -9 + restart, ${r.faults.redisKills} redis-server kill -9 + restart (degraded ${(r.faults.redisDegradedMs / 1000).toFixed(1)} s), ${r.faults.connectionsCut} connections cut`,
    outcome: verdict(failures),
    crashes: r.crashes.length,
    lost: r.lost,
    duplicated: `${r.duplicatesById} by id, ${r.duplicatesByContent} re-sent after a crash`,
    reordered: r.reordered,
    unauthorised: '–',
    peakRss: `${mb(r.peakRss)} MB (largest instance)`,
    details: [
      `Requests: ${r.acknowledged} acknowledged, ${r.unacknowledged} not${r.unacknowledged === 0 ? '' : ` (${JSON.stringify(r.rejections)})`}; acknowledgement latency p50 ${r.ackLatencyMs.p50} ms, p99 ${r.ackLatencyMs.p99} ms, max ${r.ackLatencyMs.max} ms.`,
      `Guaranteed deliveries (qualifying receiver × acknowledged message): ${r.qualifyingPairs - r.lost}/${r.qualifyingPairs} delivered, ${r.lost} lost.`,
      `Outside the guarantee (receiver reconnecting, or on the other instance while Redis was degraded): ${r.bestEffort.delivered}/${r.bestEffort.pairs} delivered anyway.`,
      `Broadcasts received in total: ${r.deliveries}. Duplicates: ${r.duplicatesById} of the same messageId; ${r.duplicatesByContent} receptions of a message re-sent after its instance was killed (stored twice, two messageIds)${r.duplicatesOutsideCrashWindow.length === 0 ? ', all inside crash windows' : `, ${r.duplicatesOutsideCrashWindow.length}+ outside them`}. Reordered: ${r.reordered}.`,
    ],
  });
  return r;
}

const scenarios: Array<[string, () => Promise<unknown>]> = [
  ['fuzz', fuzzScenario],
  ['ws-level', wsLevelScenario],
  ['flood', floodScenario],
  ['slow', slowConsumerScenario],
  ['tokens', tokenScenario],
  ['abuse', abuseScenario],
  ['chaos', chaosScenario],
];
const names = scenarios.map(([name]) => name);
if (values.only !== undefined && !names.includes(values.only)) throw new RangeError(`--only must be one of: ${names.join(', ')}.`);
if (values.only !== undefined && values.report) throw new TypeError('--report needs every scenario; drop --only.');
for (const [name, run] of scenarios) {
  if (values.only !== undefined && name !== values.only) continue;
  try {
    await run();
  } catch (error) {
    say(`${name}: ${(error as Error).stack ?? String(error)}`);
    rows.push({ scenario: name, load: '–', faults: '–', outcome: `FAIL: the scenario threw: ${(error as Error).message}`, crashes: 0, lost: '–', duplicated: '–', reordered: '–', unauthorised: '–', peakRss: '–', details: [] });
  }
}
console.log(table(rows));
if (values.report) {
  writeFileSync(path.join(ROOT, 'RELIABILITY.md'), report(rows, { scale, seed }));
  say('RELIABILITY.md rewritten');
}
process.exitCode = rows.every((row) => row.outcome === 'pass') ? 0 : 1;
// Every scenario closes what it opened; should a handle linger anyway, do not hang the shell.
setTimeout(() => {
  say('soak: handles still open after the run; exiting anyway');
  process.exit();
}, 10_000).unref();
