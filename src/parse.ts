/**
 * Stage 2: run @asyncapi/parser and turn its diagnostics into located problems.
 *
 * `generate` runs the parser with the core ruleset only (the AsyncAPI JSON Schema and reference
 * checks: every error a document can have), so its output is not drowned in style warnings; the
 * recommended rules (style, mostly for 2.x documents) run in `wsgen validate`. Measured in
 * bench/: the split saves little time (~1.0x on 3.0, up to 1.2x on 2.x) — the core checks are
 * the cost.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { AsyncAPIDocumentInterface, Diagnostic, Parser as ParserType } from '@asyncapi/parser';
import { ErrorCode, WsgenError, type Problem } from './errors.js';
import type { LoadedDocument } from './load.js';
import { documentKey, lookupValidated, recordValidated } from './validation-cache.js';
import { shareSpecSchemaCompilation } from './spectral-ajv-cache.js';

// The parser's ESM build has extensionless imports that Node cannot load; its CJS build works.
const require = createRequire(import.meta.url);
const { Parser, fromFile, DiagnosticSeverity } = require('@asyncapi/parser') as typeof import('@asyncapi/parser');
shareSpecSchemaCompilation();

/** A diagnostic below error severity, reported but not fatal. */
export interface Warning {
  /** `info` for the linter's notes (e.g. a newer AsyncAPI version exists). */
  severity?: 'warning' | 'info';
  message: string;
  location: Problem['location'];
}

/** The parsed document plus non-fatal diagnostics. */
export interface ParsedDocument {
  document: AsyncAPIDocumentInterface;
  warnings: Warning[];
  /**
   * Set when the rules run in a worker thread (large documents, see `parseDocument`): resolves
   * with the warnings once the document is known to be valid, rejects with a WsgenError listing
   * its errors. Nothing may be written before it resolves.
   */
  validation?: Promise<Warning[]>;
}

/** A validation job for src/workers/validate-document.mjs. */
export interface ValidationJob {
  file: string;
  parserOptions: object;
  validateOptions: object;
}

/** Documents at least this long are validated in a worker when the caller offers one. */
export const WORKER_VALIDATION_MIN_CHARS = 256 * 1024;

/** Which rules a parse runs: all (validate), the core ones (generate), or none (cached as valid). */
type Rules = 'all' | 'core' | 'none';
const parsers = new Map<Rules, ParserType>();

function parserOptions(rules: Rules): object {
  // The resolver's cache would keep serving a referenced file's old content to later parses
  // (watch mode, tests): every parse reads the files afresh.
  const resolver = { __unstable: { resolver: { cache: false } } };
  return rules === 'all' ? resolver : rules === 'core' ? { ruleset: { recommended: false }, ...resolver } : { ruleset: { core: false, recommended: false }, ...resolver };
}

function parserFor(rules: Rules): ParserType {
  let parser = parsers.get(rules);
  if (parser === undefined) {
    parser = new Parser(parserOptions(rules));
    parsers.set(rules, parser);
  }
  return parser;
}

/** Every diagnostic, warnings and notes included, so they can be reported. */
const VALIDATE_OPTIONS = { allowedSeverity: { warning: true, info: true, hint: true } };
const PARSE_OPTIONS = { validateOptions: VALIDATE_OPTIONS };

/** Whether this process has run the rules once (compiling the AsyncAPI schema takes ~0.5 s). */
let validatedInProcess = false;

/**
 * Watch mode calls this while it waits for the first edit: when the first generation skipped
 * validation (validation-cache hit), the first edit would otherwise pay for compiling the
 * AsyncAPI schema (~0.5 s) instead of the ~20 ms a re-validation takes afterwards.
 */
export async function warmUpValidation(file: string): Promise<void> {
  if (validatedInProcess) return;
  // Rules only (no document built): only the compilation matters; generate reports the problems.
  await fromFile(parserFor('core'), file)
    .validate(VALIDATE_OPTIONS)
    .catch(() => undefined);
}

/**
 * Parses and validates a loaded document (resolving `$ref`s to files beside it).
 * Throws {@link WsgenError} listing every error-level diagnostic.
 *
 * With `validator`, a large document (≥ {@link WORKER_VALIDATION_MIN_CHARS}) that needs its
 * rules run is validated in that worker thread (rules only, no document built) while this thread
 * parses it without rules (about half the cost) and the caller goes on: see
 * `ParsedDocument.validation`. Problems the parse itself finds are reported from this thread.
 */
export async function parseDocument(loaded: LoadedDocument, options: { lint?: boolean; cache?: boolean; validator?: { run: (job: ValidationJob) => Promise<Diagnostic[]>; minChars?: number } } = {}): Promise<ParsedDocument> {
  const lint = options.lint ?? false;
  const useCache = !lint && options.cache !== false;
  const key = useCache ? await documentKey(loaded.absolutePath) : undefined;
  const cachedWarnings = key === undefined ? undefined : await lookupValidated(key);
  const rules: Rules = lint ? 'all' : cachedWarnings !== undefined ? 'none' : 'core';
  if (rules === 'core' && options.validator !== undefined && loaded.text.length >= (options.validator.minChars ?? WORKER_VALIDATION_MIN_CHARS)) {
    const ruleWarnings = options.validator
      .run({ file: loaded.absolutePath, parserOptions: parserOptions('core'), validateOptions: VALIDATE_OPTIONS })
      // A worker that cannot run must not fail the generation: the rules then run on this thread.
      .catch(() => fromFile(parserFor('core'), loaded.absolutePath).validate(VALIDATE_OPTIONS))
      .then((diagnostics) => checkDiagnostics(diagnostics, loaded, false));
    // Settled by whoever awaits it; until then a rejection is not "unhandled".
    ruleWarnings.catch(() => undefined);
    let parsed: { document: AsyncAPIDocumentInterface | undefined; diagnostics: Diagnostic[] };
    try {
      parsed = await fromFile(parserFor('none'), loaded.absolutePath).parse(PARSE_OPTIONS);
    } catch (error) {
      await ruleWarnings; // the rules' errors explain a failure better, when there are any
      throw error;
    }
    if (parsed.document === undefined || parsed.diagnostics.some((d) => d.severity === DiagnosticSeverity.Error)) {
      await ruleWarnings;
      checkDiagnostics(parsed.diagnostics, loaded, false, parsed.document === undefined);
    }
    // The rules' warnings, then what only the parse noticed: the order of a single-thread parse.
    const parseWarnings = checkDiagnostics(parsed.diagnostics, loaded, false);
    const validation = ruleWarnings.then(async (warnings) => {
      const seen = new Set(warnings.map((warning) => JSON.stringify(warning)));
      const all = [...warnings, ...parseWarnings.filter((warning) => !seen.has(JSON.stringify(warning)))];
      if (key !== undefined) await recordValidated(key, all);
      return all;
    });
    validation.catch(() => undefined);
    return { document: parsed.document as AsyncAPIDocumentInterface, warnings: [], validation };
  }
  if (rules !== 'none') validatedInProcess = true;
  const { document, diagnostics } = await fromFile(parserFor(rules), loaded.absolutePath).parse(PARSE_OPTIONS);
  if (document === undefined) checkDiagnostics(diagnostics, loaded, lint, true);
  const warnings = checkDiagnostics(diagnostics, loaded, lint);
  if (cachedWarnings !== undefined) return { document: document as AsyncAPIDocumentInterface, warnings: cachedWarnings };
  if (key !== undefined) await recordValidated(key, warnings);
  return { document: document as AsyncAPIDocumentInterface, warnings };
}

/**
 * Throws {@link WsgenError} for error diagnostics (or when the parser produced no document);
 * otherwise returns the warnings (and, when linting, the notes) to report.
 */
function checkDiagnostics(diagnostics: Diagnostic[], loaded: LoadedDocument, lint: boolean, noDocument = false): Warning[] {
  const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
  if (errors.length > 0 || noDocument) {
    const problems = errors.map((d) => toProblem(d, loaded));
    throw new WsgenError(problems.length > 0 ? problems : [{ code: ErrorCode.INVALID_ASYNCAPI, message: 'the parser produced no document', location: { file: loaded.displayPath } }]);
  }
  return diagnostics
    .filter((d) => d.severity === DiagnosticSeverity.Warning || (lint && d.severity === DiagnosticSeverity.Information))
    .map((d) => {
      const problem = toProblem(d, loaded);
      return { severity: d.severity === DiagnosticSeverity.Warning ? ('warning' as const) : ('info' as const), message: problem.message, location: problem.location };
    });
}

function toProblem(diagnostic: Diagnostic, loaded: LoadedDocument): Problem {
  const jsonPath = diagnostic.path.length > 0 ? `#/${diagnostic.path.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}` : undefined;
  const isRef = /\$ref|reference|could not be resolved|unresolved|ENOENT/i.test(diagnostic.message) || diagnostic.code === 'invalid-ref';
  // Problems inside a `$ref`'d file are located in that file.
  const source = typeof diagnostic.source === 'string' && diagnostic.source !== loaded.absolutePath ? diagnostic.source : undefined;
  return {
    code: isRef ? ErrorCode.UNRESOLVED_REF : ErrorCode.INVALID_ASYNCAPI,
    message: `${diagnostic.message}${isRef ? '; check that the referenced file and JSON pointer exist' : ''}`,
    location: {
      file: source === undefined ? loaded.displayPath : path.relative(process.cwd(), source) || source,
      line: diagnostic.range.start.line + 1,
      column: diagnostic.range.start.character + 1,
      jsonPath,
    },
  };
}
