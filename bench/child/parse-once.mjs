/**
 * Child process of the generation benchmark: @asyncapi/parser alone on one document, with the
 * full default ruleset (`full`) or the core ruleset wsgen's generate uses (`core`:
 * `{ ruleset: { recommended: false } }`). Prints `WSGEN_BENCH {json}`: the time to load the
 * parser, the first (cold) parse (wall and CPU time), the median of `warm` more parses, and the diagnostics found.
 *
 * Usage: node bench/child/parse-once.mjs <full|core> <doc> [warm=3]
 */
import { createRequire } from 'node:module';
import path from 'node:path';

const [ruleset, doc, warmArg = '3'] = process.argv.slice(2);
if ((ruleset !== 'full' && ruleset !== 'core') || doc === undefined) {
  process.stderr.write('usage: node bench/child/parse-once.mjs <full|core> <doc> [warm]\n');
  process.exit(2);
}
const warm = Math.min(Math.max(Number(warmArg) || 0, 0), 20);
const require = createRequire(import.meta.url);
const started = performance.now();
const { Parser, fromFile, DiagnosticSeverity } = require('@asyncapi/parser');
const parser = new Parser(ruleset === 'full' ? {} : { ruleset: { recommended: false } });
const loadedMs = performance.now() - started;

// Same call as src/parse.ts.
const parseOnce = () => fromFile(parser, path.resolve(doc)).parse({ validateOptions: { allowedSeverity: { warning: true, info: true, hint: true } } });
let mark = performance.now();
const cpuBefore = process.cpuUsage();
const first = await parseOnce();
const coldMs = performance.now() - mark;
const cpu = process.cpuUsage(cpuBefore);
const coldCpuMs = (cpu.user + cpu.system) / 1000;
const warmMs = [];
for (let i = 0; i < warm; i++) {
  mark = performance.now();
  await parseOnce();
  warmMs.push(performance.now() - mark);
}
warmMs.sort((a, b) => a - b);
const severityName = Object.fromEntries(Object.entries(DiagnosticSeverity).map(([name, value]) => [value, name.toLowerCase()]));
const diagnostics = {};
for (const diagnostic of first.diagnostics) {
  const name = severityName[diagnostic.severity] ?? String(diagnostic.severity);
  diagnostics[name] = (diagnostics[name] ?? 0) + 1;
}
const usage = process.resourceUsage();
process.stdout.write(
  `WSGEN_BENCH ${JSON.stringify({
    ruleset,
    ok: first.document !== undefined,
    loadedMs,
    coldMs,
    coldCpuMs,
    warmMs: warmMs.length > 0 ? warmMs[Math.floor((warmMs.length - 1) / 2)] : null,
    diagnostics,
    maxRssMiB: usage.maxRSS / 1024,
  })}\n`,
);
