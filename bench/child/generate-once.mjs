/**
 * Child process of the generation benchmarks: one cold `wsgen generate <doc> -o <dir> --verbose`
 * exactly as bin/wsgen.js runs it (import dist/cli.js, call run()), then, at exit, one line
 * `WSGEN_BENCH {json}` with the phases' times, the stage timings, CPU time and peak RSS.
 *
 * Usage: node bench/child/generate-once.mjs <doc> <outDir>
 */
import { writeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bootMs = performance.now(); // Node's own start-up, since the process began.
const [doc, outDir] = process.argv.slice(2);
if (doc === undefined || outDir === undefined) {
  process.stderr.write('usage: node bench/child/generate-once.mjs <doc> <outDir>\n');
  process.exit(2);
}
const cli = pathToFileURL(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'cli.js'));
const { run } = await import(cli.href);
const importedMs = performance.now();
let stdout = '';
let stderr = '';
const exitCode = await run(['generate', doc, '-o', outDir, '--verbose'], { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
const ranMs = performance.now();
process.exitCode = exitCode;

const timings = {};
const match = /timings \(ms\): (.*)/.exec(stderr);
if (match !== null) {
  for (const part of match[1].split(', ')) {
    const [stage, ms] = part.split(' ');
    timings[stage] = Number(ms);
  }
}

// Printed at exit so peak RSS and CPU time cover everything the process did, teardown included.
process.on('exit', () => {
  const usage = process.resourceUsage();
  const result = {
    exitCode,
    bootMs,
    importMs: importedMs - bootMs,
    runMs: ranMs - importedMs,
    exitMs: performance.now() - ranMs,
    timings,
    cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
    maxRssMiB: usage.maxRSS / 1024,
    output: exitCode === 0 ? undefined : `${stdout}${stderr}`.slice(0, 2000),
  };
  writeSync(1, `WSGEN_BENCH ${JSON.stringify(result)}\n`);
});
