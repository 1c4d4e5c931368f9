/**
 * What makes generation fast must not change what it produces or hide an error:
 * - the generation memo (src/memo.ts) gives byte-identical output to a generation without it,
 *   across edits of every kind, and really reuses work (hits) where inputs are unchanged;
 * - the validators' memo key ignores annotations only, never assertions;
 * - sharing the compiled AsyncAPI schema between parses (src/spectral-ajv-cache.ts) is in place
 *   and a later parse in the same process still reports a new error;
 * - worker threads (validation of large documents, formatting of large files) give the same
 *   output and the same errors as one thread;
 * - the quick load check leaves YAML errors, duplicate keys and alias bombs as well reported.
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generate } from '../src/generate.js';
import { loadDocument } from '../src/load.js';
import { ErrorCode } from '../src/errors.js';
import { GenerationMemo } from '../src/memo.js';
import { parseDocument } from '../src/parse.js';
import { formatFile } from '../src/format.js';
import { withoutAnnotations } from '../src/render/standalone-validators.js';
import { shareSpecSchemaCompilation } from '../src/spectral-ajv-cache.js';
import { WsgenError } from '../src/errors.js';
import { tempDir } from './support/packages.js';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

const repoRoot = path.resolve(import.meta.dirname, '..');

async function scratchCopy(): Promise<{ dir: string; doc: string; original: string }> {
  const temp = await tempDir();
  cleanups.push(temp.dispose);
  const doc = path.join(temp.dir, 'asyncapi.yaml');
  await copyFile(path.join(repoRoot, 'asyncapi.yaml'), doc);
  return { dir: temp.dir, doc, original: await readFile(doc, 'utf8') };
}

function contentsOf(files: { path: string; contents: string }[]): Record<string, string> {
  return Object.fromEntries(files.map((file) => [file.path, file.contents]));
}

describe('generation memo (watch mode)', () => {
  it('produces exactly what a fresh generation produces, edit after edit, and reuses unchanged work', { timeout: 120_000 }, async () => {
    const { dir, doc, original } = await scratchCopy();
    const memo = new GenerationMemo();
    const edits: { name: string; text: string; reused: string[]; recomputed: string[] }[] = [
      { name: 'unchanged', text: original, reused: ['payload types', 'validators'], recomputed: [] },
      { name: 'API description', text: original.replace('Real-time customer-support chat', 'Real-time chat (edited)'), reused: ['payload types', 'validators'], recomputed: [] },
      { name: 'schema description', text: original.replace('ID of a support conversation, e.g.', 'Conversation id (edited), e.g.'), reused: ['validators'], recomputed: ['payload types'] },
      { name: 'constraint', text: original.replace('maxLength: 64\n', 'maxLength: 70\n'), reused: [], recomputed: ['payload types', 'validators'] },
    ];
    const first = await generate({ input: doc, outDir: path.join(dir, 'memo'), memo });
    expect(memo.stats.misses).toBeGreaterThan(0);
    for (const edit of edits) {
      await writeFile(doc, edit.text);
      const before = { ...memo.stats };
      const counted = new Map<string, boolean>();
      const reuse = memo.reuse.bind(memo);
      memo.reuse = async (step, key, compute) => {
        let computed = false;
        const value = await reuse(step, key, () => {
          computed = true;
          return compute();
        });
        counted.set(step, computed);
        return value;
      };
      const withMemo = await generate({ input: doc, outDir: path.join(dir, 'memo'), memo });
      memo.reuse = reuse;
      const fresh = await generate({ input: doc, outDir: path.join(dir, 'fresh') });
      expect(contentsOf(withMemo.files), edit.name).toEqual(contentsOf(fresh.files));
      for (const step of edit.reused) expect(counted.get(step), `${edit.name}: ${step} reused`).toBe(false);
      for (const step of edit.recomputed) expect(counted.get(step), `${edit.name}: ${step} recomputed`).toBe(true);
      expect(memo.stats.hits, edit.name).toBeGreaterThan(before.hits);
    }
    // The constraint edit reached the validators.
    const standalone = (files: { path: string; contents: string }[]) => files.find((file) => file.path === 'src/validators-standalone.ts')?.contents ?? '';
    expect(standalone(first.files)).toMatch(/> 64\b/);
    expect(standalone((await generate({ input: doc, outDir: path.join(dir, 'memo'), memo })).files)).toMatch(/> 70\b/);
  });

  it('keeps the last good generation after a failed one', { timeout: 60_000 }, async () => {
    const { dir, doc, original } = await scratchCopy();
    const memo = new GenerationMemo();
    await generate({ input: doc, outDir: path.join(dir, 'out'), memo });
    await writeFile(doc, original.replace('maxLength: 64\n', 'maxLength: -1\n'));
    await expect(generate({ input: doc, outDir: path.join(dir, 'out'), memo })).rejects.toBeInstanceOf(WsgenError);
    await writeFile(doc, original);
    const misses = memo.stats.misses;
    await generate({ input: doc, outDir: path.join(dir, 'out'), memo });
    expect(memo.stats.misses).toBe(misses); // everything came from the generation before the failure
  });
});

describe('output independent of the working folder', () => {
  it('is the same generated from another folder (esbuild comments name node_modules/… relative to Ajv)', { timeout: 60_000 }, async () => {
    const { dir, doc } = await scratchCopy();
    const here = await generate({ input: doc, outDir: path.join(dir, 'here'), workers: false });
    const previous = process.cwd();
    process.chdir(os.tmpdir());
    try {
      const elsewhere = await generate({ input: doc, outDir: path.join(dir, 'elsewhere'), workers: false });
      expect(contentsOf(elsewhere.files)).toEqual(contentsOf(here.files));
    } finally {
      process.chdir(previous);
    }
  });
});

describe('validators memo key', () => {
  it('drops annotation keywords but keeps properties named like them and every assertion', () => {
    const schema = {
      title: 'Message',
      description: 'A chat message.',
      type: 'object',
      properties: { description: { type: 'string', description: 'text', maxLength: 5 }, title: { const: { description: 'kept' } } },
      definitions: { examples: { enum: [{ title: 'kept' }], examples: ['x'] } },
      items: [{ $comment: 'gone', minimum: 1 }],
      oneOf: [{ description: 'gone', type: 'null' }],
    };
    expect(withoutAnnotations(schema)).toEqual({
      type: 'object',
      properties: { description: { type: 'string', maxLength: 5 }, title: { const: { description: 'kept' } } },
      definitions: { examples: { enum: [{ title: 'kept' }] } },
      items: [{ minimum: 1 }],
      oneOf: [{ type: 'null' }],
    });
  });
});

describe('shared compilation of the AsyncAPI schema', () => {
  it('is in place (a dependency update that moves spectral-functions internals would turn it off)', () => {
    expect(shareSpecSchemaCompilation()).toBe(true);
  });

  it('still reports an error introduced after a valid parse in the same process', { timeout: 60_000 }, async () => {
    const { doc, original } = await scratchCopy();
    await parseDocument(await loadDocument(doc), { cache: false });
    await writeFile(doc, original.replace('    action: send\n', '    action: sned\n'));
    const error = await parseDocument(await loadDocument(doc), { cache: false }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WsgenError);
    expect((error as WsgenError).problems.some((problem) => /action/.test(`${problem.location?.jsonPath ?? ''} ${problem.message}`))).toBe(true);
  });
});

describe('user schemas compiled by the rules', () => {
  // 2.x documents have their (non-string) examples checked against their schemas: those schemas
  // are compiled by the same Spectral function whose Ajv instances spectral-ajv-cache.ts shares.
  const v2 = (maximum: number, id: string) => `asyncapi: 2.6.0
info: { title: Examples, version: 1.0.0 }
channels:
  chat:
    subscribe:
      message:
        payload: { $ref: '#/components/schemas/Code' }
components:
  schemas:
    Code:
      ${id === '' ? '' : `$id: '${id}'\n      `}type: integer
      maximum: ${maximum}
      examples: [3]
`;
  for (const id of ['', 'urn:wsgen-test:code']) {
    it(`are compiled afresh after an edit${id === '' ? '' : ' (schema with an $id)'}`, { timeout: 60_000 }, async () => {
      const temp = await tempDir();
      cleanups.push(temp.dispose);
      const doc = path.join(temp.dir, 'asyncapi.yaml');
      await writeFile(doc, v2(3, id));
      await parseDocument(await loadDocument(doc), { cache: false });
      await writeFile(doc, v2(2, id));
      const error = await parseDocument(await loadDocument(doc), { cache: false }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(WsgenError);
      expect((error as WsgenError).problems.map((problem) => problem.message).join('\n')).toMatch(/must be <= 2/);
      await writeFile(doc, v2(3, id));
      await expect(parseDocument(await loadDocument(doc), { cache: false })).resolves.toBeDefined();
    });
  }
});

describe('worker threads', () => {
  // minChars 0 sends every document to the validation worker and every file to the format worker.
  it('produce the same files as one thread', { timeout: 120_000 }, async () => {
    const { dir, doc } = await scratchCopy();
    const inWorkers = await generate({ input: doc, outDir: path.join(dir, 'workers'), cache: false, workers: { minChars: 0 } });
    const oneThread = await generate({ input: doc, outDir: path.join(dir, 'one'), cache: false, workers: false });
    expect(contentsOf(inWorkers.files)).toEqual(contentsOf(oneThread.files));
    expect(inWorkers.warnings).toEqual(oneThread.warnings);
    const v2 = path.join(repoRoot, 'test/fixtures/v2-game-lobby/asyncapi.yaml');
    const v2Workers = await generate({ input: v2, outDir: path.join(dir, 'v2-workers'), cache: false, workers: { minChars: 0 } });
    const v2One = await generate({ input: v2, outDir: path.join(dir, 'v2-one'), cache: false, workers: false });
    expect(contentsOf(v2Workers.files)).toEqual(contentsOf(v2One.files));
  });

  it('report the same errors as one thread, and write nothing', { timeout: 120_000 }, async () => {
    const { dir, doc, original } = await scratchCopy();
    await writeFile(doc, original.replace('    action: send\n', '    action: sned\n').replace('maxLength: 64\n', 'maxLength: -1\n'));
    const problems = async (workers: false | { minChars: number }, out: string) => {
      const error = await generate({ input: doc, outDir: path.join(dir, out), cache: false, workers }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(WsgenError);
      return (error as WsgenError).problems;
    };
    const inWorkers = await problems({ minChars: 0 }, 'workers');
    expect(inWorkers.length).toBeGreaterThanOrEqual(2);
    expect(inWorkers).toEqual(await problems(false, 'one'));
    await expect(readFile(path.join(dir, 'workers', 'package.json'), 'utf8')).rejects.toThrow(/ENOENT/);
  });
});

describe('a worker that cannot run', () => {
  const broken = { run: () => Promise.reject(new Error('worker unavailable')), minChars: 0 };

  it('leaves validation to this thread, errors included', { timeout: 60_000 }, async () => {
    const { doc, original } = await scratchCopy();
    const parsed = await parseDocument(await loadDocument(doc), { cache: false, validator: broken });
    expect(parsed.validation).toBeDefined();
    expect(await parsed.validation).toEqual((await parseDocument(await loadDocument(doc), { cache: false })).warnings);
    await writeFile(doc, original.replace('    action: send\n', '    action: sned\n'));
    // The error surfaces either from the parse or from its pending validation.
    const outcome = parseDocument(await loadDocument(doc), { cache: false, validator: broken }).then((result) => result.validation);
    await expect(outcome).rejects.toBeInstanceOf(WsgenError);
  });

  it('leaves formatting to this thread', async () => {
    const source = 'export const   x = {a:1,\nb:"two"}';
    expect(await formatFile('x.ts', source, broken)).toBe(await formatFile('x.ts', source));
    expect(await formatFile('x.ts', source)).toBe("export const x = { a: 1, b: 'two' };\n");
  });
});

describe('quick load check', () => {
  const header = 'asyncapi: 3.0.0\ninfo:\n  title: Quick\n  version: 1.0.0\n';
  async function write(text: string): Promise<{ dir: string; file: string }> {
    const temp = await tempDir();
    cleanups.push(temp.dispose);
    const file = path.join(temp.dir, 'doc.yaml');
    await writeFile(file, text);
    return { dir: temp.dir, file };
  }
  async function generateError(text: string): Promise<WsgenError> {
    const { dir, file } = await write(text);
    const error = await generate({ input: file, outDir: path.join(dir, 'out'), cache: false }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WsgenError);
    return error as WsgenError;
  }

  it('is taken for plain YAML and JSON, not for YAML with aliases or an unclear version', async () => {
    expect((await loadDocument((await write(`${header}channels: {}\n`)).file, undefined, { quick: true })).quick).toBe(true);
    expect((await loadDocument((await write(JSON.stringify({ asyncapi: '3.0.0', info: { title: 'Q', version: '1' } }))).file, undefined, { quick: true })).quick).toBe(true);
    expect((await loadDocument((await write(`${header}x-a: &a [1]\nx-b: *a\n`)).file, undefined, { quick: true })).quick).toBeUndefined();
    expect((await loadDocument((await write(`${header}x-doc: |\n  * a bullet, not an alias\n`)).file, undefined, { quick: true })).quick).toBe(true);
    expect(await loadDocument((await write(`asyncapi: 3.0.0\nasyncapi: 3.0.0\ninfo: {}\n`)).file, undefined, { quick: true }).catch((error: unknown) => error)).toBeInstanceOf(WsgenError);
  });

  it('still reports a YAML syntax error with its position, as the full check does', { timeout: 30_000 }, async () => {
    const error = await generateError(`${header}channels:\n  a: [1, 2\n`);
    expect(error.problems[0]?.code).toBe(ErrorCode.INVALID_YAML);
    expect(error.problems[0]?.location?.line).toBeGreaterThan(4);
  });

  it('still rejects duplicate keys', { timeout: 30_000 }, async () => {
    const error = await generateError(`${header}  title: Again\nchannels: {}\n`);
    expect(error.problems[0]?.code).toBe(ErrorCode.INVALID_YAML);
    expect(error.problems[0]?.message).toMatch(/unique|duplicate/i);
  });

  it('still stops an alias bomb before the parser sees it', { timeout: 30_000 }, async () => {
    const levels = Array.from({ length: 8 }, (_, level) => `x-a${level + 1}: &a${level + 1} [${Array(10).fill(`*a${level}`).join(', ')}]`);
    const error = await generateError(`${header}x-a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n${levels.join('\n')}\n`);
    expect(error.problems[0]?.code).toBe(ErrorCode.INVALID_YAML);
    expect(error.problems[0]?.message).toMatch(/alias/i);
  });
});
