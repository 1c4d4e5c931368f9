/**
 * The `wsgen` command line. Problems with the input print one line each to stderr and exit 1;
 * stack traces only with --verbose.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { formatLocation, formatProblem, WsgenError } from './errors.js';
import { generate, type GenerateResult } from './generate.js';
import { packageRoot } from './paths.js';
import { loadDocument } from './load.js';
import { parseDocument } from './parse.js';

/** Where the CLI writes (injectable for tests). */
interface Output {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Exit codes of the CLI. */
export const ExitCode = { OK: 0, PROBLEM: 1, USAGE: 2 } as const;

interface GenerateFlags {
  output: string;
  check?: boolean;
  packageName?: string;
  packageVersion?: string;
  verbose?: boolean;
}

/** Runs the CLI with `argv` (without `node` and the script); returns the exit code. */
export async function run(argv: string[], io: Output = { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) }): Promise<number> {
  const version = (JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
  let exitCode: number = ExitCode.OK;
  const program = new Command('wsgen')
    .description('Generate a typed WebSocket server, client, message types and validators from an AsyncAPI document.')
    .version(version, '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run wsgen --help for usage)');

  program
    .command('generate')
    .description('generate the package for an AsyncAPI document (2.x or 3.0)')
    .argument('[spec]', 'AsyncAPI document (YAML or JSON)', 'asyncapi.yaml')
    .option('-o, --output <dir>', 'output folder (the generated npm package)', 'generated')
    .option('--check', 'do not write: exit 1 and show a short diff when the output folder is stale')
    .option('--package-name <name>', 'npm name of the generated package (default: from info.title)')
    .option('--package-version <version>', 'version of the generated package (default: info.version)')
    .option('--verbose', 'print stage timings, warnings in full and stack traces')
    .action(async (spec: string, flags: GenerateFlags) => {
      exitCode = await runGenerate(spec, flags, io);
    });

  program
    .command('validate')
    .description('parse and lint an AsyncAPI document with the full ruleset; report diagnostics only (for CI linting)')
    .argument('[spec]', 'AsyncAPI document (YAML or JSON)', 'asyncapi.yaml')
    .option('--strict', 'exit 1 on warnings too')
    .action(async (spec: string, flags: { strict?: boolean }) => {
      exitCode = await runValidate(spec, flags, io);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    throw error;
  }
  return exitCode;
}

async function runValidate(spec: string, flags: { strict?: boolean }, io: Output): Promise<number> {
  try {
    const loaded = await loadDocument(spec);
    const { warnings } = await parseDocument(loaded, { lint: true });
    for (const warning of warnings) {
      const where = formatLocation(warning.location);
      io.stderr(`wsgen: ${warning.severity === 'info' ? 'note' : 'warning'}: ${where === '' ? '' : `${where}: `}${warning.message}\n`);
    }
    const count = warnings.filter((warning) => warning.severity !== 'info').length;
    io.stdout(`wsgen: ${loaded.displayPath} is a valid AsyncAPI ${loaded.version} document (${count} warning(s))\n`);
    return flags.strict === true && count > 0 ? ExitCode.PROBLEM : ExitCode.OK;
  } catch (error) {
    if (!(error instanceof WsgenError)) throw error;
    for (const problem of error.problems) io.stderr(`wsgen: ${formatProblem(problem)}\n`);
    return ExitCode.PROBLEM;
  }
}

async function runGenerate(spec: string, flags: GenerateFlags, io: Output): Promise<number> {
  const started = performance.now();
  let result: GenerateResult;
  try {
    result = await generate({ input: spec, outDir: flags.output, check: flags.check, packageName: flags.packageName, packageVersion: flags.packageVersion });
  } catch (error) {
    if (error instanceof WsgenError) {
      for (const problem of error.problems) io.stderr(`wsgen: ${formatProblem(problem)}\n`);
      if (flags.verbose === true) io.stderr(`${error.stack ?? ''}\n`);
      return ExitCode.PROBLEM;
    }
    io.stderr(`wsgen: internal error: ${(error as Error).message}\n`);
    io.stderr(flags.verbose === true ? `${(error as Error).stack ?? ''}\n` : 'wsgen: run again with --verbose for details, and please report it\n');
    return ExitCode.PROBLEM;
  }
  for (const warning of result.warnings) {
    const where = formatLocation(warning.location);
    io.stderr(`wsgen: warning: ${where === '' ? '' : `${where}: `}${warning.message}\n`);
  }
  if (flags.verbose === true) io.stderr(`wsgen: timings (ms): ${Object.entries(result.timings).map(([stage, ms]) => `${stage} ${ms}`).join(', ')}\n`);
  const { ir } = result;
  const messages = ir.messages.length;
  const elapsed = `${Math.round(performance.now() - started)} ms`;
  if (!ir.hasWebSocket) io.stdout(`wsgen: ${ir.title} has no WebSocket (ws/wss) channel: generated types and validators only\n`);
  if (result.differences !== undefined) {
    if (result.differences.length === 0) {
      io.stdout(`wsgen: ${flags.output} is up to date (${result.files.length} files, ${elapsed})\n`);
      return ExitCode.OK;
    }
    io.stderr(`wsgen: ${flags.output} is stale: ${result.differences.length} file(s) differ from ${spec}; run \`wsgen generate ${spec} -o ${flags.output}\`\n`);
    for (const difference of result.differences.slice(0, 20)) {
      io.stderr(`  ${difference.kind.padEnd(7)} ${path.join(flags.output, difference.path)}\n`);
      if (difference.excerpt !== '') io.stderr(`${difference.excerpt.split('\n').map((line) => `      ${line}`).join('\n')}\n`);
    }
    return ExitCode.PROBLEM;
  }
  const report = result.report;
  io.stdout(
    `wsgen: 1 document, ${ir.channels.length} channel(s), ${messages} message(s) → ${flags.output}: ${report?.written.length ?? 0} written, ${report?.unchanged.length ?? 0} unchanged, ${report?.removed.length ?? 0} removed (${elapsed})\n`,
  );
  return ExitCode.OK;
}
