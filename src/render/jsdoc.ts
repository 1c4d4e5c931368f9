/** Builds JSDoc blocks from the document's prose, safely (no `*\/` can end a comment early). */

/** A `/** … *\/` block of the given lines of prose (blank input → empty string). */
export function jsdoc(...parts: (string | undefined)[]): string {
  const text = parts
    .filter((part): part is string => part !== undefined && part.trim() !== '')
    .map((part) => part.trim())
    .join('\n\n');
  if (text === '') return '';
  const lines = text.replace(/\*\//g, '*\\/').split('\n');
  return ['/**', ...lines.map((line) => (line.trim() === '' ? ' *' : ` * ${line.trimEnd()}`)), ' */'].join('\n');
}
