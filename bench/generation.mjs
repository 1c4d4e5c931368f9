#!/usr/bin/env node
/**
 * Bench part 1 — cold generation of one document: whole-process wall time, CPU time and peak RSS
 * of `wsgen generate <doc> -o <tmp> --verbose` over N fresh processes, with the per-stage
 * breakdown; then @asyncapi/parser alone with the full default ruleset vs the core ruleset that
 * generate uses, alternated in fresh processes, to show what that split buys.
 *
 * Usage: node bench/generation.mjs [--runs 7] [--doc asyncapi.yaml]
 *          [--parse-docs asyncapi.yaml,test/corpus/spec-2.6-slack-rtm.yaml] [--out bench/results]
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { options, runMain } from './lib/args.mjs';
import { readMarked, runNode } from './lib/children.mjs';
import { generateOnce, STAGES } from './lib/generate-run.mjs';
import { defaultResultsDir, loadAverage, repoRoot, saveResults, scratchDir, table } from './lib/results.mjs';
import { ratio, spread, summarise } from './lib/stats.mjs';

const spec = {
  runs: { type: 'integer', default: 7, min: 1, max: 50 },
  warmup: { type: 'integer', default: 1, min: 0, max: 5 },
  doc: { type: 'string', default: 'asyncapi.yaml' },
  'parse-docs': { type: 'string', default: 'asyncapi.yaml,test/corpus/spec-2.6-slack-rtm.yaml' },
  'parse-runs': { type: 'integer', default: undefined, min: 1, max: 50 },
  out: { type: 'string', default: defaultResultsDir },
  'timeout-s': { type: 'integer', default: 600, min: 10, max: 3600 },
  'budget-s': { type: 'integer', default: 1800, min: 10, max: 7200 },
};

/** Cold generations of `doc`: `runs` measured runs after `warmup` discarded ones. */
async function measureGeneration(doc, { runs, warmup, timeoutMs, deadline, scratch }) {
  for (let i = 0; i < warmup; i++) await generateOnce(doc, scratch, { timeoutMs });
  const samples = [];
  for (let i = 0; i < runs && (i === 0 || performance.now() < deadline); i++) samples.push(await generateOnce(doc, scratch, { timeoutMs }));
  const pick = (get) => summarise(samples.map(get));
  return {
    runs: samples.length,
    wallMs: pick((s) => s.wallMs),
    cpuMs: pick((s) => s.cpuMs),
    maxRssMiB: pick((s) => s.maxRssMiB),
    phasesMs: { boot: pick((s) => s.bootMs), import: pick((s) => s.importMs), run: pick((s) => s.runMs), exit: pick((s) => s.exitMs) },
    stagesMs: Object.fromEntries(STAGES.map((stage) => [stage, pick((s) => s.timings[stage])])),
    outputBytes: samples[0].outputBytes,
  };
}

/** Parser alone, full vs core ruleset, alternating which goes first. */
async function measureParse(doc, { runs, timeoutMs, deadline }) {
  const script = path.join(repoRoot, 'bench', 'child', 'parse-once.mjs');
  const samples = { full: [], core: [] };
  const once = async (ruleset) => {
    const child = await runNode(script, [ruleset, doc, '3'], { timeoutMs, cwd: repoRoot });
    if (child.code !== 0) throw new Error(`parsing ${doc} (${ruleset} ruleset) failed: ${child.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    const result = readMarked(child.stdout, 'WSGEN_BENCH');
    if (!result.ok) throw new Error(`the parser produced no document for ${doc} (${ruleset} ruleset)`);
    samples[ruleset].push({ ...result, wallMs: child.wallMs });
  };
  for (let i = 0; i < runs && (i === 0 || performance.now() < deadline); i++) {
    const order = i % 2 === 0 ? ['full', 'core'] : ['core', 'full'];
    for (const ruleset of order) await once(ruleset);
  }
  const side = (list) => ({
    coldMs: summarise(list.map((s) => s.coldMs)),
    coldCpuMs: summarise(list.map((s) => s.coldCpuMs)),
    warmMs: summarise(list.map((s) => s.warmMs)),
    loadParserMs: summarise(list.map((s) => s.loadedMs)),
    processWallMs: summarise(list.map((s) => s.wallMs)),
    maxRssMiB: summarise(list.map((s) => s.maxRssMiB)),
    diagnostics: list[0].diagnostics,
  });
  const full = side(samples.full);
  const core = side(samples.core);
  const pairs = samples.full.map((s, i) => s.coldCpuMs / samples.core[i].coldCpuMs);
  return {
    doc,
    runs: samples.full.length,
    full,
    core,
    fullOverCore: {
      coldMs: ratio(full.coldMs.median, core.coldMs.median),
      coldCpuMs: ratio(full.coldCpuMs.median, core.coldCpuMs.median),
      warmMs: ratio(full.warmMs.median, core.warmMs.median),
      pairedColdCpu: summarise(pairs, 2),
    },
  };
}

/** `{ warning: 55, information: 2 }` → `55 warning, 2 information`. */
const diagnosticCounts = (counts) => Object.entries(counts).map(([severity, count]) => `${count} ${severity}`).join(', ') || 'none';

async function main() {
  const opts = options(spec);
  if (!existsSync(path.join(repoRoot, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` first');
  const doc = path.resolve(repoRoot, opts.doc);
  const parseDocs = opts['parse-docs'].split(',').filter(Boolean).map((file) => path.resolve(repoRoot, file));
  for (const file of [doc, ...parseDocs]) if (!existsSync(file)) throw new Error(`${file} does not exist`);
  const timeoutMs = opts['timeout-s'] * 1000;
  const deadline = performance.now() + opts['budget-s'] * 1000;
  const scratch = scratchDir('generation');
  const loadBefore = loadAverage();

  process.stderr.write(`bench generation: ${opts.runs} cold run(s) of ${path.relative(repoRoot, doc)}…\n`);
  const generation = await measureGeneration(doc, { runs: opts.runs, warmup: opts.warmup, timeoutMs, deadline, scratch });
  const parse = [];
  for (const file of parseDocs) {
    process.stderr.write(`bench generation: parser full vs core ruleset on ${path.relative(repoRoot, file)}…\n`);
    parse.push(await measureParse(file, { runs: opts['parse-runs'] ?? opts.runs, timeoutMs, deadline }));
  }
  for (const entry of parse) entry.doc = path.relative(repoRoot, entry.doc);

  const runMedian = generation.phasesMs.run.median;
  const section = {
    date: new Date().toISOString(),
    loadAverage: { before: loadBefore, after: loadAverage() },
    doc: path.relative(repoRoot, doc),
    generation: {
      ...generation,
      stageShareOfRun: Object.fromEntries(STAGES.map((stage) => [stage, ratio(generation.stagesMs[stage].median, runMedian, 3)])),
    },
    parse,
  };
  const file = saveResults(opts.out, 'generation', section);

  const g = generation;
  console.log(`\nCold generation of ${section.doc} (${g.runs} runs; median [min–max]; load avg ${loadBefore})`);
  console.log(
    table(
      ['figure', 'value'],
      [
        ['whole process, wall', spread(g.wallMs, ' ms')],
        ['whole process, CPU (user+sys)', spread(g.cpuMs, ' ms')],
        ['peak RSS', spread(g.maxRssMiB, ' MiB')],
        ['node start-up', spread(g.phasesMs.boot, ' ms')],
        ['import dist/cli.js', spread(g.phasesMs.import, ' ms')],
        ['run() (generate + report)', spread(g.phasesMs.run, ' ms')],
        ...STAGES.map((stage) => [`  stage ${stage}`, `${spread(g.stagesMs[stage], ' ms')}  (${Math.round((section.generation.stageShareOfRun[stage] ?? 0) * 100)}%)`]),
        ['output size', `${(g.outputBytes / 1024).toFixed(0)} KiB`],
      ],
    ),
  );
  console.log('\n@asyncapi/parser alone, cold (first parse in a fresh process), full default ruleset vs core ruleset');
  console.log(
    table(
      ['document', 'full: wall', 'core: wall', 'full: CPU', 'core: CPU', 'full/core CPU', 'paired [min–max]', 'diagnostics: full → core'],
      parse.map((p) => [
        p.doc,
        spread(p.full.coldMs, ' ms'),
        spread(p.core.coldMs, ' ms'),
        spread(p.full.coldCpuMs, ' ms'),
        spread(p.core.coldCpuMs, ' ms'),
        `${p.fullOverCore.coldCpuMs}×`,
        `${p.fullOverCore.pairedColdCpu.median}× [${p.fullOverCore.pairedColdCpu.min}–${p.fullOverCore.pairedColdCpu.max}]`,
        `${diagnosticCounts(p.full.diagnostics)} → ${diagnosticCounts(p.core.diagnostics)}`,
      ]),
    ),
  );
  console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
}

runMain(main);
