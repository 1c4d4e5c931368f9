/**
 * Part 2 of the generation bench: warm regeneration inside `wsgen generate --watch`.
 *
 * Starts the real CLI in watch mode on a scratch copy of asyncapi.yaml, then makes N one-line
 * edits, waiting for each regeneration, and reads the per-stage timings the CLI prints with
 * --verbose. The edits cycle through three kinds, because they cost different amounts:
 *   info        the API's description (only the README changes),
 *   doc         a schema's description (the TypeScript docs change: payload types re-rendered),
 *   constraint  a schema's maxLength (the validators change too: recompiled and re-bundled).
 * Figures: wall time from the edit to the summary line, overall and per kind, and the CLI's own
 * stage breakdown, median and spread, over `--runs` edits after `--warmup` edits (reported one by
 * one: the first edits after start run code V8 has not optimised yet).
 *   node bench/warm.mjs [--runs 15] [--warmup 6] [--out bench/results]
 */
import { spawn } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { options, runMain } from './lib/args.mjs';
import { defaultResultsDir, loadAverage, repoRoot, saveResults, scratchDir, table } from './lib/results.mjs';
import { spread, summarise } from './lib/stats.mjs';
import { STAGES } from './lib/generate-run.mjs';

runMain(async () => {
  const { runs, warmup, out } = options({ runs: { type: 'integer', default: 15, min: 1, max: 300 }, warmup: { type: 'integer', default: 6, min: 0, max: 60 }, out: { type: 'string', default: defaultResultsDir } });
  const scratch = scratchDir('warm'); // removed at exit
  const doc = path.join(scratch, 'asyncapi.yaml');
  copyFileSync(path.join(repoRoot, 'asyncapi.yaml'), doc);
  const original = readFileSync(doc, 'utf8');
  /** The three one-line edits; each run changes one of them to a value it has not had yet. */
  const edits = {
    info: { from: 'Real-time customer-support chat', to: (n) => `Real-time customer-support chat (edit ${n})` },
    doc: { from: 'ID of a support conversation, e.g.', to: (n) => `ID of a support conversation (edit ${n}), e.g.` },
    constraint: { from: 'maxLength: 64\n', to: (n) => `maxLength: ${65 + n}\n` },
  };
  const kinds = Object.keys(edits);
  for (const kind of kinds) if (!original.includes(edits[kind].from)) throw new Error(`asyncapi.yaml no longer contains ${JSON.stringify(edits[kind].from)}: update the ${kind} edit of bench/warm.mjs`);
  const current = Object.fromEntries(kinds.map((kind) => [kind, edits[kind].from]));
  const documentText = () => kinds.reduce((text, kind) => text.replace(edits[kind].from, current[kind]), original);
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
    const firstEdits = [];
    const wallByKind = Object.fromEntries(kinds.map((kind) => [kind, []]));
    const stages = Object.fromEntries(STAGES.map((stage) => [stage, []]));
    for (let run = 0; run < warmup + runs; run++) {
      const summaries = count(stdout, /→ out: /g);
      const timingLines = count(stderr, /timings \(ms\)/g);
      const started = performance.now();
      const kind = kinds[run % kinds.length];
      current[kind] = edits[kind].to(run);
      writeFileSync(doc, documentText());
      await waitFor(() => count(stdout, /→ out: /g) > summaries && count(stderr, /timings \(ms\)/g) > timingLines, `regeneration ${run}`);
      const elapsed = performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 150)); // let the watcher settle
      if (run < warmup) {
        firstEdits.push({ kind, ms: Math.round(elapsed) });
        continue;
      }
      wall.push(elapsed);
      wallByKind[kind].push(elapsed);
      const line = [...stderr.matchAll(/timings \(ms\): (.*)/g)].at(-1)?.[1] ?? '';
      for (const [, stage, ms] of line.matchAll(/(\w+) (\d+)/g)) stages[stage]?.push(Number(ms));
    }
    const section = {
      runs,
      warmup,
      firstEditsMs: firstEdits,
      loadAverage: loadAverage(),
      editToSummaryMs: summarise(wall),
      editToSummaryByKindMs: Object.fromEntries(kinds.map((kind) => [kind, summarise(wallByKind[kind])])),
      stagesMs: Object.fromEntries(Object.entries(stages).map(([stage, values]) => [stage, summarise(values)])),
    };
    console.log(`\nWarm regeneration in --watch after a one-line edit (${runs} edits after ${warmup} warm-up edits, load avg ${section.loadAverage})`);
    if (warmup > 0) console.log(`first edits after start (not in the figures below): ${firstEdits.map(({ kind, ms }) => `${kind} ${ms} ms`).join(', ')}`);
    console.log(table(['figure', 'ms, median [min–max]'], [['edit → summary line', spread(section.editToSummaryMs)], ...kinds.filter((kind) => wallByKind[kind].length > 0).map((kind) => [`  ${kind} edits`, spread(section.editToSummaryByKindMs[kind])]), ...STAGES.map((stage) => [`stage: ${stage}`, spread(section.stagesMs[stage])])]));
    console.log(`\nwrote ${path.relative(process.cwd(), saveResults(out, 'warm', section))}`);
  } finally {
    stop();
  }
});
