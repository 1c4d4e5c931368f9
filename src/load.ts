/**
 * Stage 1: read the document from disk and check it is YAML/JSON of a supported AsyncAPI
 * version, so the parser only ever sees input worth parsing and the user gets a precise error.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Lexer, parseDocument } from 'yaml';
import { ErrorCode, WsgenError } from './errors.js';

/** A loaded document: its text and the AsyncAPI version it declares. */
export interface LoadedDocument {
  /** Absolute path of the file. */
  absolutePath: string;
  /** Path as given by the user, for messages. */
  displayPath: string;
  /** File contents. */
  text: string;
  /** The declared `asyncapi` version, e.g. `3.0.0`. */
  version: string;
  /**
   * Set when only the quick check ran (see `loadDocument`): the YAML was not fully checked, so a
   * parser error may be a YAML error that `loadDocument(…, { quick: false })` describes better.
   */
  quick?: boolean;
}

/** AsyncAPI major.minor versions wsgen accepts (the parser validates the rest). */
const SUPPORTED_VERSIONS = /^(2\.[0-6]|3\.[01])\.\d+$/;

/**
 * Reads and pre-checks an AsyncAPI document. Throws {@link WsgenError} on any problem.
 *
 * With `quick`, a document without YAML aliases whose supported version is plain to see skips
 * the full YAML parse (1.5 s for a 2 MB document, and the parser parses it again anyway): the
 * parser reports syntax errors and duplicate keys itself. Aliases always get the full check,
 * which guards against alias bombs the parser would hang on.
 */
export async function loadDocument(file: string, cwd = process.cwd(), options: { quick?: boolean } = {}): Promise<LoadedDocument> {
  const absolutePath = path.resolve(cwd, file);
  const displayPath = path.relative(cwd, absolutePath) || file;
  let text: string;
  try {
    text = await readFile(absolutePath, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'EISDIR' ? 'is a directory' : 'does not exist or cannot be read';
    throw new WsgenError({
      code: ErrorCode.FILE_NOT_FOUND,
      message: `the file ${reason}; pass the path of an AsyncAPI document (e.g. wsgen generate asyncapi.yaml)`,
      location: { file: displayPath },
    });
  }
  if (options.quick === true) {
    const version = quickVersion(text);
    if (version !== undefined) return { absolutePath, displayPath, text, version, quick: true };
  }
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const syntaxError = document.errors[0];
  if (syntaxError !== undefined) {
    const position = syntaxError.linePos?.[0];
    throw new WsgenError({
      code: ErrorCode.INVALID_YAML,
      message: `invalid YAML/JSON: ${syntaxError.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}`,
      location: { file: displayPath, line: position?.line, column: position?.col },
    });
  }
  let data: unknown;
  try {
    // Generated documents use anchors heavily; the yaml package's default of 100 aliases is a
    // guard against "billion laughs" inputs, kept but raised to a size real documents stay under.
    data = document.toJS({ maxAliasCount: 100_000 });
  } catch (error) {
    throw new WsgenError({ code: ErrorCode.INVALID_YAML, message: `invalid YAML: ${(error as Error).message}`, location: { file: displayPath } });
  }
  const version = typeof data === 'object' && data !== null ? (data as Record<string, unknown>)['asyncapi'] : undefined;
  if (version === undefined) {
    throw new WsgenError({
      code: ErrorCode.NOT_ASYNCAPI,
      message: 'not an AsyncAPI document: the top-level `asyncapi` field (e.g. `asyncapi: 3.0.0`) is missing',
      location: { file: displayPath, line: 1, column: 1 },
    });
  }
  if (typeof version !== 'string' || !SUPPORTED_VERSIONS.test(version)) {
    const node = document.get('asyncapi', true) as { range?: [number, number, number] } | undefined;
    const offset = node?.range?.[0] ?? 0;
    const { line, column } = lineColumnAt(text, offset);
    throw new WsgenError({
      code: ErrorCode.UNSUPPORTED_VERSION,
      message: `AsyncAPI version ${JSON.stringify(version)} is not supported; use 3.0.x (or 2.0.x–2.6.x)`,
      location: { file: displayPath, line, column, jsonPath: '#/asyncapi' },
    });
  }
  return { absolutePath, displayPath, text, version };
}

/** A top-level `asyncapi: <version>` line of a YAML document (block style, column 0). */
const TOP_LEVEL_VERSION = /^asyncapi[ \t]*:[ \t]*(?:"([^"\n]*)"|'([^'\n]*)'|([^\s#'"]+))[ \t]*(?:#.*)?$/gm;

/**
 * The supported version of a document that needs no full YAML check, or undefined: JSON that
 * parses, or YAML without aliases (the yaml lexer's tokens, ~8x cheaper than composing the
 * document) with exactly one top-level version line.
 */
function quickVersion(text: string): string | undefined {
  let version: unknown;
  if (/^\s*\{/.test(text)) {
    try {
      version = (JSON.parse(text) as Record<string, unknown>)['asyncapi'];
    } catch {
      return undefined;
    }
  } else {
    for (const token of new Lexer().lex(text)) if (token.startsWith('*')) return undefined;
    const lines = [...text.matchAll(TOP_LEVEL_VERSION)];
    if (lines.length !== 1) return undefined;
    version = lines[0]?.[1] ?? lines[0]?.[2] ?? lines[0]?.[3];
  }
  return typeof version === 'string' && SUPPORTED_VERSIONS.test(version) ? version : undefined;
}

/** 1-based line and column of a character offset. */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
