/**
 * The third-party AsyncAPI corpus under `test/corpus/`: which files are documents (only files
 * with a top-level `asyncapi` key; multi-file documents also ship `$ref`'d fragments) and what
 * `test/corpus/SOURCES.md` records about each of them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** Absolute path of `test/corpus/`. */
export const corpusDir = path.resolve(import.meta.dirname, '../corpus');

/** What `@asyncapi/parser` makes of a document, as recorded in SOURCES.md. */
export type ParserVerdict = 'valid' | 'invalid';

/** One document of the corpus. */
export interface CorpusDocument {
  /** Path relative to `test/corpus/`, `/`-separated, e.g. `spec-3.0-social-media/backend/asyncapi.yaml`. */
  file: string;
  /** Absolute path. */
  absolutePath: string;
  /** Folder of its generated package under the shared temp root: one path segment, unique. */
  slug: string;
  /** The SOURCES.md "parser" column; undefined when SOURCES.md does not list the file. */
  parser: ParserVerdict | undefined;
}

/** One path segment naming a document's package folder: `spec-3.0-social-media/backend/asyncapi.yaml` → `spec-3.0-social-media_backend_asyncapi`. */
export function slugFor(file: string): string {
  return file.replace(/\.(ya?ml|json)$/, '').replace(/[^A-Za-z0-9.-]+/g, '_');
}

/** The "parser" column of SOURCES.md's document table, by file. */
export function readParserVerdicts(): Map<string, ParserVerdict> {
  const verdicts = new Map<string, ParserVerdict>();
  for (const line of readFileSync(path.join(corpusDir, 'SOURCES.md'), 'utf8').split('\n')) {
    const match = /^\| `([^`]+)` \|.*\| (valid|invalid)\b[^|]*\|\s*$/.exec(line);
    if (match !== null) verdicts.set(match[1]!, match[2] as ParserVerdict);
  }
  return verdicts;
}

/** Every AsyncAPI document of the corpus, sorted by path. */
export function corpusDocuments(): CorpusDocument[] {
  const verdicts = readParserVerdicts();
  return (readdirSync(corpusDir, { recursive: true, encoding: 'utf8' }))
    .map((file) => file.split(path.sep).join('/'))
    .filter((file) => /\.(ya?ml|json)$/.test(file))
    .filter((file) => {
      const parsed: unknown = parse(readFileSync(path.join(corpusDir, file), 'utf8'));
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && 'asyncapi' in parsed;
    })
    .sort()
    .map((file) => ({ file, absolutePath: path.join(corpusDir, file), slug: slugFor(file), parser: verdicts.get(file) }));
}
