/**
 * Golden files: the generated package for asyncapi.yaml (the checked-in generated/) and for each
 * fixture document (test/fixtures/<case>/expected/) must match, file by file; `npm run
 * test:update` rewrites them. Every generated package must pass `tsc --strict`.
 */
import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generate } from '../src/generate.js';
import { repoRoot, generateInto, tempDir, typeCheck } from './support/packages.js';

const fixtureCases = readdirSync(path.join(repoRoot, 'test/fixtures'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(path.join(repoRoot, 'test/fixtures', entry.name, 'asyncapi.yaml')))
  .map((entry) => ({ name: entry.name, input: `test/fixtures/${entry.name}/asyncapi.yaml`, expected: `test/fixtures/${entry.name}/expected` }));

const cases = [{ name: 'petstore-chat (asyncapi.yaml → generated/)', input: 'asyncapi.yaml', expected: 'generated' }, ...fixtureCases];

const disposers: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(disposers.map((dispose) => dispose()));
});

describe.each(cases)('$name', ({ input, expected }) => {
  let outDir = '';
  let files: { path: string; contents: string }[] = [];

  it('generates the expected files', async () => {
    const temp = await tempDir();
    disposers.push(temp.dispose);
    const generated = await generateInto(input, temp.dir, { packageName: expected === 'generated' ? undefined : undefined });
    outDir = generated.outDir;
    files = generated.result.files;
    expect(files.length).toBeGreaterThan(5);
    for (const file of files.filter((candidate) => !candidate.path.startsWith('src/runtime/'))) {
      await expect(file.contents).toMatchFileSnapshot(path.join(repoRoot, expected, file.path));
    }
  });

  it('type-checks under tsc --strict', async () => {
    expect(outDir).not.toBe('');
    expect(await typeCheck(path.join(outDir, 'tsconfig.json'))).toBe('');
  }, 120_000);

  it('is deterministic: a second generation is byte-identical', async () => {
    const temp = await tempDir();
    disposers.push(temp.dispose);
    const again = await generateInto(input, temp.dir);
    expect(again.result.files.map((file) => [file.path, file.contents])).toEqual(files.map((file) => [file.path, file.contents]));
  });

  it('does not depend on the validation cache (a validating parse gives the same files)', async () => {
    const temp = await tempDir();
    disposers.push(temp.dispose);
    const uncached = await generate({ input: path.join(repoRoot, input), outDir: path.join(temp.dir, 'pkg'), cache: false });
    expect(uncached.files.map((file) => [file.path, file.contents])).toEqual(files.map((file) => [file.path, file.contents]));
  });

  it('names every type after the document, never AnonymousSchema', () => {
    const messages = files.find((file) => file.path === 'src/messages.ts')?.contents ?? '';
    expect(messages).toMatch(/export (interface|type) /);
    expect(messages).not.toMatch(/AnonymousSchema|reservedType|: any\b|Record<string, never>/);
  });
});

describe('the same message written out under several channels', () => {
  it('is one message: one type, one validator, in every channel union', async () => {
    const temp = await tempDir();
    disposers.push(temp.dispose);
    const doc = path.join(temp.dir, 'asyncapi.yaml');
    const channel = (name: string) => `  ${name}:
    address: /${name}
    messages:
      ping: { payload: { type: object, properties: { type: { const: ping } }, required: [type] } }
      ErrorResponse: { payload: { $ref: '#/components/schemas/ErrorResponse' } }
`;
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      doc,
      `asyncapi: 3.0.0
info: { title: Repeated, version: 1.0.0 }
servers: { local: { host: localhost, protocol: ws } }
channels:
${channel('alpha')}${channel('beta')}
operations:
  alphaError: { action: send, channel: { $ref: '#/channels/alpha' }, messages: [{ $ref: '#/channels/alpha/messages/ErrorResponse' }] }
  betaError: { action: send, channel: { $ref: '#/channels/beta' }, messages: [{ $ref: '#/channels/beta/messages/ErrorResponse' }] }
components:
  schemas:
    ErrorResponse: { type: object, properties: { code: { type: integer } }, required: [code] }
`,
    );
    const { result, outDir } = await generateInto(doc, temp.dir);
    expect(result.ir.messages.filter((message) => message.id === 'ErrorResponse')).toHaveLength(1);
    const standalone = result.files.find((file) => file.path === 'src/validators-standalone.ts')?.contents ?? '';
    expect(standalone.match(/export const message_ErrorResponse\b/g)).toHaveLength(1);
    // The inline `ping` payloads are separate schemas, so those messages stay apart.
    expect(result.ir.messages.filter((message) => message.id === 'ping')).toHaveLength(2);
    expect(await typeCheck(outDir)).toBe('');
  });
});
