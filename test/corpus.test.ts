/**
 * The generator against real, third-party AsyncAPI documents (test/corpus/, provenance in
 * test/corpus/SOURCES.md). For every document:
 * - `generate()` succeeds, or fails cleanly: documents the parser rejects give a `WsgenError`
 *   whose problems all have a location; any other document may only be refused with
 *   `WSGEN_E_UNSUPPORTED` ("unsupported: …"), never another error and never a crash;
 * - the package has a WebSocket server and client exactly when the API is served over ws/wss
 *   (otherwise its README says so);
 * - payload schemas reach the IR as JSON Schema (multi-format wrappers unwrapped), and the
 *   generated validators accept every example the document gives for its messages;
 * - every generated package passes `tsc --strict`. All packages are generated into one temp root
 *   and checked by ONE tsc run (see corpus-support/type-check-packages.ts), which runs in the
 *   background while the examples are validated.
 * The checks of a package pass trivially only for documents refused as unsupported (asserted); the
 * `generate()` test says why.
 */
import { existsSync, readFileSync } from 'node:fs';
import { symlink } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, formatLocation, formatProblem, WsgenError } from '../src/errors.js';
import { generate, type GenerateResult } from '../src/generate.js';
import type { Validator } from '../src/runtime/protocol.js';
import { corpusDocuments, readParserVerdicts, type CorpusDocument } from './corpus-support/corpus.js';
import { rawExamples } from './corpus-support/raw-examples.js';
import { checkOptions, typeCheckPackages, type TypeCheckReport } from './corpus-support/type-check-packages.js';
import { repoRoot, tempDir } from './support/packages.js';

/** One entry of {@link KNOWN_INVALID_EXAMPLES}. */
interface KnownInvalidExample {
  /** Document, relative to test/corpus/. */
  document: string;
  /** Message id in the IR (`result.ir.messages[i].id`). */
  message: string;
  /** Index in the message's `examples` (those with a payload). */
  example: number;
  /** Why the example contradicts its own schema in the source document. */
  reason: string;
}

const SLACK_EVENT_EXAMPLES =
  'the schema nests `is_ext_shared_channel` (mis-indented) under `payload.authorizations.items.properties`, but the example puts it ' +
  'directly in `payload`, which is `additionalProperties: false`; its `payload.event` also has properties (`event_ts`, `channel`, …) ' +
  'that no `additionalProperties: false` event variant of the oneOf declares';

/**
 * Examples that are invalid against their own payload schema IN THE SOURCE DOCUMENT, so the
 * generated validators are right to reject them. Each was confirmed with Ajv over the schema as
 * the document states it (`rawExamples`), and the test re-confirms that on every run. An
 * entry whose example is accepted again, or no longer exists, fails the test: keep it exact.
 */
const KNOWN_INVALID_EXAMPLES: KnownInvalidExample[] = [
  { document: 'generator-websocket-slack-client.yaml', message: 'event', example: 0, reason: SLACK_EVENT_EXAMPLES },
  { document: 'generator-websocket-slack-client.yaml', message: 'event', example: 1, reason: SLACK_EVENT_EXAMPLES },
  { document: 'generator-websocket-slack-client.yaml', message: 'event', example: 2, reason: SLACK_EVENT_EXAMPLES },
  {
    document: 'spec-3.0-kraken-websocket-request-reply-message-filter-in-reply.yaml',
    message: 'subscriptionStatus',
    example: 0,
    reason: '`pair: XBT/EUR` is a string but `#/components/schemas/pair` is an array; `status: unsubscribed` is not in `#/components/schemas/status` (online, maintenance, cancel_only, limit_only, post_only)',
  },
  {
    document: 'spec-3.0-kraken-websocket-request-reply-message-filter-in-reply.yaml',
    message: 'subscriptionStatus',
    example: 1,
    reason: '`pair: XBT/USD` is a string (schema: array), `status: error` is not in the status enum, and `subscription.depth: 42` is not one of 10, 25, 100, 500, 1000',
  },
  // The multiple-channels Kraken example carries the same two subscriptionStatus examples.
  {
    document: 'spec-3.0-kraken-websocket-request-reply-multiple-channels.yaml',
    message: 'subscriptionStatus',
    example: 0,
    reason: '`pair: XBT/EUR` is a string but `#/components/schemas/pair` is an array; `status: unsubscribed` is not in the status enum',
  },
  {
    document: 'spec-3.0-kraken-websocket-request-reply-multiple-channels.yaml',
    message: 'subscriptionStatus',
    example: 1,
    reason: '`pair: XBT/USD` is a string (schema: array), `status: error` is not in the status enum, and `subscription.depth: 42` is not one of 10, 25, 100, 500, 1000',
  },
];

/** The README line of packages whose API is not served over WebSocket. */
const NOT_WEBSOCKET_NOTE = 'This API is not served over WebSocket';

const DOCUMENTS = corpusDocuments();
/** Table rows `[file, document]`: `%s` prints the whole path (`$file` would be truncated). */
const ROWS = DOCUMENTS.map((document): [string, CorpusDocument] => [document.file, document]);
/** Rows of the documents the parser accepts (SOURCES.md): the ones that get a package, unless refused as unsupported. */
const VALID_ROWS = ROWS.filter(([, document]) => document.parser === 'valid');

type Outcome = { kind: 'package'; outDir: string; result: GenerateResult } | { kind: 'error'; error: unknown };

const outcomes = new Map<string, Outcome>();
let dispose: (() => Promise<void>) | undefined;
let sharedOptions: Record<string, unknown> | undefined;
let typeCheck: Promise<TypeCheckReport> | undefined;

beforeAll(async () => {
  const temp = await tempDir('wsgen-corpus-');
  const root = temp.dir;
  dispose = temp.dispose;
  await symlink(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  // One at a time: generation is CPU-bound, and document order keeps failures reproducible.
  for (const document of DOCUMENTS) {
    const outDir = path.join(root, document.slug);
    try {
      outcomes.set(document.file, { kind: 'package', outDir, result: await generate({ input: document.absolutePath, outDir }) });
    } catch (error) {
      outcomes.set(document.file, { kind: 'error', error });
    }
  }
  const packages = DOCUMENTS.filter((document) => outcomes.get(document.file)?.kind === 'package').map((document) => document.slug);
  const first = packages[0];
  if (first === undefined) return;
  sharedOptions = checkOptions(JSON.parse(readFileSync(path.join(root, first, 'tsconfig.json'), 'utf8')) as { compilerOptions?: Record<string, unknown> });
  // Not awaited: tsc runs in its own process while the tests below validate the examples.
  typeCheck = typeCheckPackages(root, packages, sharedOptions);
}, 300_000);

afterAll(async () => {
  await typeCheck;
  await dispose?.();
});

/** `TypeError: message` (first line), for assertion messages. */
function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message.split('\n')[0] ?? ''}` : String(error);
}

/** `WSGEN_E_…` or the error's class, for skip notes. */
function errorKind(error: unknown): string {
  return error instanceof WsgenError ? error.code : error instanceof Error ? error.name : typeof error;
}

/** The error as a WsgenError; anything else is a crash, rethrown as the cause so vitest prints where it happened. */
function asWsgenError(error: unknown): WsgenError {
  if (error instanceof WsgenError) return error;
  throw new Error(`generate() crashed instead of failing with a WsgenError: ${describeError(error)}`, { cause: error });
}

/** True for the one acceptable way to refuse a valid document. */
function isUnsupported(error: unknown): boolean {
  return error instanceof WsgenError && error.problems.every((problem) => problem.code === ErrorCode.UNSUPPORTED && problem.message.startsWith('unsupported:'));
}

/**
 * The generated package of a valid document, or undefined when the document was refused as
 * unsupported (asserted here: then there is no package to check). Any other failure fails.
 */
function packageOf(document: CorpusDocument): { outDir: string; result: GenerateResult } | undefined {
  const outcome = outcomes.get(document.file);
  if (outcome === undefined) throw new Error(`${document.file} was not generated (did beforeAll fail?)`);
  if (outcome.kind === 'package') return outcome;
  expect(isUnsupported(outcome.error), `no package: generate() failed (${errorKind(outcome.error)}: ${describeError(outcome.error)})`).toBe(true);
  return undefined;
}

describe('the corpus', () => {
  it('has 58 documents, each listed in SOURCES.md, 3 of them rejected by the parser', () => {
    expect(DOCUMENTS).toHaveLength(58);
    expect([...readParserVerdicts().keys()].sort()).toEqual(DOCUMENTS.map((document) => document.file));
    expect(DOCUMENTS.filter((document) => document.parser === 'invalid')).toHaveLength(3);
  });

  it('lists in KNOWN_INVALID_EXAMPLES only documents of the corpus', () => {
    const files = new Set(VALID_ROWS.map(([file]) => file));
    expect(KNOWN_INVALID_EXAMPLES.filter((entry) => !files.has(entry.document))).toEqual([]);
  });
});

describe('generate() succeeds, or fails with a WsgenError (located if the parser rejects the document, else WSGEN_E_UNSUPPORTED)', () => {
  it.each(ROWS)('%s', (file, { parser }) => {
    const outcome = outcomes.get(file);
    expect(outcome, 'beforeAll generated every document').toBeDefined();
    if (outcome === undefined) return;
    if (parser === 'invalid') {
      expect(outcome.kind, 'SOURCES.md: the parser rejects this document').toBe('error');
      if (outcome.kind !== 'error') return;
      const error = asWsgenError(outcome.error);
      expect(error.code).toBe(ErrorCode.INVALID_ASYNCAPI);
      expect(error.problems.length).toBeGreaterThan(0);
      expect(error.problems.filter((problem) => formatLocation(problem.location) === '').map(formatProblem), 'problems without a location').toEqual([]);
      return;
    }
    if (outcome.kind === 'package') {
      expect(outcome.result.files.map((entry) => entry.path)).toContain('src/validators.ts');
      return;
    }
    const error = asWsgenError(outcome.error);
    expect(
      error.problems.filter((problem) => problem.code !== ErrorCode.UNSUPPORTED || !problem.message.startsWith('unsupported:')).map(formatProblem),
      'a valid document may only be refused as unsupported',
    ).toEqual([]);
    expect(error.code).toBe(ErrorCode.UNSUPPORTED);
  });
});

describe('WebSocket APIs (ws/wss channels) get src/server.ts and src/client.ts; others get neither and a README note', () => {
  it.for(VALID_ROWS)('%s', ([, document]) => {
    const generated = packageOf(document);
    if (generated === undefined) return;
    const { outDir, result } = generated;
    const webSocket = result.ir.hasWebSocket;
    const exists = (file: string): boolean => existsSync(path.join(outDir, file));
    expect({ server: exists('src/server.ts'), client: exists('src/client.ts') }).toEqual({ server: webSocket, client: webSocket });
    const readme = readFileSync(path.join(outDir, 'README.md'), 'utf8');
    if (webSocket) expect(readme).not.toContain(NOT_WEBSOCKET_NOTE);
    else expect(readme).toContain(NOT_WEBSOCKET_NOTE);
  });
});

describe('payload schemas are JSON Schema: AsyncAPI 3 Multi Format Schema Objects ({ schemaFormat, schema }) are unwrapped', () => {
  // A wrapper taken for the schema has no JSON Schema keyword: its type becomes `unknown` and its
  // validator accepts anything, while tsc and the examples stay green.
  it.for(VALID_ROWS)('%s', ([, document]) => {
    const generated = packageOf(document);
    if (generated === undefined) return;
    const { result } = generated;
    const wrapped = result.ir.messages.filter((message) => {
      const schema = result.ir.schemas[message.payloadSchema];
      return typeof schema === 'object' && 'schemaFormat' in schema && 'schema' in schema;
    });
    expect(wrapped.map((message) => `message ${message.id}: payload ${JSON.stringify(result.ir.schemas[message.payloadSchema]).slice(0, 120)}…`)).toEqual([]);
  });
});

describe('the generated validators accept every example of every message', () => {
  it.for(VALID_ROWS)('%s', async ([, document]) => {
    const generated = packageOf(document);
    if (generated === undefined) return;
    const { outDir, result } = generated;
    const validators = (await import(/* @vite-ignore */ pathToFileURL(path.join(outDir, 'src/validators.ts')).href)) as Record<string, unknown>;
    const known = KNOWN_INVALID_EXAMPLES.filter((entry) => entry.document === document.file);
    const rejected: string[] = [];
    const knownSeen: { entry: KnownInvalidExample; payload: unknown; accepted: boolean }[] = [];
    for (const message of result.ir.messages) {
      const validate = validators[`validate${message.typeName}`];
      expect(validate, `validators.ts exports validate${message.typeName} (message ${message.id})`).toBeTypeOf('function');
      message.examples.forEach((example, index) => {
        const outcome = (validate as Validator)(example.payload);
        const entry = known.find((candidate) => candidate.message === message.id && candidate.example === index);
        if (entry !== undefined) knownSeen.push({ entry, payload: example.payload, accepted: outcome.ok });
        else if (!outcome.ok) rejected.push(`message ${message.id}, example ${index}${example.name === undefined ? '' : ` (${example.name})`}: ${outcome.issues.map((issue) => `${issue.path || '/'} ${issue.message}`).join('; ')}`);
      });
    }
    expect(rejected, 'examples the generated validators reject (a generator bug, unless the document is wrong: then see KNOWN_INVALID_EXAMPLES)').toEqual([]);
    // The allow-list stays exact: every entry names an existing example that is still rejected…
    expect(known.filter((entry) => !knownSeen.some((seen) => seen.entry === entry)), 'KNOWN_INVALID_EXAMPLES entries matching no example').toEqual([]);
    expect(knownSeen.filter((seen) => seen.accepted).map((seen) => seen.entry), 'KNOWN_INVALID_EXAMPLES entries now accepted: remove them').toEqual([]);
    // …and the source schema itself rejects it (Ajv over the raw document, no wsgen code).
    const raw = knownSeen.length === 0 ? [] : await rawExamples(document.absolutePath);
    for (const seen of knownSeen) {
      const errors = raw.find((example) => isDeepStrictEqual(example.payload, seen.payload))?.errors;
      expect(errors, `the raw document has example ${seen.entry.message} #${seen.entry.example}`).toBeDefined();
      expect(errors, `the raw schema rejects ${seen.entry.message} #${seen.entry.example} too`).not.toEqual([]);
    }
  });
});

describe('every generated package passes tsc --strict (one tsc run over all packages)', () => {
  // The first of these waits for the tsc run started in beforeAll.
  it.for(VALID_ROWS)('%s', { timeout: 300_000 }, async ([, document]) => {
    const generated = packageOf(document);
    if (generated === undefined) return;
    const tsconfig = JSON.parse(readFileSync(path.join(generated.outDir, 'tsconfig.json'), 'utf8')) as { compilerOptions?: Record<string, unknown>; include?: unknown };
    expect(checkOptions(tsconfig), 'the shared check uses the compiler options of this package').toEqual(sharedOptions);
    expect(tsconfig.include, 'the shared check includes src/**/*.ts of each package').toEqual(['src']);
    const report = await typeCheck;
    expect(report?.errors.get(document.slug) ?? [], `tsc errors in ${document.slug}/`).toEqual([]);
  });

  it('reports no error outside the packages, and exits non-zero only with errors', async () => {
    expect(typeCheck, 'at least one package was generated').toBeDefined();
    const report = await typeCheck;
    expect(report?.errors.get('') ?? [], 'tsc output outside any package (a crash or a config error?)').toEqual([]);
    expect(report?.exitCode === 0, `tsc exit code ${report?.exitCode}`).toBe(report?.errors.size === 0);
  }, 300_000);
});
