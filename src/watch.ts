/**
 * `wsgen generate --watch`: regenerates when the document or any local file it `$ref`s changes.
 * A broken edit prints its errors and keeps watching; output is only ever replaced whole (the
 * writer is atomic), so a failed run leaves the previous generation in place.
 */
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

/**
 * Calls `run` whenever one of the files `filesOf()` returns changes (debounced), re-reading the
 * file set after each run so new `$ref`s are picked up. Calls `onReady` once the watchers are in
 * place (a change before that could be missed). Resolves when `signal` aborts.
 */
export async function watchFiles(filesOf: () => Promise<Set<string>>, run: (changed: string) => Promise<void>, signal: AbortSignal, options: { debounceMs?: number; onReady?: () => void } = {}): Promise<void> {
  const debounceMs = options.debounceMs ?? 20;
  let watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let pending: string | undefined;

  let watched = '';
  const rewatch = async (): Promise<void> => {
    const files = await filesOf();
    const key = [...files].sort().join('\n');
    // Same files: keep the watchers, so no change can slip through a gap between close and reopen.
    if (key === watched) return;
    watched = key;
    const folders = new Map<string, Set<string>>();
    for (const file of files) {
      const names = folders.get(path.dirname(file)) ?? new Set<string>();
      names.add(path.basename(file));
      folders.set(path.dirname(file), names);
    }
    const previous = watchers;
    // Watch folders, not files: editors replace files by renaming, which ends a file watch. The new
    // watchers are open before the old ones close.
    watchers = [...folders].map(([folder, names]) =>
      watch(folder, (_event, name) => {
        if (name === null || !names.has(name.toString())) return;
        pending = path.join(folder, name.toString());
        clearTimeout(timer);
        timer = setTimeout(() => {
          const changed = pending ?? folder;
          pending = undefined;
          running = running.then(() => run(changed)).then(rewatch, rewatch);
        }, debounceMs);
      }),
    );
    for (const watcher of previous) watcher.close();
  };

  await rewatch();
  options.onReady?.();
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  clearTimeout(timer);
  await running.catch(() => undefined);
  for (const watcher of watchers) watcher.close();
}
