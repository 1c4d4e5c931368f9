/**
 * Where a candidate spends more CPU than its baseline: two V8 profiles of the same workload
 * (from `node --cpu-prof`), summarised by `cpu-profile.mjs`, compared per unit of work — by
 * category of code, by file and by function.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { summariseCpuProfile } from './cpu-profile.mjs';

/** Every function, file and package of a profile (no top-N cut). */
const ALL = 100_000;

/**
 * The main thread's `.cpuprofile` in `dir`: node writes one per thread
 * (`CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile`), and loader hooks (tsx) have their own.
 */
export function profileIn(dir) {
  const files = readdirSync(dir).filter((name) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(name));
  if (files.length !== 1) throw new Error(`expected one main-thread .cpuprofile in ${dir}, found ${files.length}: ${readdirSync(dir).join(', ')}`);
  return path.join(dir, files[0]);
}

/**
 * Code transpiled on the fly (tsx) reports line 1 for everything: finds the line of the
 * definition of `fn` in the TypeScript source instead (method, function — also a returned one —
 * or property arrow).
 */
function sourceLine(file, fn, cwd) {
  const absolute = path.join(cwd, file);
  if (!/\.ts$/.test(file) || !existsSync(absolute) || !/^[\w$]+$/.test(fn)) return undefined;
  const definition = new RegExp(`^\\s*(?:export\\s+|return\\s+)?(?:(?:private|public|protected|readonly|static|async|get|set)\\s+)*(?:function\\s*\\*?\\s*)?${fn}\\s*(?:<[^>]*>)?\\s*(?:\\(|=\\s*(?:async\\s*)?\\()`);
  const index = readFileSync(absolute, 'utf8').split('\n').findIndex((line) => definition.test(line));
  return index === -1 ? undefined : index + 1;
}

/** `name file:line` with the line looked up in the source when the profile says 1. */
function located(name, cwd) {
  const match = /^(\S+) (\S+\.ts):1$/.exec(name);
  if (match === null) return name;
  const line = sourceLine(match[2], match[1], cwd);
  return line === undefined ? `${match[1]} ${match[2]}` : `${match[1]} ${match[2]}:${line}`;
}

/**
 * Compares two profiles of `units` units of work each (e.g. messages). `categories` are
 * `[{ name, test(file) }]` over the profile's file names (relative to `cwd`; `(native/vm)` for
 * syscalls, GC and builtins), the first that matches wins. Returns µs per unit in all, per
 * category (both sides and the difference), and the `top` files and functions whose self time
 * grew most; functions under `own` (a path prefix) are listed apart: the candidate's own code.
 */
export async function diffProfiles(baselineFile, candidateFile, { units, categories, top = 12, cwd, own }) {
  const [baseline, candidate] = await Promise.all([baselineFile, candidateFile].map((file) => summariseCpuProfile(file, { top: ALL, cwd })));
  const perUnit = (ms) => Number(((ms * 1000) / units).toFixed(2));
  const categoryOf = (file) => categories.find((category) => category.test(file))?.name ?? 'other';
  const byCategory = (summary) => {
    const sums = new Map(categories.map((category) => [category.name, 0]));
    for (const row of summary.files) sums.set(categoryOf(row.name), (sums.get(categoryOf(row.name)) ?? 0) + row.ms);
    return sums;
  };
  const [baselineCategories, candidateCategories] = [byCategory(baseline), byCategory(candidate)];
  const grown = (kind) => {
    const before = new Map(baseline[kind].map((row) => [row.name, row.ms]));
    return candidate[kind]
      .map((row) => ({ name: located(row.name, cwd), usPerUnit: perUnit(row.ms - (before.get(row.name) ?? 0)), candidateUsPerUnit: perUnit(row.ms) }))
      .sort((a, b) => b.usPerUnit - a.usPerUnit)
      .slice(0, top);
  };
  return {
    units,
    baselineUsPerUnit: perUnit(baseline.totalMs),
    candidateUsPerUnit: perUnit(candidate.totalMs),
    categories: [...candidateCategories.keys()].map((name) => ({
      name,
      baselineUsPerUnit: perUnit(baselineCategories.get(name) ?? 0),
      candidateUsPerUnit: perUnit(candidateCategories.get(name) ?? 0),
      deltaUsPerUnit: perUnit((candidateCategories.get(name) ?? 0) - (baselineCategories.get(name) ?? 0)),
    })),
    ownFunctions: candidate.functions
      .filter((row) => row.name.includes(` ${own}`))
      .slice(0, top)
      .map((row) => ({ name: located(row.name, cwd), usPerUnit: perUnit(row.ms), share: row.share })),
    grownFunctions: grown('functions'),
    grownFiles: grown('files'),
  };
}
