#!/usr/bin/env node
/**
 * `npm run bench`: runs every part of the benchmark suite in turn, each in its own process,
 * into the same results folder. Exits non-zero if any part fails.
 *
 * Usage: node bench/run-all.mjs [--only generation,warm,scaling,validators,server,memory,client] [--out bench/results]
 */
import path from 'node:path';
import { options, runMain } from './lib/args.mjs';
import { runNode } from './lib/children.mjs';
import { defaultResultsDir, repoRoot } from './lib/results.mjs';

/** The parts, in the order they run. */
export const PARTS = ['generation', 'warm', 'scaling', 'validators', 'server', 'memory', 'client'];

async function main() {
  const opts = options({ only: { type: 'string', default: PARTS.join(',') }, out: { type: 'string', default: defaultResultsDir } });
  const parts = opts.only.split(',').filter(Boolean);
  for (const part of parts) if (!PARTS.includes(part)) throw new RangeError(`--only takes a comma-separated list of ${PARTS.join(', ')}; got ${JSON.stringify(part)}`);
  const failed = [];
  for (const part of parts) {
    process.stderr.write(`\n=== bench: ${part} ===\n`);
    const child = await runNode(path.join(repoRoot, 'bench', `${part}.mjs`), ['--out', opts.out], { cwd: repoRoot, inherit: true, timeoutMs: 90 * 60_000 });
    process.stderr.write(`=== bench: ${part}: ${child.code === 0 ? 'done' : `FAILED (exit ${child.code ?? child.signal})`} in ${(child.wallMs / 1000).toFixed(0)} s ===\n`);
    if (child.code !== 0) failed.push(part);
  }
  if (failed.length > 0) {
    process.stderr.write(`bench: failed: ${failed.join(', ')}\n`);
    process.exitCode = 1;
  }
}

runMain(main);
