#!/usr/bin/env node
/**
 * Runs `node <args…>` with a higher limit on open files, for servers that hold more sockets than
 * the inherited soft limit allows: `bash -c 'ulimit -n <limit>; exec node <args…>'`. The bench
 * starts this script through `runNode`, so bash and node share its process group and die with it.
 * Fails (exit 1) when the hard limit is lower than <limit>; exits with node's status otherwise.
 *
 * Usage: node bench/child/with-ulimit.mjs <limit> <node args…>
 */
import { spawn } from 'node:child_process';

const [limit, ...nodeArgs] = process.argv.slice(2);
if (!/^[1-9][0-9]*$/.test(limit ?? '')) {
  process.stderr.write(`with-ulimit: the first argument must be a positive integer (open files), got ${JSON.stringify(limit)}\n`);
  process.exit(1);
}
const child = spawn('bash', ['-c', `ulimit -n ${limit} && exec "$0" "$@"`, process.execPath, ...nodeArgs], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)));
