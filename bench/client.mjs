#!/usr/bin/env node
/**
 * Bench part 6 — client: CPU time per round trip of the generated client vs a hand-written raw
 * `ws` client, both against the same raw bench server (its own process), from one client process
 * (bench/child/client-requests.mjs) whose `process.cpuUsage()` is read around alternated rounds;
 * and the browser bundle of the client entry (`generated/src/client.ts`, validators included):
 * esbuild `platform: 'browser'`, bundled, minified, then gzip level 9.
 *
 * Usage: node bench/client.mjs [--in-flight 8] [--messages 10000] [--rounds 20] [--warmup 2]
 *          [--budget-s 180] [--generated generated] [--out bench/results]
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { options, runMain } from './lib/args.mjs';
import { readMarked, runNode } from './lib/children.mjs';
import { compareRounds, ratioText, targetRow } from './lib/paired.mjs';
import { defaultResultsDir, loadAverage, repoRoot, saveResults, scratchDir, table } from './lib/results.mjs';
import { startServerChild } from './lib/server-child.mjs';
import { spread } from './lib/stats.mjs';

const spec = {
  'in-flight': { type: 'integer', default: 8, min: 1, max: 1000 },
  messages: { type: 'integer', default: 10_000, min: 10, max: 10_000_000 },
  rounds: { type: 'integer', default: 20, min: 2, max: 1000 },
  warmup: { type: 'integer', default: 2, min: 0, max: 100 },
  'budget-s': { type: 'integer', default: 180, min: 5, max: 3600 },
  generated: { type: 'string', default: 'generated' },
  out: { type: 'string', default: defaultResultsDir },
};

/** Target of this part: the browser bundle, minified and gzipped (level 9), in bytes. */
export const CLIENT_TARGETS = { bundleGzipBytes: 20 * 1024 };

/** Which part of the package an input of the bundle belongs to. */
function groupOf(input) {
  if (/validators(-standalone)?\.ts$/.test(input)) return 'validators';
  if (input.includes('/runtime/client/')) return 'runtime/client';
  if (input.includes('/runtime/')) return 'runtime (shared)';
  if (input.includes('node_modules/')) return 'node_modules';
  return 'client.ts, protocol.ts, messages';
}

/** Bundles the client entry for browsers; sizes and what the minified bytes are made of. */
async function measureBundle(packageDir) {
  const entry = path.join(packageDir, 'src', 'client.ts');
  if (!existsSync(entry)) throw new Error(`${entry} does not exist`);
  const result = await build({ entryPoints: [entry], bundle: true, minify: true, platform: 'browser', format: 'esm', write: false, metafile: true, outfile: 'client.min.js', logLevel: 'warning' });
  const output = result.outputFiles.find((file) => file.path.endsWith('.js'));
  const meta = Object.values(result.metafile.outputs).find((candidate) => candidate.entryPoint !== undefined);
  const groups = {};
  for (const [input, { bytesInOutput }] of Object.entries(meta.inputs)) {
    const group = groupOf(input);
    groups[group] = (groups[group] ?? 0) + bytesInOutput;
  }
  const minifiedBytes = output.contents.byteLength;
  return {
    entry: path.relative(repoRoot, entry),
    esbuild: "platform 'browser', format 'esm', bundle, minify",
    minifiedBytes,
    gzipBytes: gzipSync(output.contents, { level: 9 }).byteLength,
    minifiedBytesBy: Object.fromEntries(Object.entries(groups).sort((a, b) => b[1] - a[1])),
    inputs: Object.keys(meta.inputs).length,
    externalImports: meta.imports.map((entryImport) => entryImport.path),
  };
}

async function main() {
  const opts = options(spec);
  const scratch = scratchDir('client');
  const loadBefore = loadAverage();
  process.stderr.write('bench client: browser bundle of the client entry…\n');
  const generatedDir = path.resolve(repoRoot, opts.generated);
  const bundle = await measureBundle(generatedDir);
  process.stderr.write('bench client: round trips, raw ws client vs generated client, against one raw server…\n');
  const server = await startServerChild('raw', scratch);
  let rounds;
  try {
    const config = JSON.stringify({ url: server.url, inFlight: opts['in-flight'], messages: opts.messages, rounds: opts.rounds, warmupRounds: opts.warmup, budgetS: opts['budget-s'], generatedDir });
    const child = await runNode(path.join(repoRoot, 'bench', 'child', 'client-requests.mjs'), [config], { nodeArgs: ['--import', 'tsx'], cwd: repoRoot, timeoutMs: (opts['budget-s'] + 300) * 1000 });
    if (child.code !== 0) throw new Error(`client round trips failed (${child.timedOut ? 'timed out' : `exit ${child.code ?? child.signal}`}): ${child.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    rounds = readMarked(child.stdout, 'WSGEN_BENCH').rounds;
  } finally {
    await server.stop();
  }
  const compare = (candidate, value, digits) => compareRounds(rounds, value, { baseline: 'raw', candidate, digits });
  const cpu = (row) => row.cpuUs / row.messages;
  const rate = (row) => (row.messages * 1000) / row.wallMs;
  const requests = {
    cpuUsPerMessage: compare('generated', cpu, 2),
    messagesPerSecond: compare('generated', rate, 0),
    unvalidated: { cpuUsPerMessage: compare('generated-unvalidated', cpu, 2), messagesPerSecond: compare('generated-unvalidated', rate, 0) },
  };
  const targets = [targetRow('client bundle, minified + gzip -9', bundle.gzipBytes, CLIENT_TARGETS.bundleGzipBytes, { unit: ' B', figure: `${bundle.gzipBytes.toLocaleString('en-US')} B (${(bundle.gzipBytes / 1024).toFixed(1)} KiB)` })];
  const section = {
    date: new Date().toISOString(),
    loadAverage: { before: loadBefore, after: loadAverage() },
    baseline: 'hand-written ws client: JSON.stringify with a random UUID id, JSON.parse, Map id → promise (bench/child/client-requests.mjs)',
    candidate: 'generated createClient with defaults (validation both ways, request timeout, heartbeat), ws injected, request()',
    load: { inFlight: opts['in-flight'], messages: opts.messages, server: 'raw bench server, own process' },
    requests,
    bundle,
    targets,
    rounds: rounds.map(({ round, target, wallMs, cpuUs }) => ({ round, target, wallMs: Math.round(wallMs), cpuUs })),
  };
  const file = saveResults(opts.out, 'client', section);
  const row = (label, figure, unit = '') => [label, spread(figure.baseline, unit), spread(figure.candidate, unit), ratioText(figure)];
  console.log(`\nClient round trips: ${opts['in-flight']} in flight, ${opts.messages.toLocaleString('en-US')} per round, ${requests.cpuUsPerMessage.candidate.n} rounds each, median [min–max] (load avg ${loadBefore})`);
  console.log(
    table(
      ['figure', 'raw ws client (baseline)', 'candidate', 'candidate/raw [per-round min–max]'],
      [
        row('client CPU / message, generated', requests.cpuUsPerMessage, ' µs'),
        row('client CPU / message, generated unvalidated', requests.unvalidated.cpuUsPerMessage, ' µs'),
        row('round trips/s, generated', requests.messagesPerSecond),
      ],
    ),
  );
  console.log(`\nBrowser bundle of ${bundle.entry}: ${bundle.minifiedBytes.toLocaleString('en-US')} B minified, ${bundle.gzipBytes.toLocaleString('en-US')} B gzip -9; minified bytes by part: ${Object.entries(bundle.minifiedBytesBy).map(([group, bytes]) => `${group} ${bytes.toLocaleString('en-US')}`).join(', ')}; external imports: ${bundle.externalImports.length === 0 ? 'none' : bundle.externalImports.join(', ')}`);
  console.log(`\nTargets\n${table(['target', 'limit', 'measured', ''], targets.map((t) => [t.name, t.target, t.figure, t.met ? 'met' : 'MISSED']))}`);
  console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
}

runMain(main);
