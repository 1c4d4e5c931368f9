/** Runs the wsgen CLI in-process, in a given working folder, capturing its output. */
import { run } from '../../src/cli.js';

/** Exit code and captured output of one CLI run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `wsgen <argv>` with `cwd` as the working folder. */
export async function runCli(cwd: string, ...argv: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const previous = process.cwd();
  process.chdir(cwd);
  try {
    const code = await run(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
    return { code, stdout, stderr };
  } finally {
    process.chdir(previous);
  }
}
