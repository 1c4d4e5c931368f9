/** The config file (wsgen.config.json) and `wsgen generate --watch`. */
import { spawn } from 'node:child_process';
import { copyFile, readFile, writeFile, access } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { repoRoot, tempDir } from './support/packages.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

const cliIn = runCli;

const exists = (file: string): Promise<boolean> => access(file).then(() => true, () => false);

describe('wsgen.config.json', () => {
  it('generates every input with its package name and artifacts; flags override a single input', async () => {
    const temp = await tempDir();
    cleanups.push(temp.dispose);
    await copyFile(path.join(repoRoot, 'asyncapi.yaml'), path.join(temp.dir, 'chat.yaml'));
    await copyFile(path.join(repoRoot, 'test/fixtures/v2-game-lobby/asyncapi.yaml'), path.join(temp.dir, 'lobby.yaml'));
    await writeFile(path.join(temp.dir, 'wsgen.config.json'), JSON.stringify({
      inputs: [
        { input: 'chat.yaml', output: 'out/chat-client', packageName: '@acme/chat-client', emit: ['types', 'validators', 'client'] },
        { input: 'lobby.yaml', output: 'out/lobby', packageVersion: '2.0.0' },
      ],
    }));
    const result = await cliIn(temp.dir, 'generate');
    expect(result.stderr.replace(/wsgen: warning: .*\n/g, '')).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.match(/wsgen: 1 document/g)).toHaveLength(2);
    const chat = JSON.parse(await readFile(path.join(temp.dir, 'out/chat-client/package.json'), 'utf8')) as { name: string; exports: Record<string, unknown> };
    expect(chat.name).toBe('@acme/chat-client');
    expect(Object.keys(chat.exports)).toContain('./client');
    expect(Object.keys(chat.exports)).not.toContain('./server');
    expect(await exists(path.join(temp.dir, 'out/chat-client/src/server.ts'))).toBe(false);
    expect(await exists(path.join(temp.dir, 'out/chat-client/src/runtime/server/create-server.ts'))).toBe(false);
    const lobby = JSON.parse(await readFile(path.join(temp.dir, 'out/lobby/package.json'), 'utf8')) as { version: string };
    expect(lobby.version).toBe('2.0.0');
    expect(await exists(path.join(temp.dir, 'out/lobby/src/server.ts'))).toBe(true);

    const ambiguous = await cliIn(temp.dir, 'generate', '-o', 'elsewhere');
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toMatch(/the config has 2 inputs.*\[WSGEN_E_INVALID_OPTION\]/);
  });

  it('rejects unknown options with a suggestion', async () => {
    const temp = await tempDir();
    cleanups.push(temp.dispose);
    await writeFile(path.join(temp.dir, 'wsgen.config.json'), JSON.stringify({ input: 'a.yaml', packgeName: 'x' }));
    const result = await cliIn(temp.dir, 'generate');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/wsgen\.config\.json \(#\/packgeName\): unknown option "packgeName"; did you mean "packageName"\? \[WSGEN_E_INVALID_OPTION\]/);
    await writeFile(path.join(temp.dir, 'wsgen.config.json'), JSON.stringify({ input: 'a.yaml', emit: ['server', 'docs'] }));
    expect((await cliIn(temp.dir, 'generate')).stderr).toMatch(/"emit" must be an array of: types, validators, server, client/);
  });
});

describe('--watch', () => {
  it('regenerates on change, survives a broken edit without touching the output, and stops on SIGINT', async () => {
    const temp = await tempDir();
    cleanups.push(temp.dispose);
    const doc = path.join(temp.dir, 'asyncapi.yaml');
    const original = await readFile(path.join(repoRoot, 'asyncapi.yaml'), 'utf8');
    await writeFile(doc, original);
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin/wsgen.js'), 'generate', 'asyncapi.yaml', '-o', 'out', '--watch'], { cwd: temp.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const until = async (condition: () => boolean, what: string): Promise<void> => {
      const deadline = Date.now() + 30_000;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stdout: ${stdout}; stderr: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    };
    await until(() => stdout.includes('watching'), 'first generation');
    const messages = path.join(temp.dir, 'out/src/messages.ts');

    await writeFile(doc, original.replace('Real-time customer-support chat', 'Real-time WATCHED support chat'));
    await until(() => (stdout.match(/→ out: /g) ?? []).length >= 2, 'regeneration');
    expect(await readFile(path.join(temp.dir, 'out/README.md'), 'utf8')).toContain('WATCHED');

    const before = await readFile(messages, 'utf8');
    await writeFile(doc, original.replace('  chat:\n    address: /ws/chat', '  chat:\n    address: [broken'));
    await until(() => /wsgen: .*asyncapi\.yaml:\d+:\d+/.test(stderr), 'error report');
    expect(await readFile(messages, 'utf8')).toBe(before);
    expect(child.exitCode).toBe(null); // still watching

    await writeFile(doc, original);
    await until(() => (stdout.match(/→ out: /g) ?? []).length >= 3, 'recovery');
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
  }, 90_000);
});
