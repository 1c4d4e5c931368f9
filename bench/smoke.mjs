#!/usr/bin/env node
/**
 * Smoke test of the benchmark suite, so it cannot rot: every part on tiny sizes (1 run,
 * 10 messages, a few validator rounds, a few hundred frames and a few dozen connections for the
 * server, memory and client parts), side by side, into scratch results folders, then checks that
 * each wrote its figures and the chart. About a minute; exits non-zero on any failure.
 *
 * Usage: node bench/smoke.mjs
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runMain } from './lib/args.mjs';
import { runNode } from './lib/children.mjs';
import { repoRoot, scratchDir } from './lib/results.mjs';

const out = scratchDir('smoke');
const PART_TIMEOUT_MS = 180_000;

/** Each part with tiny options, and what its section of latest.json must hold. */
const parts = [
  {
    name: 'generation',
    args: ['--runs', '1', '--warmup', '0', '--parse-docs', 'asyncapi.yaml'],
    check: (section) => [
      [section.generation.wallMs.median > 0, 'generation.wallMs.median > 0'],
      [section.generation.maxRssMiB.median > 0, 'generation.maxRssMiB.median > 0'],
      [section.generation.stagesMs.parse.n === 1, 'stage timings parsed from --verbose'],
      [Number.isFinite(section.parse[0]?.fullOverCore.coldCpuMs), 'parse full/core ratio'],
    ],
  },
  {
    name: 'warm',
    args: ['--runs', '3', '--warmup', '1'],
    check: (section) => [
      [section.editToSummaryMs.n === 3, 'one timing per edit'],
      [['info', 'doc', 'constraint'].every((kind) => section.editToSummaryByKindMs[kind].n === 1), 'one edit of each kind'],
      [section.stagesMs.parse.n === 3, 'stage timings parsed from --verbose'],
      [section.firstEditsMs.length === 1, 'warm-up edit reported'],
    ],
  },
  {
    name: 'scaling',
    args: ['--sizes', '5:1,10:2', '--runs', '1', '--profile-top', '3'],
    check: (section) => [
      [section.sizes.length === 2 && section.sizes.every((row) => row.runMs.median > 0), 'one timing per size'],
      [section.steps.length === 1 && Number.isFinite(section.steps[0].run.ratio), 'growth between sizes'],
      [section.profile !== null && section.profile.functions.length > 0, 'CPU profile summary'],
      [readFileSync(path.join(out, 'scaling', 'generation-scaling.svg'), 'utf8').startsWith('<svg'), 'generation-scaling.svg written'],
    ],
  },
  {
    name: 'validators',
    args: ['--rounds', '2', '--batch-ms', '5', '--budget-s', '2', '--compile-runs', '2'],
    check: (section) => [
      [section.frames.valid.candidateOpsPerSecond.median > 0 && section.frames.valid.baselineOpsPerSecond.median > 0, 'valid-frame ops/s'],
      [section.frames.invalid.issues > 0 && Number.isFinite(section.frames.invalid.candidateOverBaseline), 'invalid-frame ratio'],
    ],
  },
  {
    name: 'server',
    args: ['--connections', '5', '--in-flight', '2', '--messages', '200', '--rounds', '2', '--warmup', '1', '--paced-rate', '2000', '--paced-messages', '200', '--paced-rounds', '2', '--subscribers', '20', '--publishes', '3', '--fanout-rounds', '2', '--profile', 'always', '--profile-rounds', '1'],
    check: (section) => [
      [Number.isFinite(section.requests.serverCpuUsPerMessage.ratio) && Number.isFinite(section.requests.p99Ms.ratio), 'request/response CPU and p99 ratios'],
      [section.paced !== null && section.paced.p99Ms.candidate.n === 2, 'paced rounds'],
      [Number.isFinite(section.fanout.serverCpuUsPerDelivery.ratio), 'fan-out CPU per delivery ratio'],
      [section.targets.length === 2, 'targets'],
      [section.profile !== null && section.profile.ownFunctions.length > 0, 'CPU profile diff'],
    ],
  },
  {
    name: 'memory',
    args: ['--sizes', '20,50', '--repeats', '1', '--hold-s', '0', '--warmup', '5'],
    check: (section) => [
      [section.sizes.length === 2 && Number.isFinite(section.sizes[1].heapUsedBytesPerConnection.candidate.median), 'bytes per connection per size'],
      [section.sizes.every((size) => size.allHeld.raw && size.allHeld.generated), 'every connection held'],
    ],
  },
  {
    name: 'client',
    args: ['--messages', '200', '--rounds', '2', '--warmup', '1'],
    check: (section) => [
      [Number.isFinite(section.requests.cpuUsPerMessage.ratio), 'client CPU per message ratio'],
      [section.bundle.gzipBytes > 0 && section.bundle.externalImports.length === 0, 'browser bundle size, no external imports'],
    ],
  },
];

/** Runs one part into `<out>/<part>/`; resolves with the problems found (none when it passed). */
async function smoke(part) {
  const dir = path.join(out, part.name);
  const child = await runNode(path.join(repoRoot, 'bench', `${part.name}.mjs`), [...part.args, '--out', dir], { cwd: repoRoot, timeoutMs: PART_TIMEOUT_MS });
  let problems = [];
  if (child.code !== 0) problems.push(child.timedOut ? `timed out after ${PART_TIMEOUT_MS / 1000} s` : `exit ${child.code ?? child.signal}: ${child.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  else {
    try {
      const section = JSON.parse(readFileSync(path.join(dir, 'latest.json'), 'utf8')).parts[part.name];
      problems = part.check(section).filter(([ok]) => !ok).map(([, what]) => `missing or wrong: ${what}`);
    } catch (error) {
      problems.push(`results unreadable: ${error.message}`);
    }
  }
  process.stdout.write(`${problems.length === 0 ? 'ok  ' : 'FAIL'} bench ${part.name} (${(child.wallMs / 1000).toFixed(1)} s)${problems.map((problem) => `\n     ${problem}`).join('')}\n`);
  return problems;
}

async function main() {
  // The parts run side by side (each into its own folder): their figures do not matter here.
  const results = await Promise.all(parts.map(smoke));
  const failed = results.filter((problems) => problems.length > 0).length;
  process.stdout.write(`bench smoke: ${parts.length - failed} passed, ${failed} failed\n`);
  process.exitCode = failed > 0 ? 1 : 0;
}

runMain(main);
