// Worker thread: runs @asyncapi/parser's rules on a large document for src/parse.ts, on the
// second core, while the main thread parses without rules and goes on rendering. Plain
// JavaScript, so the same file runs from src/ (tests) and from the built CLI.
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';

// The parser's ESM build has extensionless imports that Node cannot load; its CJS build works.
const { Parser, fromFile } = createRequire(import.meta.url)('@asyncapi/parser');

parentPort.on('message', async ({ id, file, parserOptions, validateOptions }) => {
  try {
    // Rules only: the main thread's own parse builds the document (and reports what that finds).
    const diagnostics = await fromFile(new Parser(parserOptions), file).validate(validateOptions);
    // Only the plain fields cross the thread boundary.
    const plain = diagnostics.map(({ code, message, path, severity, range, source }) => ({ code, message, path, severity, range, source }));
    parentPort.postMessage({ id, result: plain });
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
