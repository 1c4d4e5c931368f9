/**
 * Where results go: each part merges its section into `<out>/latest.json` (written atomically
 * through a `.tmp` file), next to a description of the machine and of the code measured.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of the wsgen checkout (the folder above bench/). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Default results folder. */
export const defaultResultsDir = path.join(repoRoot, 'bench', 'results');

/** CPU, cores, memory, Node version, load average and date of this run. */
export function machineInfo() {
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism?.() ?? os.cpus().length,
    memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    date: new Date().toISOString(),
  };
}

/** The commit measured, whether src/ had local changes, and when dist/cli.js was built. */
export function codeInfo() {
  const git = (...args) => {
    try {
      return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return null;
    }
  };
  const cli = path.join(repoRoot, 'dist', 'cli.js');
  return {
    commit: git('rev-parse', '--short', 'HEAD'),
    srcModified: (git('status', '--porcelain', '--', 'src', 'templates') ?? '') !== '',
    distBuiltAt: existsSync(cli) ? statSync(cli).mtime.toISOString() : null,
  };
}

/** 1-minute load average, a hint of how noisy the machine was. */
export const loadAverage = () => Number(os.loadavg()[0].toFixed(2));

/** Merges `section` as `parts[name]` into `<dir>/latest.json`; returns the file's path. */
export function saveResults(dir, name, section) {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'latest.json');
  let current = {};
  try {
    current = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // First run, or an unreadable file: start afresh.
  }
  const next = { machine: machineInfo(), code: codeInfo(), parts: { ...(current.parts ?? {}), [name]: section } };
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(next, null, 2)}\n`);
  renameSync(temporary, file);
  return file;
}

/** Writes a text file atomically (through `<file>.<pid>.tmp`). */
export function writeAtomically(file, contents) {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, file);
}

/** A scratch folder under the OS temp dir, removed when the process exits (also on SIGINT). */
export function scratchDir(prefix) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `wsgen-bench-${prefix}-`));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Formats rows (arrays of cells) under `header` as a padded plain-text table. */
export function table(header, rows) {
  const cells = [header, ...rows].map((row) => row.map((cell) => String(cell ?? '–')));
  const widths = header.map((_, column) => Math.max(...cells.map((row) => row[column].length)));
  const line = (row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  return [line(cells[0]), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.slice(1).map(line)].join('\n');
}
