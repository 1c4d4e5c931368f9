/**
 * The orchestrator: load → parse → IR → render (Modelina + Ajv + Handlebars) → format → write.
 * Each stage lives in its own module; this file only sequences them and times them.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, WsgenError } from './errors.js';
import { loadDocument } from './load.js';
import { parseDocument, type Warning } from './parse.js';
import { buildIR } from './ir/build.js';
import type { ApiIR } from './ir/types.js';
import { renderPayloadTypes } from './render/payload-types.js';
import { renderStandaloneValidators, withoutAnnotations, type ValidatorRequest } from './render/standalone-validators.js';
import { renderTemplate } from './render/templates.js';
import { buildViewModel, standaloneMessageExport, standaloneParameterExport } from './render/view-model.js';
import { readmeView } from './render/readme-view.js';
import { runtimeView } from './render/runtime-view.js';
import { formatFile } from './format.js';
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
  const { memo } = options;
  const loaded = await loadDocument(options.input, options.cwd);
  lap('load');
  const parsed = await parseDocument(loaded, { cache: options.cache });
  lap('parse');
  const ir = buildIR(parsed.document);
  lap('ir');
  const { files: rendered, warnings } = await renderPackage(ir, {
    packageName: options.packageName ?? ir.defaultPackageName,
    packageVersion: options.packageVersion ?? (/^\d+\.\d+\.\d+/.test(ir.version) ? ir.version : '0.0.0'),
    sourceName: path.basename(loaded.absolutePath),
    emit: options.emit ?? ARTIFACTS,
    memo,
  });
  lap('render');
  const files = await Promise.all(
    rendered.map(async (file) =>
      file.path.startsWith('src/runtime/') || file.path === 'src/validators-standalone.ts' ? file : { path: file.path, contents: await reuseOrCompute(memo, `format ${file.path}`, file.contents, () => formatFile(file.path, file.contents)) },
    ),
  );
  lap('format');
  const outDir = path.resolve(options.cwd ?? process.cwd(), options.outDir);
  const notes: Warning[] = ir.notes.map((message) => ({ severity: 'info', message, location: undefined }));
  const result: GenerateResult = { ir, files, warnings: [...parsed.warnings, ...notes, ...warnings], timings };
  if (options.check === true) result.differences = await compareOutput(outDir, files);
  else result.report = await writeOutput(outDir, files);
  lap('write');
  return result;
}

/** Renders every file of the generated package (unformatted), in a stable order. */
export async function renderPackage(ir: ApiIR, packageOptions: { packageName: string; packageVersion: string; sourceName: string; emit: readonly Artifact[]; memo?: GenerationMemo }): Promise<{ files: OutputFile[]; warnings: Warning[] }> {
  const { memo } = packageOptions;
  // Both steps depend on the schemas alone (and the validators on which ones are requested).
  const schemasKey = memo === undefined ? '' : JSON.stringify(ir.schemas);
  const models = await reuseOrCompute(memo, 'payload types', schemasKey, () => renderPayloadTypes(ir));
  const view = buildViewModel(ir, models, packageOptions);
  const requests: ValidatorRequest[] = [
    ...ir.messages.map((message) => ({ exportName: standaloneMessageExport(message), schema: { $ref: `#/definitions/${message.payloadSchema}` } })),
    ...ir.channels.flatMap((channel) => channel.parameters.filter((parameter) => parameter.schema !== undefined).map((parameter) => ({ exportName: standaloneParameterExport(channel, parameter.name), schema: parameter.schema ?? {} }))),
  ];
  // Shaped as one schema so the walker knows the definitions' keys are names, not keywords.
  const validatorsKey = memo === undefined ? '' : JSON.stringify([requests.map((request) => request.exportName), withoutAnnotations({ definitions: ir.schemas, allOf: requests.map((request) => request.schema) })]);
  const standalone = await reuseOrCompute(memo, 'validators', validatorsKey, () => renderStandaloneValidators(ir, requests));
  const warnings: Warning[] = standalone.unknownFormats.map((format) => ({ message: `format "${format}" is not known to the validators; it is accepted without checking`, location: undefined }));
  const readme = readmeView(ir);
  const runtime = runtimeView(ir, new Map(view.unions.filter((union) => union.direction === 'clientToServer').map((union) => [union.channel.id, { client: union.name, server: view.unions.find((other) => other.channel === union.channel && other.direction === 'serverToClient')?.name ?? 'never' }])));
  const emitServer = view.hasWebSocket && packageOptions.emit.includes('server');
  const emitClient = view.hasWebSocket && packageOptions.emit.includes('client');
  const fullView = { ...view, ...readme, runtime, emitServer, emitClient, emitRuntime: emitServer || emitClient, license: ir.license, standalone: standalone.code, packageDescription: `Typed messages, validators${view.hasWebSocket ? ', WebSocket server and client' : ''} for ${ir.title} ${ir.version} (generated by wsgen from its AsyncAPI document).` };
  const files: OutputFile[] = [
    { path: 'package.json', contents: renderTemplate('package.json', fullView) },
    { path: 'tsconfig.json', contents: renderTemplate('tsconfig.json', fullView) },
    { path: 'README.md', contents: renderTemplate('README.md', fullView) },
    { path: 'src/index.ts', contents: renderTemplate('index.ts', fullView) },
    { path: 'src/messages.ts', contents: dedupeUnionMembers(renderTemplate('messages.ts', fullView)) },
    { path: 'src/validators.ts', contents: renderTemplate('validators.ts', fullView) },
    { path: 'src/validators-standalone.ts', contents: renderTemplate('validators-standalone.ts', fullView) },
    { path: 'src/protocol.ts', contents: renderTemplate('protocol.ts', fullView) },
    ...(emitServer ? [{ path: 'src/server.ts', contents: renderTemplate('server.ts', fullView) }] : []),
    ...(emitClient ? [{ path: 'src/client.ts', contents: renderTemplate('client.ts', fullView) }] : []),
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
