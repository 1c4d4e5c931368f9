/**
 * The `wsgen` command line. Problems with the input print one line each to stderr and exit 1;
 * stack traces only with --verbose.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { ErrorCode, formatLocation, formatProblem, WsgenError } from './errors.js';
import { generate, type GenerateResult } from './generate.js';
import { packageRoot } from './paths.js';
import { loadDocument } from './load.js';
import { ARTIFACTS, findConfig, loadConfig, type Artifact } from './config.js';
import { watchFiles } from './watch.js';
import { GenerationMemo } from './memo.js';
import { warmUpValidation } from './parse.js';
import { referencedFiles } from './references.js';
import { parseDocument } from './parse.js';

/** Where the CLI writes (injectable for tests). */
interface Output {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Exit codes of the CLI. */
export const ExitCode = { OK: 0, PROBLEM: 1, USAGE: 2 } as const;

interface GenerateFlags {
  output?: string;
  config?: string;
  watch?: boolean;
  cache?: boolean;
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
    .argument('[spec]', 'AsyncAPI document (YAML or JSON); default: the config file\'s inputs, else asyncapi.yaml')
    .option('-o, --output <dir>', 'output folder (the generated npm package) (default: "generated")')
    .option('-c, --config <file>', 'config file (default: wsgen.config.json/.mjs/.js if present)')
    .option('-w, --watch', 'regenerate whenever the document or a file it $refs changes')
    .option('--check', 'do not write: exit 1 and show a short diff when the output folder is stale')
    .option('--package-name <name>', 'npm name of the generated package (default: from info.title)')
    .option('--package-version <version>', 'version of the generated package (default: info.version)')
    .option('--no-cache', 'validate the document even if this exact version was validated before')
    .option('--verbose', 'print stage timings, warnings in full and stack traces')
    .action(async (spec: string | undefined, flags: GenerateFlags) => {
      exitCode = await runGenerateCommand(spec, flags, io);
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

/** Resolves the jobs (spec + flags, or the config file's inputs), runs them, and watches if asked. */
async function runGenerateCommand(spec: string | undefined, flags: GenerateFlags, io: Output): Promise<number> {
  let jobs: Job[];
  try {
    jobs = await resolveJobs(spec, flags);
  } catch (error) {
    if (!(error instanceof WsgenError)) throw error;
    for (const problem of error.problems) io.stderr(`wsgen: ${formatProblem(problem)}\n`);
    return ExitCode.PROBLEM;
  }
  // Watch mode keeps each job's expensive results for the next run (see memo.ts).
  if (flags.watch === true && flags.check !== true) for (const job of jobs) job.memo = new GenerationMemo();
  let code: number = ExitCode.OK;
  for (const job of jobs) code = Math.max(code, await runGenerate(job, flags, io));
  if (flags.watch !== true) return code;
  if (flags.check === true) {
    io.stderr('wsgen: --watch and --check do not go together\n');
    return ExitCode.USAGE;
  }
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  for (const job of jobs) await warmUpValidation(job.input);
  await watchFiles(
    async () => {
      const all = new Set<string>();
      for (const job of jobs) for (const file of await referencedFiles(job.input)) all.add(file);
      return all;
    },
    async (changed) => {
      io.stdout(`wsgen: ${path.relative(process.cwd(), changed)} changed, regenerating\n`);
      for (const job of jobs) await runGenerate(job, flags, io);
    },
    controller.signal,
    { onReady: () => io.stdout(`wsgen: watching ${jobs.map((job) => job.display).join(', ')} (Ctrl-C to stop)\n`) },
  );
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  return ExitCode.OK;
}

/** One document to generate. */
interface Job {
  input: string;
  display: string;
  output: string;
  packageName?: string;
  packageVersion?: string;
  emit: readonly Artifact[];
  memo?: GenerationMemo;
}

async function resolveJobs(spec: string | undefined, flags: GenerateFlags): Promise<Job[]> {
  const cwd = process.cwd();
  const configFile = spec === undefined || flags.config !== undefined ? await findConfig(cwd, flags.config) : undefined;
  if (configFile === undefined) {
    const input = spec ?? 'asyncapi.yaml';
    return [{ input, display: input, output: flags.output ?? 'generated', packageName: flags.packageName, packageVersion: flags.packageVersion, emit: ARTIFACTS }];
  }
  const inputs = await loadConfig(configFile);
  if (inputs.length > 1 && (spec !== undefined || flags.output !== undefined || flags.packageName !== undefined || flags.packageVersion !== undefined)) {
    throw new WsgenError({ code: ErrorCode.INVALID_OPTION, message: `the config has ${inputs.length} inputs: a spec, -o, --package-name or --package-version on the command line would be ambiguous; drop them or use a config with one input` });
  }
  return inputs.map((input) => ({
    input: spec ?? input.input,
    display: path.relative(cwd, spec ?? input.input) || (spec ?? input.input),
    output: flags.output ?? (path.relative(cwd, input.output) || '.'),
    packageName: flags.packageName ?? input.packageName,
    packageVersion: flags.packageVersion ?? input.packageVersion,
    emit: input.emit,
  }));
}

async function runGenerate(job: Job, flags: GenerateFlags, io: Output): Promise<number> {
  const started = performance.now();
  const spec = job.display;
  const output = job.output;
  let result: GenerateResult;
  try {
    result = await generate({ input: job.input, outDir: output, check: flags.check, packageName: job.packageName, packageVersion: job.packageVersion, emit: job.emit, cache: flags.cache, memo: job.memo });
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
    io.stderr(`wsgen: ${warning.severity === 'info' ? 'note' : 'warning'}: ${where === '' ? '' : `${where}: `}${warning.message}\n`);
  }
  if (flags.verbose === true) io.stderr(`wsgen: timings (ms): ${Object.entries(result.timings).map(([stage, ms]) => `${stage} ${ms}`).join(', ')}\n`);
  const { ir } = result;
  const messages = ir.messages.length;
  const elapsed = `${Math.round(performance.now() - started)} ms`;
  if (!ir.hasWebSocket) io.stdout(`wsgen: ${ir.title} has no WebSocket (ws/wss) channel: generated types and validators only\n`);
  if (result.differences !== undefined) {
    if (result.differences.length === 0) {
      io.stdout(`wsgen: ${output} is up to date (${result.files.length} files, ${elapsed})\n`);
      return ExitCode.OK;
    }
    io.stderr(`wsgen: ${output} is stale: ${result.differences.length} file(s) differ from ${spec}; run \`wsgen generate ${spec} -o ${output}\`\n`);
    for (const difference of result.differences.slice(0, 20)) {
      io.stderr(`  ${difference.kind.padEnd(7)} ${path.join(output, difference.path)}\n`);
      if (difference.excerpt !== '') io.stderr(`${difference.excerpt.split('\n').map((line) => `      ${line}`).join('\n')}\n`);
    }
    return ExitCode.PROBLEM;
  }
  const report = result.report;
  io.stdout(
    `wsgen: 1 document, ${ir.channels.length} channel(s), ${messages} message(s) → ${output}: ${report?.written.length ?? 0} written, ${report?.unchanged.length ?? 0} unchanged, ${report?.removed.length ?? 0} removed (${elapsed})\n`,
  );
  return ExitCode.OK;
}
