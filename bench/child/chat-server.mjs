#!/usr/bin/env node
/**
 * One bench chat server process (raw `ws` baseline or generated server), plus a small control
 * endpoint on another 127.0.0.1 port through which the bench reads the process's own figures:
 *
 *   GET  /stats[?gc=1]  `{ cpuUs, cpuUserUs, cpuSystemUs, memory, counters, publishMs }`:
 *                       `process.cpuUsage()` (user + system, and each, µs),
 *                       `process.memoryUsage()` (after 3 full GCs with gc=1, which needs
 *                       --expose-gc), the server's counters, the fan-out loop durations since
 *                       the last call
 *   POST /profile/start starts V8's CPU profiler (the sampler behind --cpu-prof, 1 ms interval)
 *   POST /profile/stop  stops it and writes `<--profile-dir>/CPU.<date>.<time>.<pid>.0.001.cpuprofile`
 *                       (the name --cpu-prof would give), so the profile covers the measured
 *                       rounds only, not start-up
 *   POST /exit          answers, then closes the server and exits 0
 *
 * When listening it writes `{ kind, pid, port, controlPort }` to --ready-file (atomically).
 * It exits by itself after --max-s seconds, whatever happens to the bench.
 *
 * Usage: node --import tsx [--expose-gc] bench/child/chat-server.mjs --kind raw|generated
 *          --ready-file <path> [--max-s 900] [--max-connections <n>] [--profile-dir <dir>]
 *          [--generated <package dir, default generated/>]
 */
import { createServer as createHttpServer } from 'node:http';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { options, runMain } from '../lib/args.mjs';
import { repoRoot, writeAtomically } from '../lib/results.mjs';
import { startGeneratedServer } from './chat-server-generated.mjs';
import { startRawServer } from './chat-server-raw.mjs';

const KINDS = { raw: startRawServer, generated: startGeneratedServer };

async function main() {
  const opts = options({
    kind: { type: 'string', default: 'raw' },
    'ready-file': { type: 'string', default: undefined },
    'max-s': { type: 'integer', default: 900, min: 1, max: 3600 },
    'max-connections': { type: 'integer', default: undefined, min: 1, max: 1_000_000 },
    'profile-dir': { type: 'string', default: undefined },
    generated: { type: 'string', default: path.join(repoRoot, 'generated') },
  });
  if (!Object.hasOwn(KINDS, opts.kind)) throw new RangeError(`--kind must be one of ${Object.keys(KINDS).join(', ')}; got ${JSON.stringify(opts.kind)}`);
  if (opts['ready-file'] === undefined) throw new TypeError('--ready-file is required');
  // Bounded life: never outlive a bench that died without killing us.
  setTimeout(() => {
    process.stderr.write(`bench server: --max-s ${opts['max-s']} reached, exiting\n`);
    process.exit(3);
  }, opts['max-s'] * 1000);

  let publishMs = [];
  const server = await KINDS[opts.kind]({ onPublish: (ms) => publishMs.push(ms), maxConnections: opts['max-connections'], generatedDir: path.resolve(opts.generated) });

  const control = createHttpServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const reply = (body) => response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    if (request.method === 'GET' && url.pathname === '/stats') {
      if (url.searchParams.get('gc') === '1' && typeof globalThis.gc === 'function') for (let i = 0; i < 3; i++) globalThis.gc();
      const cpu = process.cpuUsage();
      const drained = publishMs;
      publishMs = [];
      reply({ cpuUs: cpu.user + cpu.system, cpuUserUs: cpu.user, cpuSystemUs: cpu.system, memory: process.memoryUsage(), counters: server.counters(), publishMs: drained });
    } else if (request.method === 'POST' && url.pathname.startsWith('/profile/') && opts['profile-dir'] !== undefined) {
      profiler(url.pathname.slice('/profile/'.length), opts['profile-dir']).then(reply, (error) => response.writeHead(500).end(error.message));
    } else if (request.method === 'POST' && url.pathname === '/exit') {
      reply({ ok: true });
      response.on('finish', async () => {
        control.close();
        await server.close();
        process.exit(0);
      });
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise((resolve) => control.listen(0, '127.0.0.1', resolve));
  writeAtomically(opts['ready-file'], JSON.stringify({ kind: opts.kind, pid: process.pid, port: server.port, controlPort: control.address().port }));
}

let session;

/** `start` or `stop` the in-process CPU profiler; `stop` writes the profile into `dir`. */
async function profiler(action, dir) {
  if (action === 'start' && session === undefined) {
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 1000 });
    await session.post('Profiler.start');
    return { started: true };
  }
  if (action === 'stop' && session !== undefined) {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    session = undefined;
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '.').slice(0, 15);
    const file = path.join(dir, `CPU.${stamp}.${process.pid}.0.001.cpuprofile`);
    writeAtomically(file, JSON.stringify(profile));
    return { file };
  }
  throw new Error(`cannot ${action} the profiler now`);
}

runMain(main);
