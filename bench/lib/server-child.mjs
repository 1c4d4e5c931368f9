/**
 * A bench chat server (`bench/child/chat-server.mjs`, raw `ws` or generated) running in its own
 * child process for the length of a measurement: started through `runNode` (own process group,
 * time limit, killed with the bench), reached through its control endpoint, stopped cleanly.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runNode } from './children.mjs';
import { repoRoot } from './results.mjs';

const serverScript = path.join(repoRoot, 'bench', 'child', 'chat-server.mjs');
const wrapperScript = path.join(repoRoot, 'bench', 'child', 'with-ulimit.mjs');
const READY_TIMEOUT_MS = 60_000;
let counter = 0;

/** The soft limit on open files of processes started from here (`ulimit -n`). */
export function openFilesLimit() {
  try {
    const value = execFileSync('bash', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
    return value === 'unlimited' ? Infinity : Number(value);
  } catch {
    return Number.NaN;
  }
}

/**
 * Starts a server of `kind` ('raw' | 'generated'); resolves once it listens, with
 * `{ kind, url, controlUrl, pid, stats(gc?), stop() }`. `openFiles` > the current soft limit runs
 * it through `bash -c 'ulimit -n <openFiles>; exec node …'`. `nodeArgs` go to that node (e.g.
 * `--cpu-prof`); `profileDir` enables the control endpoint's in-process CPU profiler; `generated`
 * is the package a generated server comes from (default `generated/`). Throws if it exits or
 * stays silent first.
 */
export async function startServerChild(kind, scratch, { nodeArgs = [], openFiles = 0, maxConnections, profileDir, generated, timeoutMs = 20 * 60_000 } = {}) {
  const readyFile = path.join(scratch, `server-${process.pid}-${counter++}.json`);
  const args = ['--kind', kind, '--ready-file', readyFile, '--max-s', String(Math.ceil(timeoutMs / 1000))];
  if (maxConnections !== undefined) args.push('--max-connections', String(maxConnections));
  if (profileDir !== undefined) args.push('--profile-dir', profileDir);
  if (generated !== undefined) args.push('--generated', generated);
  const allNodeArgs = ['--import', 'tsx', '--expose-gc', ...nodeArgs];
  const child =
    openFiles > openFilesLimit()
      ? runNode(wrapperScript, [String(openFiles), ...allNodeArgs, serverScript, ...args], { cwd: repoRoot, timeoutMs })
      : runNode(serverScript, args, { nodeArgs: allNodeArgs, cwd: repoRoot, timeoutMs });
  let exited;
  child.then(
    (result) => (exited = result),
    (error) => (exited = { code: null, signal: null, stderr: error.message }),
  );
  const deadline = performance.now() + READY_TIMEOUT_MS;
  while (!existsSync(readyFile)) {
    if (exited !== undefined) throw new Error(`the ${kind} bench server exited before listening (exit ${exited.code ?? exited.signal}): ${exited.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    if (performance.now() > deadline) throw new Error(`the ${kind} bench server did not listen within ${READY_TIMEOUT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const ready = JSON.parse(readFileSync(readyFile, 'utf8'));
  const controlUrl = `http://127.0.0.1:${ready.controlPort}`;
  return {
    kind,
    pid: ready.pid,
    url: `ws://127.0.0.1:${ready.port}/v1/ws/chat`,
    controlUrl,
    stats: (gc = false) => fetchStats(controlUrl, gc),
    /** Asks the server to exit, then waits for it; resolves with the child's result. */
    async stop() {
      if (exited === undefined) await fetch(`${controlUrl}/exit`, { method: 'POST' }).then((response) => response.arrayBuffer()).catch(() => undefined);
      const result = await child;
      if (result.code !== 0) throw new Error(`the ${kind} bench server failed (exit ${result.code ?? result.signal}): ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      return result;
    },
  };
}

/** `GET <controlUrl>/stats`: the server process's CPU time, memory, counters and fan-out timings. */
export async function fetchStats(controlUrl, gc = false) {
  const response = await fetch(`${controlUrl}/stats${gc ? '?gc=1' : ''}`);
  if (!response.ok) throw new Error(`${controlUrl}/stats answered HTTP ${response.status}`);
  return response.json();
}
