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
import type { AsyncAPIDocumentInterface, Diagnostic, Parser as ParserType } from '@asyncapi/parser';
import { ErrorCode, WsgenError, type Problem } from './errors.js';
import type { LoadedDocument } from './load.js';

// The parser's ESM build has extensionless imports that Node cannot load; its CJS build works.
const require = createRequire(import.meta.url);
const { Parser, fromFile, DiagnosticSeverity } = require('@asyncapi/parser') as typeof import('@asyncapi/parser');

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
}

const parsers = new Map<boolean, ParserType>();

function parserFor(lint: boolean): ParserType {
  let parser = parsers.get(lint);
  if (parser === undefined) {
    parser = new Parser(lint ? {} : { ruleset: { recommended: false } });
    parsers.set(lint, parser);
  }
  return parser;
}

/**
 * Parses and validates a loaded document (resolving `$ref`s to files beside it).
 * Throws {@link WsgenError} listing every error-level diagnostic.
 */
export async function parseDocument(loaded: LoadedDocument, options: { lint?: boolean } = {}): Promise<ParsedDocument> {
  const { document, diagnostics } = await fromFile(parserFor(options.lint ?? false), loaded.absolutePath).parse({
    validateOptions: { allowedSeverity: { warning: true, info: true, hint: true } },
  });
  const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
  if (errors.length > 0 || document === undefined) {
    const problems = errors.map((d) => toProblem(d, loaded));
    throw new WsgenError(problems.length > 0 ? problems : [{ code: ErrorCode.INVALID_ASYNCAPI, message: 'the parser produced no document', location: { file: loaded.displayPath } }]);
  }
  const warnings = diagnostics
    .filter((d) => d.severity === DiagnosticSeverity.Warning || (options.lint === true && d.severity === DiagnosticSeverity.Information))
    .map((d) => {
      const problem = toProblem(d, loaded);
      return { severity: d.severity === DiagnosticSeverity.Warning ? ('warning' as const) : ('info' as const), message: problem.message, location: problem.location };
    });
  return { document, warnings };
}

function toProblem(diagnostic: Diagnostic, loaded: LoadedDocument): Problem {
  const jsonPath = diagnostic.path.length > 0 ? `#/${diagnostic.path.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}` : undefined;
  const isRef = /\$ref|reference|could not be resolved|unresolved|ENOENT/i.test(diagnostic.message) || diagnostic.code === 'invalid-ref';
  const source = typeof diagnostic.source === 'string' && diagnostic.source !== loaded.absolutePath ? diagnostic.source : undefined;
  return {
    code: isRef ? ErrorCode.UNRESOLVED_REF : ErrorCode.INVALID_ASYNCAPI,
    message: `${diagnostic.message}${source === undefined ? '' : ` (in ${source})`}${isRef ? '; check that the referenced file and JSON pointer exist' : ''}`,
    location: {
      file: loaded.displayPath,
      line: diagnostic.range.start.line + 1,
      column: diagnostic.range.start.character + 1,
      jsonPath,
    },
  };
}
