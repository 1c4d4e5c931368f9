/**
 * The generated package as another repository sees it: `generated/` is copied to a temporary
 * folder and packed with `npm pack` (its `prepack` runs tsc into dist/), and a fresh consumer
 * project outside the repository installs the tarball with `npm install`. Then:
 *
 * - the tarball holds the built entry points, declarations, runtime, README and package.json only;
 * - plain Node ESM imports every entry point by name and round-trips a chat message between the
 *   generated server and client on 127.0.0.1 (test/consumer/node-smoke.mjs);
 * - test/consumer/consumer.ts type-checks (strict, the package's own .d.ts checked) under
 *   `moduleResolution` node16 and bundler, and test/consumer/browser.ts with DOM only, no
 *   @types/node; their `@ts-expect-error` lines prove that wrong payloads are rejected;
 * - esbuild bundles the client and validators for the browser without `ws` or `node:` imports,
 *   under {@link BUNDLE_LIMIT_BYTES} minified + gzipped (recorded in test/artifacts/bundle-size.json);
 * - publint and @arethetypeswrong/cli (pinned versions) report no problems.
 *
 * npm runs with `--prefer-offline`: every package it needs is normally in the npm cache already.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '..');
const generatedDir = path.join(repoRoot, 'generated');
const consumerSources = path.join(repoRoot, 'test/consumer');
const tscBin = path.join(repoRoot, 'node_modules/typescript/bin/tsc');

/** Exact tool versions: npx runs these (from the repo's devDependencies when installed there). */
const PUBLINT = 'publint@0.3.25';
const ATTW = '@arethetypeswrong/cli@0.18.5';
/** Budget of the browser bundle (client + validators), minified and gzipped at level 9. */
const BUNDLE_LIMIT_BYTES = 20 * 1024;
const PACKAGE_NAME = 'petstore-support-chat';
/** Bounds of the child processes, so a hung npm or server fails the test instead of stalling it. */
const NPM_TIMEOUT_MS = 60_000;
const TOOL_TIMEOUT_MS = 75_000;
const TEST_TIMEOUT_MS = 90_000;

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The environment for child npm/node processes, without the variables `npm test` sets for the
 * repository (npm_package_*, npm_lifecycle_*, npm_config_local_prefix, …), which would point a
 * child npm at the repository instead of its own folder. User npm settings (cache, registry,
 * proxies, certificates) are kept.
 */
function childEnv(): NodeJS.ProcessEnv {
  const keep = /^npm_config_(cache|registry|userconfig|globalconfig|cafile|https?_proxy|proxy|noproxy|strict_ssl)$/i;
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) || keep.test(key)));
  return { ...env, npm_config_update_notifier: 'false', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_yes: 'true' };
}

/** Runs a program; resolves with its exit code and output (a timeout kills it and rejects). */
function run(file: string, args: string[], cwd: string, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, env: childEnv(), timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(new Error(`${path.basename(file)} ${args.join(' ')} failed in ${cwd}: ${error.message}\n${stderr}`));
      else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

/** Runs a program and rejects, with its output, when it exits non-zero. */
async function runOk(file: string, args: string[], cwd: string, timeoutMs: number): Promise<RunResult> {
  const result = await run(file, args, cwd, timeoutMs);
  if (result.code !== 0) throw new Error(`${path.basename(file)} ${args.join(' ')} exited with ${result.code} in ${cwd}\n${result.stdout}\n${result.stderr}`);
  return result;
}

const npm = (args: string[], cwd: string, timeoutMs = NPM_TIMEOUT_MS) => runOk('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline'], cwd, timeoutMs);

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, 'utf8')) as T;
}

/** True when `version` satisfies a caret range `^x.y.z` (the only form the template emits). */
function satisfiesCaret(version: string, range: string): boolean {
  const wanted = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(range)?.slice(1).map(Number);
  const actual = /^(\d+)\.(\d+)\.(\d+)$/.exec(version)?.slice(1).map(Number);
  if (!wanted || !actual || wanted[0] !== actual[0]) return false;
  for (let i = 1; i < 3; i++) if (actual[i] !== wanted[i]) return actual[i]! > wanted[i]!;
  return true;
}

/**
 * Gives the copied package exactly its declared (dev)dependencies: links to the repository's
 * installed copies when each one satisfies the declared range — the same packages a fresh
 * `npm install` resolves, so tsc sees the same thing, and nothing undeclared is reachable —
 * else runs `npm install`.
 */
async function installPackageDependencies(packageDir: string): Promise<void> {
  const manifest = await readJson<{ dependencies?: Record<string, string>; devDependencies?: Record<string, string> }>(path.join(packageDir, 'package.json'));
  const declared = Object.entries({ ...manifest.dependencies, ...manifest.devDependencies });
  const installed = await Promise.all(declared.map(([name]) => readJson<{ version: string }>(path.join(repoRoot, 'node_modules', name, 'package.json')).then((pkg) => pkg.version, () => '')));
  if (!declared.every(([, range], i) => satisfiesCaret(installed[i]!, range))) {
    await npm(['install'], packageDir);
    return;
  }
  for (const [name] of declared) {
    const link = path.join(packageDir, 'node_modules', name);
    await mkdir(path.dirname(link), { recursive: true });
    await symlink(path.join(repoRoot, 'node_modules', name), link, 'dir');
  }
  if (declared.some(([name]) => name === 'typescript')) {
    await mkdir(path.join(packageDir, 'node_modules/.bin'), { recursive: true });
    await symlink('../typescript/bin/tsc', path.join(packageDir, 'node_modules/.bin/tsc'));
  }
}

let workDir = '';
let tarball = '';
let packedFiles: string[] = [];
let consumerDir = '';

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'wsgen-package-consumer-'));

  // 1. Pack a copy of generated/ (without its node_modules or dist): prepack builds dist/.
  const packageDir = path.join(workDir, 'package');
  await cp(generatedDir, packageDir, { recursive: true, filter: (source) => !/^(node_modules|dist)$/.test(path.relative(generatedDir, source).split(path.sep)[0] ?? '') });
  await installPackageDependencies(packageDir);
  const packed = await npm(['pack', '--json', '--pack-destination', workDir], packageDir);
  const [entry] = JSON.parse(packed.stdout.slice(packed.stdout.search(/^\[/m))) as { filename: string; files: { path: string }[] }[];
  tarball = path.join(workDir, entry!.filename);
  packedFiles = entry!.files.map((file) => file.path).sort();

  // 2. A consumer project outside the repository installs the tarball (and the @types it needs
  // for the TypeScript checks, at the repository's versions so the npm cache has them).
  consumerDir = path.join(workDir, 'consumer');
  await mkdir(consumerDir);
  const typesVersion = async (name: string) => (await readJson<{ version: string }>(path.join(repoRoot, 'node_modules', name, 'package.json'))).version;
  const consumerManifest = {
    name: 'wsgen-package-consumer',
    private: true,
    version: '0.0.0',
    type: 'module',
    devDependencies: { '@types/node': await typesVersion('@types/node'), '@types/ws': await typesVersion('@types/ws') },
  };
  await writeFile(path.join(consumerDir, 'package.json'), `${JSON.stringify(consumerManifest, null, 2)}\n`);
  await cp(consumerSources, consumerDir, { recursive: true });
  await npm(['install', tarball], consumerDir);
}, 2 * NPM_TIMEOUT_MS);

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe.concurrent('the packed generated package, installed by a consumer', { timeout: TEST_TIMEOUT_MS }, () => {
  it('the tarball holds the built entry points, declarations, runtime, sources, README and package.json — nothing else', ({ expect }) => {
    for (const required of ['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts', 'dist/client.js', 'dist/client.d.ts', 'dist/server.js', 'dist/server.d.ts', 'dist/messages.js', 'dist/validators.js', 'dist/runtime/client/create-client.js', 'dist/runtime/server/create-server.js', 'dist/runtime/codes.js']) {
      expect(packedFiles, required).toContain(required);
    }
    const unexpected = packedFiles.filter((file) => !/^(package\.json|README\.md|dist\/.+\.(js|d\.ts|js\.map|d\.ts\.map)|src\/.+\.ts)$/.test(file));
    expect(unexpected, 'only dist/, src/, README.md and package.json are published').toEqual([]);
    expect(packedFiles.filter((file) => /(^|\/)(test|tests|__tests__|fixtures)\/|\.(test|spec)\.[cm]?[jt]s$/.test(file)), 'no test files').toEqual([]);
    expect(packedFiles.filter((file) => /(^|\/)(node_modules|tsconfig\.json|\.wsgen-manifest\.json)/.test(file))).toEqual([]);
  });

  it('Node ESM: imports every entry point by name; the server and client round-trip a chat message on 127.0.0.1', async ({ expect }) => {
    const { stdout } = await runOk(process.execPath, ['node-smoke.mjs'], consumerDir, 20_000);
    const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    const installed = pathToFileURL(path.join(await realpath(consumerDir), 'node_modules', PACKAGE_NAME)).href;
    expect(String(report.resolved).startsWith(`${installed}/`), `${String(report.resolved)} is the installed copy`).toBe(true);
    expect(report).toMatchObject({
      name: PACKAGE_NAME,
      valid: true,
      invalidIssues: ['/payload/content', '/payload/timestamp'],
      isChatMessage: true,
      normalClose: 1000,
      reply: { type: 'messageDelivered', payload: { conversationId: 'conv_pack', messageId: 'msg_pack1' } },
      replyValid: true,
      handled: ['chatMessage'],
      states: ['open', 'closed'],
      finalState: 'closed',
    });
  });

  it.for([
    { name: 'consumer.ts, moduleResolution node16 (module node16)', config: 'tsconfig.node16.json' },
    { name: 'consumer.ts, moduleResolution bundler (module esnext)', config: 'tsconfig.bundler.json' },
    { name: 'browser.ts, bundler, DOM only, no @types/node', config: 'tsconfig.browser.json' },
  ])('TypeScript: $name type-checks strictly; every @ts-expect-error is needed', async ({ config }, { expect }) => {
    const result = await run(process.execPath, [tscBin, '-p', config, '--pretty', 'false'], consumerDir, TOOL_TIMEOUT_MS);
    expect(`${result.stdout}${result.stderr}`).toBe('');
    expect(result.code).toBe(0);
  });

  it(`esbuild: the client + validators bundle for the browser has no ws or node: code and is under ${BUNDLE_LIMIT_BYTES / 1024} KB gzipped`, async ({ expect }) => {
    const result = await build({
      stdin: { contents: `export * from '${PACKAGE_NAME}/client';\nexport * from '${PACKAGE_NAME}/validators';\n`, resolveDir: consumerDir, sourcefile: 'browser-entry.js', loader: 'js' },
      absWorkingDir: consumerDir,
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    const text = result.outputFiles[0]!.text;
    expect(result.warnings).toEqual([]);
    expect(inputs.some((input) => input.includes(`node_modules/${PACKAGE_NAME}/dist/client.js`))).toBe(true);
    expect(inputs.filter((input) => /node_modules\/ws\//.test(input)), 'no ws package code').toEqual([]);
    expect(text.match(/.{0,40}node:.{0,40}/g) ?? [], 'no node: imports').toEqual([]);

    const gzipBytes = gzipSync(text, { level: 9 }).length;
    const record = { entry: [`${PACKAGE_NAME}/client`, `${PACKAGE_NAME}/validators`], platform: 'browser', minifiedBytes: Buffer.byteLength(text), gzipBytes, gzipLevel: 9, limitBytes: BUNDLE_LIMIT_BYTES };
    await mkdir(path.join(repoRoot, 'test/artifacts'), { recursive: true });
    await writeFile(path.join(repoRoot, 'test/artifacts/bundle-size.json'), `${JSON.stringify(record, null, 2)}\n`);
    expect(gzipBytes).toBeLessThan(BUNDLE_LIMIT_BYTES);
  });

  it(`${PUBLINT} reports nothing, not even suggestions`, async ({ expect }) => {
    const result = await run('npx', ['--yes', '--prefer-offline', PUBLINT, 'run', tarball, '--strict', '--level', 'suggestion'], repoRoot, TOOL_TIMEOUT_MS);
    expect(result.stdout, result.stderr).toContain('All good!');
    expect(result.code).toBe(0);
  });

  // ESM-only by design ("type": "module", exports without a "require" condition): CommonJS
  // resolution legitimately fails — `node16-cjs` sees CJSResolvesToESM (require() of ESM), and
  // `node10` ignores "exports", so the subpaths are NoResolution. `--profile esm-only` ignores
  // exactly those two resolution modes; node16 (ESM) and bundler must be clean.
  it(`${ATTW} (--profile esm-only): node16 ESM and bundler resolve every entry point to matching types`, async ({ expect }) => {
    const result = await run('npx', ['--yes', '--prefer-offline', ATTW, tarball, '--profile', 'esm-only', '--format', 'json'], repoRoot, TOOL_TIMEOUT_MS);
    const analysis = JSON.parse(result.stdout) as { problems?: Record<string, { kind: string; entrypoint: string; resolutionKind?: string }[]> };
    const problems = Object.values(analysis.problems ?? {}).flat();
    const ignored = new Set(['node10', 'node16-cjs']);
    expect(problems.filter((problem) => !ignored.has(problem.resolutionKind ?? '')), 'problems for node16 (ESM) or bundler').toEqual([]);
    expect([...new Set(problems.map((problem) => problem.kind))].filter((kind) => kind !== 'CJSResolvesToESM' && kind !== 'NoResolution'), 'only the ESM-only problems in CJS modes').toEqual([]);
    expect(result.code, result.stderr).toBe(0);
  });
});
