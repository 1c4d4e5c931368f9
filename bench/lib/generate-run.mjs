/**
 * One cold generation in a fresh child process (bench/child/generate-once.mjs), into a fresh
 * output folder that is measured and removed afterwards.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { runNode, readMarked } from './children.mjs';
import { repoRoot } from './results.mjs';

const childScript = path.join(repoRoot, 'bench', 'child', 'generate-once.mjs');
let counter = 0;

async function folderBytes(dir) {
  let total = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

/**
 * Generates `doc` into `<scratch>/out-N`; resolves with the child's figures plus `wallMs`
 * (spawn to exit, seen from the parent) and `outputBytes`. Throws when generation fails.
 */
export async function generateOnce(doc, scratch, { nodeArgs = [], timeoutMs = 10 * 60_000 } = {}) {
  const outDir = path.join(scratch, `out-${process.pid}-${counter++}`);
  try {
    const child = await runNode(childScript, [doc, outDir], { nodeArgs, timeoutMs, cwd: repoRoot });
    if (child.timedOut) throw new Error(`generating ${path.relative(repoRoot, doc)} took longer than ${timeoutMs / 1000} s (killed)`);
    let figures;
    try {
      figures = readMarked(child.stdout, 'WSGEN_BENCH');
    } catch {
      throw new Error(`generating ${path.relative(repoRoot, doc)} crashed (exit ${child.code ?? child.signal}): ${child.stderr.trim().split('\n').slice(-5).join(' | ')}`);
    }
    if (figures.exitCode !== 0) throw new Error(`wsgen generate ${path.relative(repoRoot, doc)} failed (exit ${figures.exitCode}): ${figures.output?.trim()}`);
    return { ...figures, wallMs: child.wallMs, outputBytes: await folderBytes(outDir) };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

/** Pipeline stages in order, as printed by `wsgen generate --verbose`. */
export const STAGES = ['load', 'parse', 'ir', 'render', 'format', 'write'];
