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

/** Formats one file's contents according to its extension. */
export async function formatFile(file: string, contents: string): Promise<string> {
  const extension = file.slice(file.lastIndexOf('.'));
  const parser = PARSERS[extension];
  if (parser === undefined) return contents;
  return prettier.format(contents, { ...OPTIONS, parser });
}
