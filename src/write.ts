/**
 * Stage 6: write the generated files, all or nothing, and compare them for `--check`.
 *
 * The output folder records what wsgen owns in `.wsgen-manifest.json`; only those files are ever
 * replaced or deleted, so a user's own files (node_modules, dist, notes) are never touched.
 * Every file is first written to a temporary sibling; only when all writes succeeded are they
 * renamed into place (each rename is atomic), and a brand-new output folder appears in one rename.
 */
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, WsgenError } from './errors.js';

/** One generated file: a relative POSIX path inside the output folder, and its contents. */
export interface OutputFile {
  path: string;
  contents: string;
}

/** Name of the ownership manifest inside the output folder. */
export const MANIFEST = '.wsgen-manifest.json';

/** What a write did. */
export interface WriteReport {
  written: string[];
  unchanged: string[];
  removed: string[];
}

/** Throws unless `relative` stays inside `root` (no absolute paths, no `..`). */
function safeJoin(root: string, relative: string): string {
  const target = path.resolve(root, relative);
  if (path.isAbsolute(relative) || relative.split(/[\\/]/).includes('..') || !target.startsWith(root + path.sep)) {
    throw new WsgenError({ code: ErrorCode.WRITE_FAILED, message: `refusing to write ${JSON.stringify(relative)}: it would land outside the output folder ${root}` });
  }
  return target;
}

async function readManifest(root: string): Promise<string[]> {
  try {
    const parsed = JSON.parse(await readFile(path.join(root, MANIFEST), 'utf8')) as { files?: unknown };
    return Array.isArray(parsed.files) ? parsed.files.filter((file): file is string => typeof file === 'string') : [];
  } catch {
    return [];
  }
}

function manifestFile(files: OutputFile[]): OutputFile {
  const list = files.map((file) => file.path).sort();
  return { path: MANIFEST, contents: `${JSON.stringify({ generator: 'wsgen', note: 'Files wsgen owns in this folder; others are never touched.', files: list }, null, 2)}\n` };
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Writes `files` into `outDir` atomically (see module doc). */
export async function writeOutput(outDir: string, files: OutputFile[]): Promise<WriteReport> {
  const root = path.resolve(outDir);
  const all = [...files, manifestFile(files)];
  for (const file of all) safeJoin(root, file.path);
  const exists = await stat(root).then((s) => (s.isDirectory() ? true : 'file'), () => false);
  if (exists === 'file') throw new WsgenError({ code: ErrorCode.WRITE_FAILED, message: `output ${outDir} exists and is not a folder; choose another -o` });

  if (exists === false) {
    const staging = `${root}.wsgen-tmp-${process.pid}`;
    try {
      for (const file of all) {
        const target = safeJoin(staging, file.path);
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, file.contents);
      }
      await mkdir(path.dirname(root), { recursive: true });
      await rename(staging, root);
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      throw new WsgenError({ code: ErrorCode.WRITE_FAILED, message: `could not write ${outDir}: ${(error as Error).message}; nothing was written` }, { cause: error });
    }
    return { written: files.map((file) => file.path), unchanged: [], removed: [] };
  }

  const previous = await readManifest(root);
  const report: WriteReport = { written: [], unchanged: [], removed: [] };
  const staged: { temp: string; target: string }[] = [];
  try {
    // Reads (and the temporary writes below) run concurrently: one at a time, they were most of
    // a watch-mode regeneration's write stage.
    const onDisk = await Promise.all(
      all.map(async (file) => {
        const target = safeJoin(root, file.path);
        if ((await stat(target).catch(() => undefined))?.isDirectory() === true) throw new Error(`${file.path} is a folder`);
        return readIfExists(target);
      }),
    );
    const changed = all.filter((file, index) => onDisk[index] !== file.contents);
    const changedPaths = new Set(changed.map((file) => file.path));
    for (const file of all) if (file.path !== MANIFEST) (changedPaths.has(file.path) ? report.written : report.unchanged).push(file.path);
    // allSettled: on a failure, every temporary file must exist before the cleanup removes them.
    const writes = await Promise.allSettled(
      changed.map(async (file) => {
        const target = safeJoin(root, file.path);
        const temp = `${target}.wsgen-tmp-${process.pid}`;
        staged.push({ temp, target });
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(temp, file.contents);
      }),
    );
    const failed = writes.find((outcome) => outcome.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  } catch (error) {
    await Promise.all(staged.map(({ temp }) => rm(temp, { force: true })));
    throw new WsgenError({ code: ErrorCode.WRITE_FAILED, message: `could not write ${outDir}: ${(error as Error).message}; nothing was changed` }, { cause: error });
  }
  for (const { temp, target } of staged) await rename(temp, target);
  const current = new Set(all.map((file) => file.path));
  for (const stale of previous.filter((file) => !current.has(file))) {
    const target = safeJoin(root, stale);
    await rm(target, { force: true });
    report.removed.push(stale);
  }
  return report;
}

/** One difference between the generated files and the folder. */
export interface FileDifference {
  path: string;
  kind: 'missing' | 'changed' | 'stale';
  /** A few lines around the first difference, `-` on disk, `+` generated. */
  excerpt: string;
}

/** Compares `files` with `outDir` without writing anything. */
export async function compareOutput(outDir: string, files: OutputFile[]): Promise<FileDifference[]> {
  const root = path.resolve(outDir);
  const differences: FileDifference[] = [];
  const all = [...files, manifestFile(files)];
  for (const file of all) {
    const onDisk = await readIfExists(safeJoin(root, file.path));
    if (onDisk === undefined) differences.push({ path: file.path, kind: 'missing', excerpt: '' });
    else if (onDisk !== file.contents) differences.push({ path: file.path, kind: 'changed', excerpt: shortDiff(onDisk, file.contents) });
  }
  const current = new Set(all.map((file) => file.path));
  for (const stale of (await readManifest(root)).filter((file) => !current.has(file))) {
    if ((await readIfExists(safeJoin(root, stale))) !== undefined) differences.push({ path: stale, kind: 'stale', excerpt: '' });
  }
  return differences;
}

/** The first differing region of two texts, with two lines of context. */
export function shortDiff(before: string, after: string, maxLines = 6): string {
  const a = before.split('\n');
  const b = after.split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length - 1;
  let endB = b.length - 1;
  while (endA > start && endB > start && a[endA] === b[endB]) {
    endA--;
    endB--;
  }
  const context = a.slice(Math.max(0, start - 2), start).map((line) => `  ${line}`);
  const removed = a.slice(start, endA + 1).slice(0, maxLines).map((line) => `- ${line}`);
  const added = b.slice(start, endB + 1).slice(0, maxLines).map((line) => `+ ${line}`);
  return [`@@ line ${start + 1} @@`, ...context, ...removed, ...added].join('\n');
}
