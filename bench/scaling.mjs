#!/usr/bin/env node
/**
 * Bench part 2 — scaling: synthesises documents of growing size (default 10, 100 and 1,000
 * messages over 1, 10 and 100 channels), times cold generations of each (runs interleaved across
 * sizes), and reports time per message, growth between sizes and the stage that dominates; one
 * extra run of the largest size under `--cpu-prof` names the hottest functions. Draws
 * `generation-scaling.svg`.
 *
 * Usage: node bench/scaling.mjs [--sizes 10:1,100:10,1000:100] [--runs 3] [--profile-top 5]
 *          [--out bench/results]
 */
import { readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { options, runMain } from './lib/args.mjs';
import { summariseCpuProfile } from './lib/cpu-profile.mjs';
import { generateOnce, STAGES } from './lib/generate-run.mjs';
import { defaultResultsDir, loadAverage, repoRoot, saveResults, scratchDir, table, writeAtomically } from './lib/results.mjs';
import { ratio, spread, summarise } from './lib/stats.mjs';
import { lineChart } from './lib/svg-chart.mjs';
import { writeSynthesisedDocument } from './lib/synth.mjs';

const spec = {
  sizes: { type: 'string', default: '10:1,100:10,1000:100' },
  runs: { type: 'integer', default: 3, min: 1, max: 20 },
  'profile-top': { type: 'integer', default: 5, min: 0, max: 50 },
  out: { type: 'string', default: defaultResultsDir },
  'timeout-s': { type: 'integer', default: 900, min: 10, max: 3600 },
  'budget-s': { type: 'integer', default: 2400, min: 10, max: 7200 },
};

/** Growth above this multiple of linear is flagged. */
const SUPERLINEAR_LIMIT = 1.5;
/** Stages faster than this (ms, at the larger size) are too small to judge growth on. */
const MIN_STAGE_MS = 50;

function parseSizes(text) {
  const sizes = text.split(',').map((item) => {
    const [messages, channels = '1'] = item.split(':').map(Number);
    if (!Number.isInteger(messages) || !Number.isInteger(channels) || messages < 1 || channels < 1 || channels > messages) {
      throw new RangeError(`--sizes items must be messages:channels with 1 <= channels <= messages, got ${JSON.stringify(item)}`);
    }
    return { messages, channels };
  });
  return sizes.sort((a, b) => a.messages - b.messages);
}

/** Growth from one size to the next: raw ratio, ratio over linear, and marginal cost per message. */
function growth(previous, next, get) {
  const a = get(previous);
  const b = get(next);
  const sizeRatio = next.messages / previous.messages;
  return { ratio: ratio(b, a), vsLinear: ratio(b / a, sizeRatio), marginalMsPerMessage: Number(((b - a) / (next.messages - previous.messages)).toFixed(2)) };
}

async function main() {
  const opts = options(spec);
  if (!existsSync(path.join(repoRoot, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` first');
  const sizes = parseSizes(opts.sizes);
  const timeoutMs = opts['timeout-s'] * 1000;
  const deadline = performance.now() + opts['budget-s'] * 1000;
  const scratch = scratchDir('scaling');
  const loadBefore = loadAverage();
  const docs = new Map();
  for (const size of sizes) docs.set(size, await writeSynthesisedDocument(scratch, size));

  const samples = new Map(sizes.map((size) => [size, []]));
  let truncated = false;
  for (let round = 0; round < opts.runs; round++) {
    if (round > 0 && performance.now() > deadline) {
      truncated = true;
      break;
    }
    for (const size of sizes) {
      process.stderr.write(`bench scaling: round ${round + 1}/${opts.runs}, ${size.messages} messages…\n`);
      samples.get(size).push(await generateOnce(docs.get(size), scratch, { timeoutMs }));
    }
  }

  const rows = sizes.map((size) => {
    const list = samples.get(size);
    const pick = (get) => summarise(list.map(get));
    const stagesMs = Object.fromEntries(STAGES.map((stage) => [stage, pick((s) => s.timings[stage])]));
    const runMs = pick((s) => s.runMs);
    const dominant = STAGES.reduce((best, stage) => (stagesMs[stage].median > stagesMs[best].median ? stage : best), STAGES[0]);
    return {
      ...size,
      runs: list.length,
      wallMs: pick((s) => s.wallMs),
      runMs,
      cpuMs: pick((s) => s.cpuMs),
      maxRssMiB: pick((s) => s.maxRssMiB),
      stagesMs,
      outputBytes: list[0].outputBytes,
      runMsPerMessage: Number((runMs.median / size.messages).toFixed(2)),
      wallMsPerMessage: Number((pick((s) => s.wallMs).median / size.messages).toFixed(2)),
      dominantStage: { stage: dominant, share: ratio(stagesMs[dominant].median, runMs.median, 3) },
    };
  });

  const flags = [];
  const steps = [];
  for (let i = 1; i < rows.length; i++) {
    const [a, b] = [rows[i - 1], rows[i]];
    const step = {
      from: a.messages,
      to: b.messages,
      run: growth(a, b, (row) => row.runMs.median),
      wall: growth(a, b, (row) => row.wallMs.median),
      maxRss: growth(a, b, (row) => row.maxRssMiB.median),
      outputBytes: growth(a, b, (row) => row.outputBytes),
      stages: Object.fromEntries(STAGES.map((stage) => [stage, growth(a, b, (row) => row.stagesMs[stage].median)])),
    };
    if (i >= 2) {
      // Marginal cost per message of this step over the previous one: ~1 when linear.
      const earlier = steps[i - 2];
      const marginal = (now, before) => (now > 0 && before > 0 ? ratio(now, before) : null);
      step.run.marginalGrowth = marginal(step.run.marginalMsPerMessage, earlier.run.marginalMsPerMessage);
      for (const stage of STAGES) step.stages[stage].marginalGrowth = marginal(step.stages[stage].marginalMsPerMessage, earlier.stages[stage].marginalMsPerMessage);
    }
    const judge = (what, g, largerMs) => {
      if (largerMs < MIN_STAGE_MS) return;
      if (g.vsLinear > SUPERLINEAR_LIMIT) flags.push(`${what} grew ${g.ratio}× from ${a.messages} to ${b.messages} messages: ${g.vsLinear}× linear`);
      else if (g.marginalGrowth > SUPERLINEAR_LIMIT) flags.push(`${what}: each message cost ${g.marginalGrowth}× more from ${a.messages} to ${b.messages} than in the step before (marginal ${g.marginalMsPerMessage} ms/message)`);
    };
    judge('run()', step.run, b.runMs.median);
    for (const stage of STAGES) judge(`stage ${stage}`, step.stages[stage], b.stagesMs[stage].median);
    judge('output size', step.outputBytes, Infinity);
    steps.push(step);
  }

  let profile = null;
  if (opts['profile-top'] > 0 && performance.now() < deadline) {
    const largest = sizes[sizes.length - 1];
    process.stderr.write(`bench scaling: one more run of ${largest.messages} messages under --cpu-prof…\n`);
    const profileDir = path.join(scratch, 'profile');
    const profiled = await generateOnce(docs.get(largest), scratch, { timeoutMs, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] });
    const [file] = (await readdir(profileDir)).filter((name) => name.endsWith('.cpuprofile'));
    profile = { messages: largest.messages, profiledRunMs: Math.round(profiled.runMs), ...(await summariseCpuProfile(path.join(profileDir, file), { top: opts['profile-top'], cwd: repoRoot })) };
  }

  const section = { date: new Date().toISOString(), loadAverage: { before: loadBefore, after: loadAverage() }, runsPerSize: opts.runs, truncated, sizes: rows, steps, flags, profile };
  const file = saveResults(opts.out, 'scaling', section);
  const svg = path.join(opts.out, 'generation-scaling.svg');
  const point = (get) => (row) => ({ x: row.messages, y: get(row).median, lo: get(row).min, hi: get(row).max });
  writeAtomically(
    svg,
    lineChart({
      title: `wsgen generate: cold time vs messages (median of ${opts.runs}, min–max)`,
      xLabel: 'messages in the document (log)',
      yLabel: 'time (log)',
      yTickLabel: (ms) => (ms >= 1000 ? `${Number((ms / 1000).toPrecision(3))} s` : `${Math.round(ms)} ms`),
      series: [
        { name: 'whole process (wall)', color: '#1f77b4', points: rows.map(point((row) => row.wallMs)) },
        { name: 'run() = all stages', color: '#2ca02c', points: rows.map(point((row) => row.runMs)) },
        { name: `format stage`, color: '#d62728', points: rows.map(point((row) => row.stagesMs.format)) },
        { name: 'render stage', color: '#9467bd', points: rows.map(point((row) => row.stagesMs.render)) },
        { name: 'parse stage', color: '#ff7f0e', points: rows.map(point((row) => row.stagesMs.parse)) },
        { name: 'linear from smallest', color: '#999', dashed: true, points: rows.map((row) => ({ x: row.messages, y: (rows[0].runMs.median * row.messages) / rows[0].messages })) },
      ],
    }),
  );

  console.log(`\nScaling: cold generation of synthetic documents (${opts.runs} run(s) per size, median [min–max]; load avg ${loadBefore})`);
  console.log(
    table(
      ['messages', 'channels', 'whole process', 'run()', 'run ms/msg', 'peak RSS', 'output', ...STAGES, 'dominant'],
      rows.map((row) => [
        row.messages,
        row.channels,
        spread(row.wallMs, ' ms'),
        spread(row.runMs, ' ms'),
        row.runMsPerMessage,
        spread(row.maxRssMiB, ' MiB'),
        `${(row.outputBytes / 2 ** 20).toFixed(1)} MiB`,
        ...STAGES.map((stage) => Math.round(row.stagesMs[stage].median)),
        `${row.dominantStage.stage} ${Math.round(row.dominantStage.share * 100)}%`,
      ]),
    ),
  );
  if (steps.length > 0) {
    console.log('\nGrowth between sizes (ratio of medians; "×lin" = ratio ÷ size ratio; marginal = extra ms per extra message)');
    console.log(
      table(
        ['step', 'run()', '×lin', 'marginal ms/msg', ...STAGES.map((stage) => `${stage} ×lin`), 'RSS', 'output'],
        steps.map((step) => [
          `${step.from}→${step.to}`,
          `${step.run.ratio}×`,
          step.run.vsLinear,
          `${step.run.marginalMsPerMessage}${step.run.marginalGrowth == null ? '' : ` (${step.run.marginalGrowth}×)`}`,
          ...STAGES.map((stage) => step.stages[stage].vsLinear),
          `${step.maxRss.ratio}×`,
          `${step.outputBytes.ratio}×`,
        ]),
      ),
    );
  }
  console.log(flags.length === 0 ? `\nNo stage grew worse than ${SUPERLINEAR_LIMIT}× linear.` : `\nFLAGGED (worse than ${SUPERLINEAR_LIMIT}× linear):\n${flags.map((flag) => `  - ${flag}`).join('\n')}`);
  if (profile !== null) {
    console.log(`\nCPU profile of one run at ${profile.messages} messages (${profile.totalMs} ms sampled; self time)`);
    console.log(table(['top functions', 'ms', 'share'], profile.functions.map((entry) => [entry.name, entry.ms, `${Math.round(entry.share * 100)}%`])));
    console.log(table(['top files', 'ms', 'share'], profile.files.map((entry) => [entry.name, entry.ms, `${Math.round(entry.share * 100)}%`])));
    console.log(table(['top packages', 'ms', 'share'], profile.packages.map((entry) => [entry.name, entry.ms, `${Math.round(entry.share * 100)}%`])));
  }
  console.log(`\nwrote ${path.relative(process.cwd(), file)} and ${path.relative(process.cwd(), svg)}`);
}

runMain(main);
