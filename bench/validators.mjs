#!/usr/bin/env node
/**
 * Bench part 3 — validators: the generated standalone validator of one message (Ajv standalone
 * code compiled at generation time, from `<package>/src/validators.ts`, bundled on the fly with
 * esbuild) vs Ajv compiling the same schema at runtime (payload dereferenced by
 * @asyncapi/parser, same Ajv options as the generator), both behind the same `fromAjv` adapter.
 * ops/s on a valid and an invalid frame, baseline and candidate alternated in rounds.
 *
 * Usage: node bench/validators.mjs [--doc asyncapi.yaml] [--message chatMessage]
 *          [--generated <dir>] [--rounds 100] [--batch-ms 20] [--budget-s 30] [--out bench/results]
 * Without --generated, a fresh package is generated from --doc into a scratch folder.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { options, runMain } from './lib/args.mjs';
import { runNode } from './lib/children.mjs';
import { defaultResultsDir, loadAverage, repoRoot, saveResults, scratchDir, table } from './lib/results.mjs';
import { ratio, summarise } from './lib/stats.mjs';

const spec = {
  doc: { type: 'string', default: 'asyncapi.yaml' },
  message: { type: 'string', default: 'chatMessage' },
  generated: { type: 'string', default: undefined },
  rounds: { type: 'integer', default: 100, min: 2, max: 1000 },
  'batch-ms': { type: 'integer', default: 20, min: 1, max: 5000 },
  'budget-s': { type: 'integer', default: 30, min: 1, max: 600 },
  'compile-runs': { type: 'integer', default: 7, min: 1, max: 100 },
  out: { type: 'string', default: defaultResultsDir },
};

const require = createRequire(path.join(repoRoot, 'package.json'));
const pascal = (name) => name.replace(/(^|[^A-Za-z0-9]+)([A-Za-z0-9])/g, (_, __, letter) => letter.toUpperCase());

/** The package to measure: `--generated`, or a fresh `wsgen generate` of the document. */
async function packageDir(opts, doc, scratch) {
  if (opts.generated !== undefined) return path.resolve(repoRoot, opts.generated);
  if (!existsSync(path.join(repoRoot, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` first');
  const dir = path.join(scratch, 'package');
  const child = await runNode(path.join(repoRoot, 'bin', 'wsgen.js'), ['generate', doc, '-o', dir], { cwd: repoRoot, timeoutMs: 10 * 60_000 });
  if (child.code !== 0) throw new Error(`wsgen generate ${doc} failed: ${child.stderr.trim()}`);
  return dir;
}

/** Bundles the generated validators (and the runtime's `fromAjv`) to one ESM file and imports it. */
async function importGenerated(dir, scratch) {
  const validators = path.join(dir, 'src', 'validators.ts');
  if (!existsSync(validators)) throw new Error(`${validators} does not exist`);
  const outfile = path.join(scratch, 'validators-bundle.mjs');
  await build({
    stdin: { contents: `export * from './src/validators.ts';\nexport { fromAjv } from './src/runtime/ajv-issues.ts';\n`, resolveDir: dir, loader: 'ts', sourcefile: 'bench-entry.ts' },
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  });
  return import(pathToFileURL(outfile).href);
}

/** The message's payload schema dereferenced by @asyncapi/parser, and its examples. */
async function messageFromDocument(doc, messageId) {
  const { Parser, fromFile } = require('@asyncapi/parser');
  const { document, diagnostics } = await fromFile(new Parser({ ruleset: { recommended: false } }), doc).parse({ validateOptions: { allowedSeverity: { warning: true, info: true, hint: true } } });
  if (document === undefined) throw new Error(`${doc} does not parse: ${diagnostics.map((d) => d.message).join('; ')}`);
  const message = document.messages().all().find((candidate) => candidate.id() === messageId || candidate.name() === messageId);
  if (message === undefined) throw new Error(`no message ${JSON.stringify(messageId)} in ${doc}; pass --message <id>`);
  const examples = message.examples().all().map((example) => example.payload()).filter((payload) => payload !== undefined);
  return { schema: message.payload().json(), examples, name: message.name() ?? message.id() };
}

/** Ajv at runtime with the generator's options (src/render/standalone-validators.ts). */
function compileAtRuntime(schema) {
  const Ajv = require('ajv');
  const addFormats = require('ajv-formats');
  const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

/** A copy of `frame` with an unknown top-level property and its first string leaf made a number. */
function breakFrame(frame) {
  const copy = structuredClone(frame);
  copy.__benchUnknown = true;
  const stack = [copy.payload ?? copy];
  while (stack.length > 0) {
    const node = stack.shift();
    if (node === null || typeof node !== 'object') continue;
    const key = Object.keys(node).find((candidate) => typeof node[candidate] === 'string');
    if (key !== undefined) {
      node[key] = 42;
      break;
    }
    stack.push(...Object.values(node));
  }
  return copy;
}

let sink = 0;
function batch(validate, frame, iterations) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) if (validate(frame).ok) sink++;
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** Alternates baseline and candidate (ABBA) in rounds of ~batchMs each; ops/s per round. */
function race(baseline, candidate, frame, { rounds, batchMs, budgetMs }) {
  for (let i = 0; i < 3; i++) {
    batch(baseline, frame, 2000);
    batch(candidate, frame, 2000);
  }
  let iterations = 1000;
  while (iterations < 1e8) {
    const seconds = Math.max(batch(baseline, frame, iterations), batch(candidate, frame, iterations));
    if (seconds * 1000 >= batchMs / 2) {
      iterations = Math.max(1, Math.round((iterations * batchMs) / 1000 / seconds));
      break;
    }
    iterations *= 4;
  }
  const opsPerSecond = { baseline: [], candidate: [] };
  const paired = [];
  const deadline = performance.now() + budgetMs;
  for (let round = 0; round < rounds && (round < 2 || performance.now() < deadline); round++) {
    const order = round % 2 === 0 ? ['baseline', 'candidate'] : ['candidate', 'baseline'];
    const now = {};
    for (const side of order) now[side] = iterations / batch(side === 'baseline' ? baseline : candidate, frame, iterations);
    opsPerSecond.baseline.push(now.baseline);
    opsPerSecond.candidate.push(now.candidate);
    paired.push(now.candidate / now.baseline);
  }
  const baselineSummary = summarise(opsPerSecond.baseline, 0);
  const candidateSummary = summarise(opsPerSecond.candidate, 0);
  return {
    iterationsPerBatch: iterations,
    rounds: paired.length,
    baselineOpsPerSecond: baselineSummary,
    candidateOpsPerSecond: candidateSummary,
    candidateOverBaseline: ratio(candidateSummary.median, baselineSummary.median),
    pairedRatio: summarise(paired, 2),
  };
}

async function main() {
  const opts = options(spec);
  const doc = path.resolve(repoRoot, opts.doc);
  if (!existsSync(doc)) throw new Error(`${doc} does not exist`);
  const scratch = scratchDir('validators');
  const loadBefore = loadAverage();
  process.stderr.write('bench validators: preparing the generated package and the runtime Ajv baseline…\n');
  const dir = await packageDir(opts, doc, scratch);
  const generated = await importGenerated(dir, scratch);
  const message = await messageFromDocument(doc, opts.message);
  const exportName = `validate${pascal(message.name)}`;
  const candidate = generated[exportName];
  if (typeof candidate !== 'function') {
    throw new Error(`${path.join(dir, 'src', 'validators.ts')} has no ${exportName}; it exports ${Object.keys(generated).filter((name) => name.startsWith('validate')).join(', ')}`);
  }
  const compileMs = [];
  let ajvValidate;
  for (let i = 0; i < opts['compile-runs']; i++) {
    const started = performance.now();
    ajvValidate = compileAtRuntime(message.schema);
    compileMs.push(performance.now() - started);
  }
  const baseline = generated.fromAjv(ajvValidate);

  const valid = message.examples.at(-1);
  if (valid === undefined) throw new Error(`message ${opts.message} has no example to use as a valid frame`);
  const frames = { valid, invalid: breakFrame(valid) };
  const expectations = {};
  for (const [kind, frame] of Object.entries(frames)) {
    const a = baseline(frame);
    const b = candidate(frame);
    if (a.ok !== (kind === 'valid') || b.ok !== (kind === 'valid')) throw new Error(`the ${kind} ${opts.message} frame is judged ${a.ok ? 'valid' : 'invalid'} by runtime Ajv and ${b.ok ? 'valid' : 'invalid'} by the generated validator: ${JSON.stringify(frame)}`);
    if (!isDeepStrictEqual(a, b)) throw new Error(`runtime Ajv and the generated validator disagree on the ${kind} frame: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    expectations[kind] = b.ok ? 0 : b.issues.length;
  }

  const results = {};
  for (const [kind, frame] of Object.entries(frames)) {
    process.stderr.write(`bench validators: ${kind} ${opts.message} frame…\n`);
    results[kind] = { issues: expectations[kind], ...race(baseline, candidate, frame, { rounds: opts.rounds, batchMs: opts['batch-ms'], budgetMs: opts['budget-s'] * 1000 }) };
  }
  const section = {
    date: new Date().toISOString(),
    loadAverage: { before: loadBefore, after: loadAverage() },
    doc: path.relative(repoRoot, doc),
    message: opts.message,
    package: opts.generated ?? '(fresh wsgen generate into a scratch folder)',
    baseline: 'Ajv compiled at runtime (allErrors, strict: false, ajv-formats) from @asyncapi/parser payload().json(), behind fromAjv',
    candidate: `generated ${exportName} (Ajv standalone, compiled at generation time)`,
    ajvCompileMs: { first: Number(compileMs[0].toFixed(2)), later: summarise(compileMs.slice(1), 2) },
    frames: results,
    okResults: sink, // Keeps the validation results observable, so no call is optimised away.
  };
  const file = saveResults(opts.out, 'validators', section);
  const ops = (summary) => `${Math.round(summary.median).toLocaleString('en-US')} [${Math.round(summary.p10).toLocaleString('en-US')}–${Math.round(summary.p90).toLocaleString('en-US')}]`;
  console.log(`\nValidators: ${opts.message} frame, ops/s median [p10–p90] over ${results.valid.rounds} alternated rounds (load avg ${loadBefore})`);
  console.log(
    table(
      ['frame', 'issues', 'runtime Ajv (baseline)', `generated ${exportName}`, 'generated/Ajv', 'paired [p10–p90]'],
      Object.entries(results).map(([kind, r]) => [kind, r.issues, ops(r.baselineOpsPerSecond), ops(r.candidateOpsPerSecond), `${r.candidateOverBaseline}×`, `${r.pairedRatio.median}× [${r.pairedRatio.p10}–${r.pairedRatio.p90}]`]),
    ),
  );
  const later = section.ajvCompileMs.later;
  console.log(`runtime Ajv compile of the schema (the start-up cost the standalone validators avoid): first in the process ${section.ajvCompileMs.first} ms; later, each on a fresh Ajv instance: ${later.n > 0 ? `${later.median} ms [${later.min}–${later.max}]` : '–'}`);
  console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
}

runMain(main);
