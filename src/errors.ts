/**
 * The generator's one error type. Every problem a user can cause has a stable `code`, a
 * location (file:line:col and/or a JSON path) and a message that says how to fix it.
 */

/** Stable error codes of the generator (tests and scripts may match on them). */
export const ErrorCode = {
  /** The input file does not exist or cannot be read. */
  FILE_NOT_FOUND: 'WSGEN_E_FILE_NOT_FOUND',
  /** The input is not valid YAML or JSON. */
  INVALID_YAML: 'WSGEN_E_INVALID_YAML',
  /** The document is not an AsyncAPI document at all. */
  NOT_ASYNCAPI: 'WSGEN_E_NOT_ASYNCAPI',
  /** The AsyncAPI version is not supported. */
  UNSUPPORTED_VERSION: 'WSGEN_E_UNSUPPORTED_VERSION',
  /** The AsyncAPI parser rejected the document. */
  INVALID_ASYNCAPI: 'WSGEN_E_INVALID_ASYNCAPI',
  /** A `$ref` could not be resolved. */
  UNRESOLVED_REF: 'WSGEN_E_UNRESOLVED_REF',
  /** Two things in the document map to the same generated identifier. */
  NAME_COLLISION: 'WSGEN_E_NAME_COLLISION',
  /** The document uses a feature wsgen cannot generate code for. */
  UNSUPPORTED: 'WSGEN_E_UNSUPPORTED',
  /** A CLI option or config value is wrong. */
  INVALID_OPTION: 'WSGEN_E_INVALID_OPTION',
  /** `--check` found generated files that differ from the document. */
  STALE_OUTPUT: 'WSGEN_E_STALE_OUTPUT',
  /** Writing the output failed (permissions, disk); nothing was changed. */
  WRITE_FAILED: 'WSGEN_E_WRITE_FAILED',
} as const;

/** A code from {@link ErrorCode}. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Where a problem is: a position in a file and/or a JSON path in the document. */
export interface SourceLocation {
  /** File path as the user gave it (relative paths stay relative). */
  file?: string;
  /** 1-based line. */
  line?: number;
  /** 1-based column. */
  column?: number;
  /** JSON pointer-ish path into the document, e.g. `#/channels/chat/messages/chatMessage`. */
  jsonPath?: string;
}

/** One problem found in the input, with its location. */
export interface Problem {
  code: ErrorCode;
  message: string;
  location?: SourceLocation;
}

/** Error carrying one or more problems; the CLI prints one line per problem. */
export class WsgenError extends Error {
  /** Code of the first (or only) problem. */
  readonly code: ErrorCode;
  /** Every problem, in document order. */
  readonly problems: Problem[];

  constructor(problems: Problem | Problem[], options?: { cause?: unknown }) {
    const list = Array.isArray(problems) ? problems : [problems];
    const first = list[0];
    if (first === undefined) throw new TypeError('WsgenError needs at least one problem');
    super(list.map(formatProblem).join('\n'), options);
    this.name = 'WsgenError';
    this.code = first.code;
    this.problems = list;
  }
}

/** Formats a location as `file:line:col (#/json/path)`, omitting what is unknown. */
export function formatLocation(location: SourceLocation | undefined): string {
  if (location === undefined) return '';
  let position = location.file ?? '';
  if (location.line !== undefined) position += `${position === '' ? '' : ':'}${location.line}:${location.column ?? 1}`;
  const path = location.jsonPath === undefined ? '' : location.jsonPath;
  if (position !== '' && path !== '') return `${position} (${path})`;
  return position + path;
}

/** One line: `file:line:col: message [CODE]`. */
export function formatProblem(problem: Problem): string {
  const where = formatLocation(problem.location);
  return `${where === '' ? '' : `${where}: `}${problem.message} [${problem.code}]`;
}
