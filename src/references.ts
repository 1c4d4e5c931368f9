/** Finds the local files an AsyncAPI document pulls in through `$ref`s (for watching and caching). */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** Local files a document references through `$ref` (recursively), the document included. */
export async function referencedFiles(document: string, seen = new Set<string>()): Promise<Set<string>> {
  const absolute = path.resolve(document);
  if (seen.has(absolute)) return seen;
  seen.add(absolute);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch {
    return seen; // a missing file is still watched, so creating it triggers a run
  }
  for (const match of text.matchAll(/\$ref["']?\s*:\s*["']?([^"'#\s}]+)/g)) {
    const target = match[1];
    if (target === undefined || /^[a-z]+:\/\//i.test(target)) continue;
    await referencedFiles(path.resolve(path.dirname(absolute), target), seen);
  }
  return seen;
}
