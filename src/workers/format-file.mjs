// Worker thread: formats files with prettier for src/format.ts, so the largest generated files
// are formatted on the second core while the main thread renders and formats the rest.
// Plain JavaScript, so the same file runs from src/ (tests) and from the built CLI.
import { parentPort } from 'node:worker_threads';
import * as prettier from 'prettier';

parentPort.on('message', async ({ id, contents, options }) => {
  try {
    parentPort.postMessage({ id, result: await prettier.format(contents, options) });
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
