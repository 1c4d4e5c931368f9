#!/usr/bin/env node
/**
 * Bench part 5 — memory: what an idle, authenticated connection costs the server process, the
 * generated server vs a minimal raw `ws` server (bench/child/chat-server-*.mjs). For each size
 * (`--sizes 2000,10000`) and repeat, a fresh server process of each kind (the order alternating)
 * gets that many connections from a separate load process (bench/child/load-idle.mjs); the RSS,
 * heap and external memory of the server (after full GCs) before and after give the bytes per
 * connection. The load holds the connections `--hold-s` seconds and checks that the server still
 * has all of them (the largest size confirms that one process holds them), then tries one
 * connection more.
 *
 * Servers and load run under `bash -c 'ulimit -n …'` when the soft limit on open files is too
 * low for the size (it cannot go above the hard limit).
 *
 * Usage: node bench/memory.mjs [--sizes 2000,10000] [--repeats 2] [--hold-s 3] [--warmup 200]
 *          [--concurrency 200] [--generated generated] [--out bench/results]
 */
import path from 'node:path';
import { options, runMain } from './lib/args.mjs';
import { readMarked, runNode } from './lib/children.mjs';
import { targetRow } from './lib/paired.mjs';
import { defaultResultsDir, loadAverage, repoRoot, saveResults, scratchDir, table } from './lib/results.mjs';
import { openFilesLimit, startServerChild } from './lib/server-child.mjs';
import { ratio, spread, summarise } from './lib/stats.mjs';

const spec = {
  sizes: { type: 'string', default: '2000,10000' },
  repeats: { type: 'integer', default: 2, min: 1, max: 20 },
  'hold-s': { type: 'integer', default: 3, min: 0, max: 600 },
  warmup: { type: 'integer', default: 200, min: 0, max: 10_000 },
  concurrency: { type: 'integer', default: 200, min: 1, max: 5000 },
  generated: { type: 'string', default: 'generated' },
  out: { type: 'string', default: defaultResultsDir },
};

/** Targets of this part. */
export const MEMORY_TARGETS = { rssPerConnection: 1.25, idleConnections: 10_000 };

const KINDS = ['raw', 'generated'];
/** File descriptors beyond the sockets: stdio, the listeners, the control endpoint, Node's own. */
const SPARE_FILES = 1000;

/** One server process of `kind` with `connections` idle connections; the load child's figures. */
async function measureOnce(kind, connections, opts, scratch) {
  const openFiles = connections + opts.warmup + SPARE_FILES;
  const server = await startServerChild(kind, scratch, { openFiles, generated: path.resolve(repoRoot, opts.generated), timeoutMs: 10 * 60_000 });
  try {
    const config = JSON.stringify({ url: server.url, controlUrl: server.controlUrl, connections, warmup: opts.warmup, holdS: opts['hold-s'], concurrency: opts.concurrency });
    const loadScript = path.join(repoRoot, 'bench', 'child', 'load-idle.mjs');
    const child =
      openFiles > openFilesLimit()
        ? await runNode(path.join(repoRoot, 'bench', 'child', 'with-ulimit.mjs'), [String(openFiles), loadScript, config], { cwd: repoRoot, timeoutMs: 5 * 60_000 })
        : await runNode(loadScript, [config], { cwd: repoRoot, timeoutMs: 5 * 60_000 });
    if (child.code !== 0) throw new Error(`${connections} idle connections to the ${kind} server failed (${child.timedOut ? 'timed out' : `exit ${child.code ?? child.signal}`}): ${child.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    return readMarked(child.stdout, 'WSGEN_BENCH');
  } finally {
    await server.stop();
  }
}

/** Bytes per connection of one measurement. */
function perConnection(run, connections) {
  const delta = (key) => (run.after[key] - run.before[key]) / connections;
  return {
    rss: delta('rss'),
    heapUsed: delta('heapUsed'),
    external: (run.after.external + run.after.arrayBuffers - run.before.external - run.before.arrayBuffers) / connections,
  };
}

function summariseSize(size, runs) {
  const side = (kind) => runs.filter((run) => run.kind === kind);
  const figure = (kind, key) => summarise(side(kind).map((run) => run.perConnection[key]), 0);
  const result = { connections: size, runs: runs.length };
  for (const key of ['rss', 'heapUsed', 'external']) {
    const raw = figure('raw', key);
    const generated = figure('generated', key);
    const paired = side('generated').map((run) => run.perConnection[key] / side('raw').find((other) => other.repeat === run.repeat).perConnection[key]);
    result[`${key}BytesPerConnection`] = { baseline: raw, candidate: generated, ratio: ratio(generated.median, raw.median), paired: summarise(paired, 2) };
  }
  result.serverRssMiB = Object.fromEntries(KINDS.map((kind) => [kind, summarise(side(kind).map((run) => run.after.rss / 2 ** 20), 1)]));
  result.openSeconds = Object.fromEntries(KINDS.map((kind) => [kind, summarise(side(kind).map((run) => run.openMs / 1000), 2)]));
  result.allHeld = Object.fromEntries(KINDS.map((kind) => [kind, side(kind).every((run) => run.allOpen && run.serverConnections === size)]));
  result.oneMore = Object.fromEntries(KINDS.map((kind) => [kind, [...new Set(side(kind).map((run) => run.oneMore))].join('; ')]));
  return result;
}

async function main() {
  const opts = options(spec);
  const sizes = opts.sizes.split(',').map(Number);
  if (sizes.length === 0 || !sizes.every((size) => Number.isInteger(size) && size >= 1 && size <= 60_000)) throw new RangeError(`--sizes takes comma-separated integers from 1 to 60000; got ${JSON.stringify(opts.sizes)}`);
  const scratch = scratchDir('memory');
  const loadBefore = loadAverage();
  const runs = [];
  for (let repeat = 0; repeat < opts.repeats; repeat++) {
    for (const size of sizes) {
      const order = (repeat + sizes.indexOf(size)) % 2 === 0 ? KINDS : [...KINDS].reverse();
      for (const kind of order) {
        process.stderr.write(`bench memory: ${size.toLocaleString('en-US')} idle connections, ${kind} server (repeat ${repeat + 1}/${opts.repeats})…\n`);
        const run = await measureOnce(kind, size, opts, scratch);
        runs.push({ kind, size, repeat, ...run, perConnection: perConnection(run, size) });
      }
    }
  }
  const bySize = sizes.map((size) => summariseSize(size, runs.filter((run) => run.size === size)));
  const largest = bySize.at(-1);
  const targets = [
    targetRow(`server RSS per idle connection vs raw ws (${largest.connections.toLocaleString('en-US')} connections)`, largest.rssBytesPerConnection.ratio, MEMORY_TARGETS.rssPerConnection),
    targetRow('idle connections held by one generated server process', largest.allHeld.generated ? largest.connections : 0, MEMORY_TARGETS.idleConnections, { atLeast: true, unit: '', figure: largest.allHeld.generated ? `${largest.connections.toLocaleString('en-US')} held ${opts['hold-s']} s` : 'not all held' }),
  ];
  const section = {
    date: new Date().toISOString(),
    loadAverage: { before: loadBefore, after: loadAverage() },
    openFilesSoftLimit: openFilesLimit(),
    baseline: 'minimal raw ws server (bench/child/chat-server-raw.mjs): query token checked at the upgrade, principal kept on the socket, wss.clients tracking',
    candidate: 'generated createServer with the bench handlers and default limits (maxConnections 10,000), heartbeat on (30 s)',
    sizes: bySize,
    targets,
    runs: runs.map(({ kind, size, repeat, openMs, perConnection: bytes, serverConnections, allOpen, oneMore }) => ({ kind, size, repeat, openMs: Math.round(openMs), rssBytesPerConnection: Math.round(bytes.rss), heapBytesPerConnection: Math.round(bytes.heapUsed), serverConnections, allOpen, oneMore })),
  };
  const file = saveResults(opts.out, 'memory', section);
  console.log(`\nMemory per idle authenticated connection (server process, after full GCs), median [min–max] over ${opts.repeats} fresh process(es) each (load avg ${loadBefore})`);
  const rows = [];
  for (const size of bySize) {
    for (const [key, label] of [['rss', 'RSS'], ['heapUsed', 'JS heap'], ['external', 'external + ArrayBuffers']]) {
      const figure = size[`${key}BytesPerConnection`];
      rows.push([`${size.connections.toLocaleString('en-US')} conns, ${label}`, spread(figure.baseline, ' B'), spread(figure.candidate, ' B'), figure.ratio === null ? '–' : `${figure.ratio}×`]);
    }
    rows.push([`${size.connections.toLocaleString('en-US')} conns, server RSS`, spread(size.serverRssMiB.raw, ' MiB'), spread(size.serverRssMiB.generated, ' MiB'), '']);
    rows.push([`${size.connections.toLocaleString('en-US')} conns, all held`, String(size.allHeld.raw), String(size.allHeld.generated), '']);
    rows.push([`${size.connections.toLocaleString('en-US')} conns, one more`, size.oneMore.raw, size.oneMore.generated, '']);
  }
  console.log(table(['figure', 'raw ws (baseline)', 'generated', 'generated/raw'], rows));
  console.log(`\nTargets\n${table(['target', 'limit', 'measured', ''], targets.map((t) => [t.name, t.target, t.figure, t.met ? 'met' : 'MISSED']))}`);
  console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
}

runMain(main);
