// Bundles the generator's CLI into dist/cli.js with esbuild (dependencies stay external).
// Type checking is separate (`npm run typecheck`); this build takes well under a second.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/cli.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
