/**
 * Type-checks many generated packages with ONE `tsc` run: a tsconfig in their common root
 * includes every package's `src/**\/*.ts` with the compiler options of the generated
 * `tsconfig.json` (minus the emit-only ones), and the diagnostics are grouped back by package.
 * One run instead of one per package: the standard library and `@types/node` are checked once.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '../support/packages.js';

/** Compiler options that only shape emitted files; irrelevant (and conflicting) in a no-emit check of many packages. */
const EMIT_ONLY_OPTIONS = ['rootDir', 'outDir', 'declaration', 'declarationMap', 'sourceMap', 'composite', 'incremental', 'tsBuildInfoFile'];

/** A generated `tsconfig.json`'s compiler options as a no-emit check uses them. */
export function checkOptions(tsconfig: { compilerOptions?: Record<string, unknown> }): Record<string, unknown> {
  const options = { ...tsconfig.compilerOptions };
  for (const option of EMIT_ONLY_OPTIONS) delete options[option];
  return { ...options, noEmit: true };
}

/** What one `tsc` run over many packages reported. */
export interface TypeCheckReport {
  /** tsc's exit code (0 when clean). */
  exitCode: number;
  /** Diagnostics (with their continuation lines) by package folder; `''` for anything outside a package. */
  errors: Map<string, string[]>;
  /** How long tsc ran, in milliseconds. */
  milliseconds: number;
}

/**
 * Writes `<root>/tsconfig.json` covering `<root>/<package>/src/**\/*.ts` for each package and
 * runs `tsc --strict --noEmit` on it once. Never rejects: a tsc crash is reported under `''`.
 */
export async function typeCheckPackages(root: string, packages: string[], compilerOptions: Record<string, unknown>): Promise<TypeCheckReport> {
  const tsconfig = { compilerOptions, include: packages.map((name) => `${name}/src/**/*.ts`) };
  await writeFile(path.join(root, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
  const started = performance.now();
  const tsc = path.join(repoRoot, 'node_modules/typescript/bin/tsc');
  const { exitCode, output } = await new Promise<{ exitCode: number; output: string }>((resolve) => {
    execFile(process.execPath, [tsc, '-p', 'tsconfig.json', '--strict', '--noEmit', '--pretty', 'false'], { cwd: root, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ exitCode: code, output: `${stdout}${stderr}${error !== null && stdout === '' && stderr === '' ? error.message : ''}` });
    });
  });
  return { exitCode, errors: groupByPackage(output, new Set(packages)), milliseconds: Math.round(performance.now() - started) };
}

/** Splits tsc's `--pretty false` output (`pkg/src/file.ts(1,2): error TS…`, continuations indented) by package folder. */
function groupByPackage(output: string, packages: Set<string>): Map<string, string[]> {
  const errors = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of output.split('\n')) {
    if (line.trim() === '') continue;
    if (/^\s/.test(line) && current !== undefined) {
      current[current.length - 1] += `\n${line}`;
      continue;
    }
    const folder = line.split('/')[0] ?? '';
    const key = packages.has(folder) ? folder : '';
    current = errors.get(key) ?? [];
    errors.set(key, current);
    current.push(line);
  }
  return errors;
}
