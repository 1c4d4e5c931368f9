/** Stage 5: prettier, with one fixed configuration so output never depends on the user's setup. */
import * as prettier from 'prettier';

/** Prettier options for generated files. */
const OPTIONS: prettier.Options = { printWidth: 100, singleQuote: true, trailingComma: 'all', quoteProps: 'as-needed', proseWrap: 'preserve' };

/**
 * Parser by file extension; files of other kinds are left as the templates wrote them. Markdown
 * is one of those: prettier's markdown formatter was 60% of the time on a 1,000-message
 * document (bench/), and the README template already writes well-formed Markdown.
 */
const PARSERS: Record<string, string> = { '.ts': 'typescript', '.json': 'json' };

/** Files at least this long are formatted in a worker thread when the caller offers one. */
export const WORKER_FORMAT_MIN_CHARS = 256 * 1024;

/** A formatting job for src/workers/format-file.mjs. */
export interface FormatJob {
  contents: string;
  options: prettier.Options;
}

/**
 * Formats one file's contents according to its extension. With `worker`, a large file is
 * formatted there (prettier took 2.9 s for the 1.2 MB messages.ts of a 1,000-message document),
 * so the main thread can go on meanwhile.
 */
export async function formatFile(file: string, contents: string, worker?: { run: (job: FormatJob) => Promise<string>; minChars?: number }): Promise<string> {
  const extension = file.slice(file.lastIndexOf('.'));
  const parser = PARSERS[extension];
  if (parser === undefined) return contents;
  // The file path tells prettier's TypeScript parser the code is not TSX; without it, prettier runs
  // a JSX-sniffing regular expression over the whole text (0.8 s on a 1 MB messages.ts).
  const options = { ...OPTIONS, parser, filepath: file };
  if (worker !== undefined && contents.length >= (worker.minChars ?? WORKER_FORMAT_MIN_CHARS)) {
    // A worker that cannot run must not fail the generation: the file is then formatted here.
    return worker.run({ contents, options }).catch(() => prettier.format(contents, options));
  }
  return prettier.format(contents, options);
}
