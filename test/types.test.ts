/** Type-level tests: test/types/*.ts must compile, and each `@ts-expect-error` there must be needed. */
import path from 'node:path';
import { expect, it } from 'vitest';
import { repoRoot, typeCheck } from './support/packages.js';

it('generated types accept the wire format and reject wrong payloads', async () => {
  expect(await typeCheck(path.join(repoRoot, 'test/types/tsconfig.json'))).toBe('');
}, 120_000);
