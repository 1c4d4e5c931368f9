/**
 * The benchmark suite on tiny sizes (bench/smoke.mjs), so `npm run bench` cannot rot. The
 * benchmarks themselves are not part of `npm test`: their figures live in BENCHMARKS.md.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { repoRoot } from './support/packages.js';

const run = promisify(execFile);

it('every benchmark part runs end to end on tiny sizes', async () => {
  const { stdout } = await run(process.execPath, [path.join(repoRoot, 'bench/smoke.mjs')], { cwd: repoRoot, timeout: 240_000, maxBuffer: 32 * 1024 * 1024 });
  expect(stdout).toMatch(/^bench smoke: 7 passed, 0 failed$/m);
  expect(stdout).not.toMatch(/^FAIL/m);
}, 260_000);
