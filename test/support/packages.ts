/** Helpers for tests that generate packages into temporary folders and type-check them. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generate, type GenerateResult } from '../../src/generate.js';

const run = promisify(execFile);

/** The repository root. */
export const repoRoot = path.resolve(import.meta.dirname, '../..');

/** A temporary folder, removed by `dispose()`. */
export async function tempDir(prefix = 'wsgen-test-'): Promise<{ dir: string; dispose: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, dispose: () => rm(dir, { recursive: true, force: true }) };
}

/** Generates `input` into `<dir>/pkg` and links the repo's node_modules so it can be type-checked. */
export async function generateInto(input: string, dir: string, options: { packageName?: string } = {}): Promise<{ outDir: string; result: GenerateResult }> {
  const outDir = path.join(dir, 'pkg');
  const result = await generate({ input: path.resolve(repoRoot, input), outDir, packageName: options.packageName });
  await symlink(path.join(repoRoot, 'node_modules'), path.join(outDir, 'node_modules'), 'dir');
  return { outDir, result };
}

/** Runs `tsc --strict --noEmit` on a project; resolves with its output (empty when clean). */
export async function typeCheck(project: string): Promise<string> {
  try {
    await run(process.execPath, [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', project, '--noEmit', '--strict'], { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
    return '';
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    return `${stdout ?? ''}${stderr ?? ''}` || String(error);
  }
}
