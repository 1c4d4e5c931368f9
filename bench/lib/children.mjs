/**
 * Child processes of the bench: every child runs in its own process group, has a time limit,
 * and is killed (with its whole group) when the bench exits or is interrupted (SIGINT/SIGTERM).
 */
import { spawn } from 'node:child_process';

const live = new Set();

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

let installed = false;
function installCleanup() {
  if (installed) return;
  installed = true;
  const stopAll = (signal) => {
    for (const child of live) killGroup(child, signal);
  };
  process.on('exit', () => stopAll('SIGKILL'));
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      stopAll('SIGTERM');
      process.stderr.write(`\nbench: ${signal}: stopped ${live.size} child process(es)\n`);
      process.exit(130);
    });
  }
}

/**
 * Runs `node [nodeArgs] script [args]`, capturing its output (or passing it through with
 * `inherit`). Resolves with
 * `{ code, signal, stdout, stderr, wallMs, timedOut }`; never rejects for a non-zero exit.
 */
export function runNode(script, args = [], { nodeArgs = [], cwd = process.cwd(), timeoutMs = 10 * 60_000, env = process.env, inherit = false } = {}) {
  installCleanup();
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...nodeArgs, script, ...args], { cwd, env, detached: true, stdio: inherit ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout?.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child, 'SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      live.delete(child);
      reject(error);
    });
    child.on('close', (code, signal) => {
      const wallMs = performance.now() - started;
      clearTimeout(timer);
      live.delete(child);
      // The child's own children (e.g. esbuild's service) go with its group.
      killGroup(child, 'SIGKILL');
      resolve({ code, signal, stdout, stderr, wallMs, timedOut });
    });
  });
}

/** The JSON object a child printed after `marker`, on the last such line. */
export function readMarked(stdout, marker) {
  const line = stdout.split('\n').reverse().find((candidate) => candidate.startsWith(`${marker} `));
  if (line === undefined) throw new Error(`no ${marker} line in the child's output`);
  return JSON.parse(line.slice(marker.length + 1));
}
