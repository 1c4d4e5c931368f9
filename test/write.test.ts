/** Stage `write`: stays inside the output folder, and writes all or nothing. */
import { chmod, readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compareOutput, shortDiff, writeOutput } from '../src/write.js';
import { WsgenError } from '../src/errors.js';
import { tempDir } from './support/packages.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

describe('writeOutput', () => {
  it.each(['../escape.ts', '/etc/passwd', 'src/../../escape.ts'])('refuses to write %s outside the output folder', async (file) => {
    const temp = await tempDir();
    cleanups.push(temp.dispose);
    await expect(writeOutput(path.join(temp.dir, 'out'), [{ path: file, contents: 'x' }])).rejects.toThrow(WsgenError);
    expect(await readdir(temp.dir)).toEqual([]);
  });

  it('creates a new folder in one rename and leaves no temporary files', async () => {
    const temp = await tempDir();
    cleanups.push(temp.dispose);
    const report = await writeOutput(path.join(temp.dir, 'out'), [{ path: 'a.ts', contents: 'a' }, { path: 'src/b.ts', contents: 'b' }]);
    expect(report.written).toEqual(['a.ts', 'src/b.ts']);
    expect((await readdir(temp.dir)).sort()).toEqual(['out']);
    expect((await readdir(path.join(temp.dir, 'out'))).sort()).toEqual(['.wsgen-manifest.json', 'a.ts', 'src']);
  });

  it('changes nothing when a write fails half-way', async () => {
    const temp = await tempDir();
    cleanups.push(temp.dispose);
    const out = path.join(temp.dir, 'out');
    await writeOutput(out, [{ path: 'a.ts', contents: 'old a' }, { path: 'b.ts', contents: 'old b' }]);
    await mkdir(path.join(out, 'c.ts')); // a folder in the way of a file: its write fails
    await chmod(out, 0o755);
    await expect(writeOutput(out, [{ path: 'a.ts', contents: 'new a' }, { path: 'c.ts', contents: 'c' }, { path: 'b.ts', contents: 'new b' }])).rejects.toThrow(/nothing was changed/);
    expect(await readFile(path.join(out, 'a.ts'), 'utf8')).toBe('old a');
    expect(await readFile(path.join(out, 'b.ts'), 'utf8')).toBe('old b');
    expect((await readdir(out)).filter((name) => name.includes('wsgen-tmp'))).toEqual([]);
  });

  it('reports missing, changed and stale files without writing', async () => {
    const temp = await tempDir();
    cleanups.push(temp.dispose);
    const out = path.join(temp.dir, 'out');
    await writeOutput(out, [{ path: 'a.ts', contents: 'a\n' }, { path: 'gone.ts', contents: 'g' }]);
    await writeFile(path.join(out, 'a.ts'), 'edited\n');
    const differences = await compareOutput(out, [{ path: 'a.ts', contents: 'a\n' }, { path: 'new.ts', contents: 'n' }]);
    expect(differences.map((difference) => [difference.path, difference.kind])).toEqual([
      ['a.ts', 'changed'],
      ['new.ts', 'missing'],
      ['.wsgen-manifest.json', 'changed'],
      ['gone.ts', 'stale'],
    ]);
    expect(await readFile(path.join(out, 'a.ts'), 'utf8')).toBe('edited\n');
  });
});

describe('shortDiff', () => {
  it('shows the first differing region with context', () => {
    expect(shortDiff('1\n2\n3\n4\n', '1\n2\nthree\n4\n')).toBe('@@ line 3 @@\n  1\n  2\n- 3\n+ three');
  });
});
