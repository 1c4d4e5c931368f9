/**
 * The orchestrator: load → parse → IR → render (Modelina + Ajv + Handlebars) → format → write.
 * Each stage lives in its own module; this file only sequences them and times them.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, WsgenError } from './errors.js';
import { loadDocument } from './load.js';
import { parseDocument, type ParsedDocument, type ValidationJob, type Warning } from './parse.js';
import type { Diagnostic } from '@asyncapi/parser';
import { buildIR } from './ir/build.js';
import type { ApiIR } from './ir/types.js';
import { renderPayloadTypes } from './render/payload-types.js';
import { renderStandaloneValidators, withoutAnnotations, type ValidatorRequest } from './render/standalone-validators.js';
import { renderTemplate } from './render/templates.js';
import { buildViewModel, standaloneMessageExport, standaloneParameterExport } from './render/view-model.js';
import { readmeView } from './render/readme-view.js';
import { runtimeView } from './render/runtime-view.js';
import { formatFile, type FormatJob } from './format.js';
import { WorkerJobs } from './worker-pool.js';
import { compareOutput, writeOutput, type FileDifference, type OutputFile, type WriteReport } from './write.js';
import { runtimeDir } from './paths.js';
import { ARTIFACTS, type Artifact } from './config.js';
import { reuseOrCompute, type GenerationMemo } from './memo.js';

/** Options of one generation. */
export interface GenerateOptions {
  /** Path of the AsyncAPI document. */
  input: string;
  /** Output folder (the generated package). */
  outDir: string;
  /** npm package name; default derived from `info.title`. */
  packageName?: string;
  /** npm package version; default `info.version`. */
  packageVersion?: string;
  /** Compare with `outDir` instead of writing. */
  check?: boolean;
  /** Base for relative paths; default `process.cwd()`. */
  cwd?: string;
  /** Artifacts to emit; default all (server and client only exist for WebSocket APIs). */
  emit?: readonly Artifact[];
  /** Reuse the validation of an unchanged document (see validation-cache.ts); default true. */
  cache?: boolean;
  /** Results of the previous generation to reuse where their inputs are unchanged (watch mode). */
  memo?: GenerationMemo;
  /**
   * Validate large documents and format large files in worker threads, beside this one (default:
   * on, from 256 KiB); `false` keeps everything on this thread. `minChars` is for tests.
   */
  workers?: false | { minChars?: number };
}

/** Stage names, in pipeline order. */
export type Stage = 'load' | 'parse' | 'ir' | 'render' | 'format' | 'write';

/** What one generation did. */
export interface GenerateResult {
  ir: ApiIR;
  files: OutputFile[];
  warnings: Warning[];
  /** Milliseconds per stage. */
  timings: Record<Stage, number>;
  /** Set when files were written. */
  report?: WriteReport;
  /** Set in check mode: empty when the folder is up to date. */
  differences?: FileDifference[];
}

const NPM_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

/** Runs the whole pipeline. Throws `WsgenError` for any problem with the input. */
export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  const timings = { load: 0, parse: 0, ir: 0, render: 0, format: 0, write: 0 } satisfies Record<Stage, number>;
  let mark = performance.now();
  const lap = (stage: Stage): void => {
    const now = performance.now();
    timings[stage] = Math.round(now - mark);
    mark = now;
  };
  if (options.packageName !== undefined && !NPM_NAME.test(options.packageName)) {
    throw new WsgenError({ code: ErrorCode.INVALID_OPTION, message: `--package-name ${JSON.stringify(options.packageName)} is not a valid npm package name (lower-case letters, digits, - . _ ~, optional @scope/)` });
  }
  const { memo } = options;
  try {
    const result = await runStages(options, lap, timings);
    memo?.settle();
    return result;
  } catch (error) {
    memo?.abandon();
    throw error;
  }
}

async function runStages(options: GenerateOptions, lap: (stage: Stage) => void, timings: Record<Stage, number>): Promise<GenerateResult> {
  // Worker threads for large documents; each starts with its first job (small documents never
  // start one) and is stopped when this generation ends.
  const formatWorker = new WorkerJobs<FormatJob, string>('format-file.mjs');
  const validationWorker = new WorkerJobs<ValidationJob, Diagnostic[]>('validate-document.mjs');
  try {
    return await runStagesWith(options, lap, timings, { format: formatWorker, validation: validationWorker });
  } finally {
    await Promise.all([formatWorker.close(), validationWorker.close()]);
  }
}

async function runStagesWith(
  options: GenerateOptions,
  lap: (stage: Stage) => void,
  timings: Record<Stage, number>,
  workers: { format: WorkerJobs<FormatJob, string>; validation: WorkerJobs<ValidationJob, Diagnostic[]> },
): Promise<GenerateResult> {
  const { memo } = options;
  const minChars = options.workers === false ? undefined : options.workers?.minChars;
  const useWorkers = options.workers !== false;
  const loaded = await loadDocument(options.input, options.cwd, { quick: true });
  lap('load');
  let parsed: ParsedDocument | undefined = await parseDocument(loaded, { cache: options.cache, validator: useWorkers ? { run: (job) => workers.validation.run(job), minChars } : undefined }).catch(async (error: unknown) => {
    // When the YAML itself is broken, the full check says so more clearly than the parser.
    if (loaded.quick === true) await loadDocument(options.input, options.cwd);
    throw error;
  });
  lap('parse');
  const { validation, warnings: parserWarnings } = parsed;
  // Formatting starts as each templated file is rendered, so large files are formatted in the
  // worker while this thread compiles the validators; the format stage then mostly waits for what
  // is left. The runtime (copied verbatim) and the compiled validators are not templated, so they
  // are never formatted.
  const formatting = new Map<string, Promise<string>>();
  const startFormatting = (file: OutputFile): void => {
    const formatted = reuseOrCompute(memo, `format ${file.path}`, file.contents, () => formatFile(file.path, file.contents, useWorkers ? { run: (job) => workers.format.run(job), minChars } : undefined));
    const settled = Promise.resolve(formatted);
    settled.catch(() => undefined); // awaited below; a failure must not surface as unhandled first
    formatting.set(file.path, settled);
  };
  let result: GenerateResult;
  try {
    const ir = buildIR(parsed.document);
    // The parsed document (hundreds of MB for a large API) is not needed past this point; letting
    // it go keeps garbage collection cheap in the stages that follow.
    parsed = undefined;
    lap('ir');
    const { files: rendered, warnings } = await renderPackage(ir, {
      packageName: options.packageName ?? ir.defaultPackageName,
      packageVersion: options.packageVersion ?? (/^\d+\.\d+\.\d+/.test(ir.version) ? ir.version : '0.0.0'),
      sourceName: path.basename(loaded.absolutePath),
      emit: options.emit ?? ARTIFACTS,
      memo,
      onRendered: startFormatting,
    });
    lap('render');
    const files = await Promise.all(rendered.map(async (file) => ({ path: file.path, contents: await (formatting.get(file.path) ?? file.contents) })));
    lap('format');
    const notes: Warning[] = ir.notes.map((message) => ({ severity: 'info', message, location: undefined }));
    result = { ir, files, warnings: [...notes, ...warnings], timings };
  } catch (error) {
    // Building from a document that is not valid can fail in any stage: its errors say why.
    await validation;
    throw error;
  }
  // Nothing is written until the document is known to be valid.
  result.warnings.unshift(...(validation === undefined ? parserWarnings : await validation));
  const outDir = path.resolve(options.cwd ?? process.cwd(), options.outDir);
  if (options.check === true) result.differences = await compareOutput(outDir, result.files);
  else result.report = await writeOutput(outDir, result.files);
  lap('write');
  return result;
}

/** Renders every file of the generated package (unformatted), in a stable order. */
export async function renderPackage(
  ir: ApiIR,
  packageOptions: {
    packageName: string;
    packageVersion: string;
    sourceName: string;
    emit: readonly Artifact[];
    memo?: GenerationMemo;
    /** Called with each templated file as soon as it is rendered (the validators come last). */
    onRendered?: (file: OutputFile) => void;
  },
): Promise<{ files: OutputFile[]; warnings: Warning[] }> {
  const { memo } = packageOptions;
  // The payload types depend on the schemas alone (the validators' key is further down).
  const schemasKey = memo === undefined ? '' : JSON.stringify(ir.schemas);
  const models = await reuseOrCompute(memo, 'payload types', schemasKey, () => renderPayloadTypes(ir));
  const view = buildViewModel(ir, models, packageOptions);
  const requests: ValidatorRequest[] = [
    ...ir.messages.map((message) => ({ exportName: standaloneMessageExport(message), schema: { $ref: `#/definitions/${message.payloadSchema}` } })),
    ...ir.channels.flatMap((channel) => channel.parameters.filter((parameter) => parameter.schema !== undefined).map((parameter) => ({ exportName: standaloneParameterExport(channel, parameter.name), schema: parameter.schema ?? {} }))),
  ];
  const readme = readmeView(ir);
  const runtime = runtimeView(ir, new Map(view.unions.filter((union) => union.direction === 'clientToServer').map((union) => [union.channel.id, { client: union.name, server: view.unions.find((other) => other.channel === union.channel && other.direction === 'serverToClient')?.name ?? 'never' }])));
  const emitServer = view.hasWebSocket && packageOptions.emit.includes('server');
  const emitClient = view.hasWebSocket && packageOptions.emit.includes('client');
  const fullView = { ...view, ...readme, runtime, emitServer, emitClient, emitRuntime: emitServer || emitClient, license: ir.license, packageDescription: `Typed messages, validators${view.hasWebSocket ? ', WebSocket server and client' : ''} for ${ir.title} ${ir.version} (generated by wsgen from its AsyncAPI document).` };
  const templated = (file: string, template: string, transform = (contents: string) => contents): OutputFile => {
    const rendered = { path: file, contents: transform(renderTemplate(template, fullView)) };
    packageOptions.onRendered?.(rendered);
    return rendered;
  };
  const before: OutputFile[] = [
    templated('package.json', 'package.json'),
    templated('tsconfig.json', 'tsconfig.json'),
    templated('README.md', 'README.md'),
    templated('src/index.ts', 'index.ts'),
    templated('src/messages.ts', 'messages.ts', dedupeUnionMembers),
    templated('src/validators.ts', 'validators.ts'),
  ];
  const after: OutputFile[] = [templated('src/protocol.ts', 'protocol.ts'), ...(emitServer ? [templated('src/server.ts', 'server.ts')] : []), ...(emitClient ? [templated('src/client.ts', 'client.ts')] : [])];
  // Shaped as one schema so the walker knows the definitions' keys are names, not keywords.
  const validatorsKey = memo === undefined ? '' : JSON.stringify([requests.map((request) => request.exportName), withoutAnnotations({ definitions: ir.schemas, allOf: requests.map((request) => request.schema) })]);
  const standalone = await reuseOrCompute(memo, 'validators', validatorsKey, () => renderStandaloneValidators(ir, requests));
  const warnings: Warning[] = standalone.unknownFormats.map((format) => ({ message: `format "${format}" is not known to the validators; it is accepted without checking`, location: undefined }));
  const files: OutputFile[] = [
    ...before,
    { path: 'src/validators-standalone.ts', contents: renderTemplate('validators-standalone.ts', { ...fullView, standalone: standalone.code }) },
    ...after,
    ...(await runtimeFiles({ server: emitServer, client: emitClient })),
  ];
  return { files, warnings };
}

/** `string | string` (Modelina's rendering of `anyOf` over two string schemas) → `string`. */
function dedupeUnionMembers(source: string): string {
  return source.replace(/^(\s*(?:'[^']*'|\w+)\??: )([^;\n]+);$/gm, (line, head: string, type: string) => {
    if (!type.includes(' | ') || /[<>(){}[\]]/.test(type)) return line;
    return `${head}${[...new Set(type.split(' | '))].join(' | ')};`;
  });
}

/** Files of the generic runtime that every package needs, whatever its protocol. */
const CORE_RUNTIME = new Set(['protocol.ts', 'codes.ts', 'errors.ts', 'ajv-issues.ts']);

/** The runtime sources, copied verbatim: the core, plus the server and client parts emitted. */
async function runtimeFiles(parts: { server: boolean; client: boolean }): Promise<OutputFile[]> {
  const entries = await readdir(runtimeDir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.relative(runtimeDir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .filter((relative) => CORE_RUNTIME.has(relative) || (parts.server && /^(server|pubsub)\//.test(relative)) || (parts.client && relative.startsWith('client/')))
    .sort();
  return Promise.all(files.map(async (relative) => ({ path: `src/runtime/${relative}`, contents: await readFile(path.join(runtimeDir, relative), 'utf8') })));
}
