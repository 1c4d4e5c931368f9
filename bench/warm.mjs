/**
 * Part 2 of the generation bench: warm regeneration inside `wsgen generate --watch`.
 *
 * Starts the real CLI in watch mode on a scratch copy of asyncapi.yaml, then makes N one-line
 * edits (the description changes), waiting for each regeneration, and reads the per-stage
 * timings the CLI prints with --verbose. Figures: wall time from the edit to the summary line,
 * and the CLI's own stage breakdown, median and spread.
 *   node bench/warm.mjs [--runs 10] [--out bench/results]
 */
import { spawn } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { options, runMain } from './lib/args.mjs';
import { defaultResultsDir, loadAverage, repoRoot, saveResults, scratchDir, table } from './lib/results.mjs';
import { spread, summarise } from './lib/stats.mjs';
import { STAGES } from './lib/generate-run.mjs';

runMain(async () => {
  const { runs, out } = options({ runs: { type: 'integer', default: 10, min: 1, max: 100 }, out: { type: 'string', default: defaultResultsDir } });
  const scratch = scratchDir('warm'); // removed at exit
  const doc = path.join(scratch, 'asyncapi.yaml');
  copyFileSync(path.join(repoRoot, 'asyncapi.yaml'), doc);
  const original = readFileSync(doc, 'utf8');
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/wsgen.js'), 'generate', 'asyncapi.yaml', '-o', 'out', '--watch', '--verbose'], { cwd: scratch, stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = () => child.exitCode === null && child.kill('SIGKILL');
  process.once('SIGINT', () => {
    stop();
    process.exit(130);
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const waitFor = async (predicate, what, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`timed out waiting for ${what}: ${stderr.slice(-500)}`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  };
  const count = (text, pattern) => (text.match(pattern) ?? []).length;
  try {
    await waitFor(() => stdout.includes('watching'), 'the first generation');
    const wall = [];
    const stages = Object.fromEntries(STAGES.map((stage) => [stage, []]));
    for (let run = 0; run < runs; run++) {
      const summaries = count(stdout, /→ out: /g);
      const timingLines = count(stderr, /timings \(ms\)/g);
      const started = performance.now();
      writeFileSync(doc, original.replace('Real-time customer-support chat', `Real-time customer-support chat (edit ${run})`));
      await waitFor(() => count(stdout, /→ out: /g) > summaries && count(stderr, /timings \(ms\)/g) > timingLines, `regeneration ${run}`);
      wall.push(performance.now() - started);
      const line = [...stderr.matchAll(/timings \(ms\): (.*)/g)].at(-1)?.[1] ?? '';
      for (const [, stage, ms] of line.matchAll(/(\w+) (\d+)/g)) stages[stage]?.push(Number(ms));
      await new Promise((resolve) => setTimeout(resolve, 150)); // let the watcher settle
    }
    const section = {
      runs,
      loadAverage: loadAverage(),
      editToSummaryMs: summarise(wall),
      stagesMs: Object.fromEntries(Object.entries(stages).map(([stage, values]) => [stage, summarise(values)])),
    };
    console.log(`\nWarm regeneration in --watch after a one-line edit (${runs} edits, load avg ${section.loadAverage})`);
    console.log(table(['figure', 'ms, median [min–max]'], [['edit → summary line', spread(section.editToSummaryMs)], ...STAGES.map((stage) => [`stage: ${stage}`, spread(section.stagesMs[stage])])]));
    console.log(`\nwrote ${path.relative(process.cwd(), saveResults(out, 'warm', section))}`);
  } finally {
    stop();
  }
});
