import { execFileSync } from 'node:child_process';

/** Builds dist/ once so tests that run the real `wsgen` binary see the current sources. */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
