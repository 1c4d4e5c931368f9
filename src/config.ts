/**
 * `wsgen.config.json` (or `.mjs`/`.js` exporting the same object as default): one or several
 * inputs with their output folder, package name/version and which artifacts to emit.
 * Unknown keys are errors with a suggestion; CLI flags override a single input's values.
 */
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ErrorCode, WsgenError } from './errors.js';

/** Artifacts that can be switched off (types and validators are always emitted). */
export const ARTIFACTS = ['types', 'validators', 'server', 'client'] as const;
/** An artifact name. */
export type Artifact = (typeof ARTIFACTS)[number];

/** One document to generate. */
export interface InputConfig {
  /** The AsyncAPI document, relative to the config file. */
  input: string;
  /** Output folder, relative to the config file (default `generated`). */
  output: string;
  packageName?: string;
  packageVersion?: string;
  /** Artifacts to emit (default: all). Server and client are only emitted for WebSocket APIs. */
  emit: Artifact[];
}

/** Config file names looked for in the working folder, in order. */
export const CONFIG_FILES = ['wsgen.config.json', 'wsgen.config.mjs', 'wsgen.config.js'];

const INPUT_KEYS = ['input', 'output', 'packageName', 'packageVersion', 'emit'];
const TOP_KEYS = [...INPUT_KEYS, 'inputs', '$schema'];

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

function suggest(key: string, known: string[]): string {
  const best = known.map((candidate) => ({ candidate, score: distance(key.toLowerCase(), candidate.toLowerCase()) })).sort((a, b) => a.score - b.score)[0];
  return best !== undefined && best.score <= 3 ? `; did you mean "${best.candidate}"?` : `; known options: ${known.join(', ')}`;
}

function fail(file: string, jsonPath: string, message: string): never {
  throw new WsgenError({ code: ErrorCode.INVALID_OPTION, message, location: { file, jsonPath } });
}

function checkKeys(value: Record<string, unknown>, known: string[], file: string, at: string): void {
  for (const key of Object.keys(value)) if (!known.includes(key)) fail(file, `${at}/${key}`, `unknown option "${key}"${suggest(key, known)}`);
}

function parseInput(value: unknown, file: string, at: string, base: string): InputConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(file, at, 'each input must be an object like { "input": "asyncapi.yaml", "output": "generated" }');
  const record = value as Record<string, unknown>;
  checkKeys(record, INPUT_KEYS, file, at);
  const text = (key: string, required: boolean): string | undefined => {
    const entry = record[key];
    if (entry === undefined && !required) return undefined;
    if (typeof entry !== 'string' || entry === '') fail(file, `${at}/${key}`, `"${key}" must be a non-empty string`);
    return entry;
  };
  const emit = record['emit'] ?? [...ARTIFACTS];
  if (!Array.isArray(emit) || emit.some((artifact) => !ARTIFACTS.includes(artifact as Artifact))) fail(file, `${at}/emit`, `"emit" must be an array of: ${ARTIFACTS.join(', ')}`);
  return {
    input: path.resolve(base, text('input', true) as string),
    output: path.resolve(base, text('output', false) ?? 'generated'),
    packageName: text('packageName', false),
    packageVersion: text('packageVersion', false),
    emit: emit as Artifact[],
  };
}

/** Finds the config file in `cwd` (or uses `explicit`); undefined when there is none. */
export async function findConfig(cwd: string, explicit?: string): Promise<string | undefined> {
  if (explicit !== undefined) return path.resolve(cwd, explicit);
  for (const name of CONFIG_FILES) {
    const candidate = path.join(cwd, name);
    if (await access(candidate).then(() => true, () => false)) return candidate;
  }
  return undefined;
}

/** Loads and validates a config file. */
export async function loadConfig(file: string): Promise<InputConfig[]> {
  const display = path.relative(process.cwd(), file) || file;
  let raw: unknown;
  try {
    raw = file.endsWith('.json') ? JSON.parse(await readFile(file, 'utf8')) : ((await import(pathToFileURL(file).href)) as { default?: unknown }).default;
  } catch (error) {
    fail(display, '#', `cannot read the config: ${(error as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(display, '#', 'the config must be an object');
  const record = raw as Record<string, unknown>;
  checkKeys(record, TOP_KEYS, display, '#');
  const base = path.dirname(file);
  if (record['inputs'] !== undefined) {
    if (INPUT_KEYS.some((key) => record[key] !== undefined)) fail(display, '#', 'use either "inputs": [...] or a single input\'s keys at the top level, not both');
    if (!Array.isArray(record['inputs']) || record['inputs'].length === 0) fail(display, '#/inputs', '"inputs" must be a non-empty array');
    return record['inputs'].map((input, index) => parseInput(input, display, `#/inputs/${index}`, base));
  }
  return [parseInput(Object.fromEntries(Object.entries(record).filter(([key]) => key !== '$schema')), display, '#', base)];
}
