/**
 * The validation cache never hides an error: any change to the document or to a file it
 * `$ref`s is validated again; a hit replays the warnings; --no-cache bypasses it.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { documentKey, lookupValidated } from '../src/validation-cache.js';
import { runCli } from './support/cli.js';
import { tempDir } from './support/packages.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

const main = `asyncapi: 3.0.0
info: { title: Cached, version: 1.0.0 }
channels:
  chat:
    address: /chat
    messages:
      hello: { payload: { $ref: './schemas.yaml#/Hello' } }
operations:
  receiveHello:
    action: receive
    channel: { $ref: '#/channels/chat' }
`;
const schemas = `Hello:
  type: object
  properties: { text: { type: string } }
`;

describe('validation cache', () => {
  it('records a valid document, keyed by it and every file it references', async () => {
    const temp = await tempDir();
    cleanups.push(temp.dispose);
    await mkdir(path.join(temp.dir, 'node_modules'));
    await writeFile(path.join(temp.dir, 'asyncapi.yaml'), main);
    await writeFile(path.join(temp.dir, 'schemas.yaml'), schemas);
    const first = await runCli(temp.dir, 'generate', '-o', 'out');
    expect(first.code).toBe(0);
    const key = await documentKey(path.join(temp.dir, 'asyncapi.yaml'));
    expect(await lookupValidated(key, path.join(temp.dir, 'node_modules/.cache/wsgen'))).toEqual([]);

    // A change in the referenced file alone changes the key, and its error is reported.
    await writeFile(path.join(temp.dir, 'schemas.yaml'), 'Hello: { type: 42 }\n');
    expect(await documentKey(path.join(temp.dir, 'asyncapi.yaml'))).not.toBe(key);
    const broken = await runCli(temp.dir, 'generate', '-o', 'out');
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/WSGEN_E_INVALID_ASYNCAPI/);

    // Back to the validated content: a hit, same output.
    await writeFile(path.join(temp.dir, 'schemas.yaml'), schemas);
    const again = await runCli(temp.dir, 'generate', '-o', 'out');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/0 written/);
  });

  it('never caches an invalid document, and --no-cache validates again', async () => {
    const temp = await tempDir();
    cleanups.push(temp.dispose);
    await mkdir(path.join(temp.dir, 'node_modules'));
    await writeFile(path.join(temp.dir, 'schemas.yaml'), schemas);
    await writeFile(path.join(temp.dir, 'asyncapi.yaml'), main.replace('address: /chat', 'address: 42'));
    for (let i = 0; i < 2; i++) expect((await runCli(temp.dir, 'generate', '-o', 'out')).code).toBe(1);
    expect(await lookupValidated(await documentKey(path.join(temp.dir, 'asyncapi.yaml')), path.join(temp.dir, 'node_modules/.cache/wsgen'))).toBeUndefined();
    await writeFile(path.join(temp.dir, 'asyncapi.yaml'), main);
    expect((await runCli(temp.dir, 'generate', '-o', 'out', '--no-cache')).code).toBe(0);
    expect(await lookupValidated(await documentKey(path.join(temp.dir, 'asyncapi.yaml')), path.join(temp.dir, 'node_modules/.cache/wsgen'))).toBeUndefined();
    expect(JSON.parse(await readFile(path.join(temp.dir, 'out/package.json'), 'utf8'))).toMatchObject({ name: 'cached' });
  });
});
