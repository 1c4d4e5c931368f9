/**
 * The `wsgen` command line: bad input gets one clear, located, coded line and exit 1 (never a
 * stack trace); `--check` detects stale output; help and version work.
 */
import { execFile } from 'node:child_process';
import { cp, readFile, writeFile, appendFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from './support/cli.js';
import { repoRoot, tempDir } from './support/packages.js';

const execFileAsync = promisify(execFile);

const cli = (...argv: string[]): Promise<CliResult> => runCli(repoRoot, ...argv);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

describe('bad input: one located line per problem, exit 1, no stack trace', () => {
  it.each([
    { name: 'missing file', file: 'test/fixtures/errors/nope.yaml', code: 'WSGEN_E_FILE_NOT_FOUND', expected: /nope\.yaml: the file does not exist/ },
    { name: 'invalid YAML', file: 'test/fixtures/errors/invalid-yaml.yaml', code: 'WSGEN_E_INVALID_YAML', expected: /invalid-yaml\.yaml:5:1: invalid YAML\/JSON: Flow sequence/ },
    { name: 'not AsyncAPI', file: 'test/fixtures/errors/not-asyncapi.yaml', code: 'WSGEN_E_NOT_ASYNCAPI', expected: /`asyncapi` field .* is missing/ },
    { name: 'unsupported version', file: 'test/fixtures/errors/unsupported-version.yaml', code: 'WSGEN_E_UNSUPPORTED_VERSION', expected: /unsupported-version\.yaml:1:11 \(#\/asyncapi\): AsyncAPI version "1\.2\.0" is not supported/ },
    { name: 'AsyncAPI validation errors', file: 'test/fixtures/errors/invalid-asyncapi.yaml', code: 'WSGEN_E_INVALID_ASYNCAPI', expected: /invalid-asyncapi\.yaml:2:6 \(#\/info\): .*"version"[\s\S]*invalid-asyncapi\.yaml:6:14 \(#\/channels\/chat\/address\)/ },
    { name: 'unresolved $ref', file: 'test/fixtures/errors/unresolved-ref.yaml', code: 'WSGEN_E_UNRESOLVED_REF', expected: /unresolved-ref\.yaml:11:17 \(#\/channels\/chat\/messages\/hello\/payload\/\$ref\): '#\/components\/schemas\/Missing' does not exist/ },
    { name: 'missing referenced file', file: 'test/fixtures/errors/missing-file-ref.yaml', code: 'WSGEN_E_UNRESOLVED_REF', expected: /does-not-exist\.yaml/ },
  ])('$name', async ({ file, code, expected }) => {
    const temp = await tempDir();
    cleanups.push(temp.dispose);
    const out = path.join(temp.dir, 'out');
    const result = await cli('generate', file, '-o', out);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(expected);
    expect(result.stderr).toContain(`[${code}]`);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    for (const line of result.stderr.trim().split('\n')) expect(line).toMatch(/^wsgen: /);
    await expect(readFile(path.join(out, 'package.json'))).rejects.toThrow(); // nothing written
  });

  it('rejects an invalid --package-name', async () => {
    const result = await cli('generate', 'asyncapi.yaml', '-o', 'unused-out', '--package-name', 'Not Valid');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--package-name "Not Valid" is not a valid npm package name.*\[WSGEN_E_INVALID_OPTION\]/);
  });

  it('unknown options are usage errors (exit 2)', async () => {
    const result = await cli('generate', '--frobnicate');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown option '--frobnicate'/);
  });
});

describe('validate', () => {
  it('reports a valid document, and every located error of an invalid one (exit 1)', async () => {
    const valid = await cli('validate', 'asyncapi.yaml');
    expect(valid.code).toBe(0);
    expect(valid.stdout).toMatch(/asyncapi\.yaml is a valid AsyncAPI 3\.0\.0 document \(0 warning\(s\)\)/);
    const invalid = await cli('validate', 'test/fixtures/errors/invalid-asyncapi.yaml');
    expect(invalid.code).toBe(1);
    expect(invalid.stderr.trim().split('\n')).toHaveLength(2);
    expect(invalid.stderr).toMatch(/invalid-asyncapi\.yaml:6:14 \(#\/channels\/chat\/address\)/);
  });

  it('--strict fails on lint warnings', async () => {
    const result = await cli('validate', 'test/fixtures/v2-game-lobby/asyncapi.yaml', '--strict');
    expect(result.stderr).toMatch(/wsgen: warning: /);
    expect(result.code).toBe(1);
  });
});

describe('--check', () => {
  it('passes on the committed generated/ folder and fails, with a short diff, when it is stale', async () => {
    const temp = await tempDir();
    cleanups.push(temp.dispose);
    const copy = path.join(temp.dir, 'generated');
    await cp(path.join(repoRoot, 'generated'), copy, { recursive: true, filter: (source) => !source.includes('node_modules') && !source.includes(`${path.sep}dist`) });
    const fresh = await cli('generate', 'asyncapi.yaml', '-o', copy, '--check');
    expect(fresh.stderr).toBe('');
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toMatch(/is up to date/);

    await appendFile(path.join(copy, 'src/messages.ts'), '\nexport const tampered = true;\n');
    await rm(path.join(copy, 'src/protocol.ts'));
    const stale = await cli('generate', 'asyncapi.yaml', '-o', copy, '--check');
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/is stale: 2 file\(s\) differ/);
    expect(stale.stderr).toMatch(/changed +.*src\/messages\.ts/);
    expect(stale.stderr).toMatch(/- export const tampered = true;/);
    expect(stale.stderr).toMatch(/missing +.*src\/protocol\.ts/);
    // --check never writes.
    expect(await readFile(path.join(copy, 'src/messages.ts'), 'utf8')).toContain('tampered');
  });
});

describe('writing', () => {
  it('keeps files it does not own, replaces its own, removes its stale ones, and changes nothing on error', async () => {
    const temp = await tempDir();
    cleanups.push(temp.dispose);
    const out = path.join(temp.dir, 'out');
    expect((await cli('generate', 'asyncapi.yaml', '-o', out)).code).toBe(0);
    await writeFile(path.join(out, 'NOTES.md'), 'mine');
    const manifestPath = path.join(out, '.wsgen-manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { files: string[] };
    manifest.files.push('src/old-artifact.ts');
    await writeFile(manifestPath, JSON.stringify(manifest));
    await writeFile(path.join(out, 'src/old-artifact.ts'), 'stale');
    await writeFile(path.join(out, 'src/messages.ts'), 'edited by hand');

    const before = await readFile(path.join(out, 'src/messages.ts'), 'utf8');
    const failed = await cli('generate', 'test/fixtures/errors/invalid-asyncapi.yaml', '-o', out);
    expect(failed.code).toBe(1);
    expect(await readFile(path.join(out, 'src/messages.ts'), 'utf8')).toBe(before); // untouched on error

    const again = await cli('generate', 'asyncapi.yaml', '-o', out);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/1 removed/);
    expect(await readFile(path.join(out, 'NOTES.md'), 'utf8')).toBe('mine');
    await expect(readFile(path.join(out, 'src/old-artifact.ts'))).rejects.toThrow();
    expect(await readFile(path.join(out, 'src/messages.ts'), 'utf8')).not.toBe('edited by hand');
  });
});

describe('the installed binary', () => {
  it('prints help and version, and generates with a summary line', async () => {
    const bin = path.join(repoRoot, 'bin/wsgen.js');
    const help = await execFileAsync(process.execPath, [bin, '--help']);
    expect(help.stdout).toMatch(/Usage: wsgen/);
    expect(help.stdout).toMatch(/generate \[options\] \[spec\]/);
    const generateHelp = await execFileAsync(process.execPath, [bin, 'generate', '--help']);
    expect(generateHelp.stdout).toMatch(/--check/);
    expect(generateHelp.stdout).toMatch(/--package-name <name>/);
    const version = await execFileAsync(process.execPath, [bin, '--version']);
    expect(version.stdout.trim()).toBe((JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version);
    const temp = await tempDir();
    cleanups.push(temp.dispose);
    const generated = await execFileAsync(process.execPath, [bin, 'generate', 'asyncapi.yaml', '-o', path.join(temp.dir, 'out')], { cwd: repoRoot });
    expect(generated.stdout).toMatch(/wsgen: 1 document, 1 channel\(s\), 8 message\(s\) → .*: \d+ written, 0 unchanged, 0 removed \(\d+ ms\)/);
  });
});
