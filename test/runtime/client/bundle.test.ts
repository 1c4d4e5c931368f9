import { resolve } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('browser bundle', () => {
  // Minification matters: esbuild inlines local constants, which once turned import(name) into import("ws").
  it.each([{ minify: false }, { minify: true }])('contains neither ws nor any node: module (minify: $minify)', async ({ minify }) => {
    const entry = resolve(import.meta.dirname, '../../../src/runtime/client/index.ts');
    const result = await build({ entryPoints: [entry], bundle: true, minify, platform: 'browser', format: 'esm', write: false, metafile: true, logLevel: 'silent' });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.length).toBeGreaterThan(5);
    for (const input of inputs) expect(input).toMatch(/^src\/runtime\//);
    const text = result.outputFiles[0]?.text ?? '';
    expect(text).not.toMatch(/node:|require\(|from ["']ws["']|import\(["']ws["']\)/);
    // The lazy loader survives as a dynamic import of a variable, which bundlers leave alone.
    expect(text).toMatch(/import\(\s*(\/\*[^*]*\*\/\s*)*[a-zA-Z_$][\w$]*\s*\)/);
  });
});
