/**
 * Remembers documents the parser's core rules have already found valid, by content hash, so an
 * unchanged document is not validated again on every run (validation is ~90% of parse time:
 * ~1 s of the ~1.1 s here). The key covers the document, every local file it `$ref`s, and the
 * wsgen and parser versions; a document with errors is never recorded. Entries hold the
 * warnings of that validation, which are replayed on a hit.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from './paths.js';
import { referencedFiles } from './references.js';
import type { Warning } from './parse.js';

const require = createRequire(import.meta.url);

function versions(): string {
  const own = (require(path.join(packageRoot, 'package.json')) as { version: string }).version;
  const parser = (require('@asyncapi/parser/package.json') as { version: string }).version;
  return `wsgen ${own}; parser ${parser}`;
}

/** `node_modules/.cache/wsgen` of the working folder when it has node_modules, else the OS temp folder. */
export function cacheDir(cwd = process.cwd()): string {
  return existsSync(path.join(cwd, 'node_modules')) ? path.join(cwd, 'node_modules', '.cache', 'wsgen') : path.join(os.tmpdir(), 'wsgen-cache');
}

/** The cache key of a document and everything it references. */
export async function documentKey(document: string): Promise<string> {
  const hash = createHash('sha256').update(versions());
  for (const file of [...(await referencedFiles(document))].sort()) {
    hash.update(`\0${file}\0`);
    hash.update(await readFile(file).catch(() => Buffer.from('<missing>')));
  }
  return hash.digest('hex');
}

/** The warnings recorded for a validated document, or undefined when it was not validated yet. */
export async function lookupValidated(key: string, dir = cacheDir()): Promise<Warning[] | undefined> {
  try {
    const entry = JSON.parse(await readFile(path.join(dir, `${key}.json`), 'utf8')) as { warnings?: unknown };
    return Array.isArray(entry.warnings) ? (entry.warnings as Warning[]) : undefined;
  } catch {
    return undefined;
  }
}

/** Records a document as valid (best effort: a read-only cache only costs speed). */
export async function recordValidated(key: string, warnings: Warning[], dir = cacheDir()): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    const temp = path.join(dir, `${key}.${process.pid}.tmp`);
    await writeFile(temp, JSON.stringify({ warnings }));
    await rename(temp, path.join(dir, `${key}.json`));
  } catch {
    // Not cached; the next run validates again.
  }
}
