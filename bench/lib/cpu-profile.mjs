/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time per function and per
 * package, so a benchmark can say where the time goes without opening DevTools.
 */
import { readFile } from 'node:fs/promises';

/** `node_modules/<pkg>` (scoped too), `wsgen` for our own code, `node` for built-ins. */
function ownerOf(url) {
  if (url === '') return '(native/vm)';
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match !== null) return match[1];
  if (url.startsWith('node:')) return 'node';
  return url.includes('/dist/cli.js') || url.includes('/src/') ? 'wsgen' : url.replace(/^file:\/\//, '');
}

/**
 * Reads a profile; returns the total sampled ms, the top `top` functions by
 * self time, and the top source files and packages, each `{ name, ms, share }` (share of
 * the total, 0..1).
 */
export async function summariseCpuProfile(file, { top = 5, cwd = process.cwd() } = {}) {
  const profile = JSON.parse(await readFile(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const byFunction = new Map();
  const byOwner = new Map();
  const byFile = new Map();
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const { callFrame } = nodes.get(id);
    if (callFrame.functionName === '(idle)') continue;
    totalUs += us;
    const url = callFrame.url.replace(`file://${cwd}/`, '');
    const name = `${callFrame.functionName || '(anonymous)'} ${url === '' ? '' : `${url}:${callFrame.lineNumber + 1}`}`.trim();
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    const owner = ownerOf(callFrame.url);
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + us);
    const fileName = url === '' ? '(native/vm)' : url;
    byFile.set(fileName, (byFile.get(fileName) ?? 0) + us);
  }
  const rank = (map) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), share: Number((us / totalUs).toFixed(3)) }));
  return { totalMs: Math.round(totalUs / 1000), functions: rank(byFunction), files: rank(byFile), packages: rank(byOwner) };
}
