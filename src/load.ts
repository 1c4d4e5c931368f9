/**
 * Stage 1: read the document from disk and check it is YAML/JSON of a supported AsyncAPI
 * version, so the parser only ever sees input worth parsing and the user gets a precise error.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
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
}

/** AsyncAPI major.minor versions wsgen accepts (the parser validates the rest). */
const SUPPORTED_VERSIONS = /^(2\.[0-6]|3\.[01])\.\d+$/;

/** Reads and pre-checks an AsyncAPI document. Throws {@link WsgenError} on any problem. */
export async function loadDocument(file: string, cwd = process.cwd()): Promise<LoadedDocument> {
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
