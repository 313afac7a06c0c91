// The engine process must never outlive the CLI or the editor that started it: it holds gigabytes of model
// memory and, on a hostile file, may spin in native code. The IPC channel's 'disconnect' is the first sign
// (handled in engine-process.ts); this is the backstop for when the main thread cannot hear it because
// native code or a long loop holds it. A worker thread has its own event loop, so it keeps watching, and
// when the parent has been gone for `graceMs` (time for the main thread's own orderly exit) it kills the
// whole process.
import { Worker } from 'node:worker_threads';

export interface ParentWatchOptions {
  /** The parent to watch; default process.ppid now. */
  ppid?: number;
  /** How often to look (default 500 ms). */
  intervalMs?: number;
  /** How long the parent must have been gone before the kill (default 3 s). */
  graceMs?: number;
}

// Plain JavaScript run by the worker (eval: the engine is bundled and ships no separate worker file).
// The parent is gone when this process has been re-parented (POSIX: to init or a subreaper), or when the
// parent's pid no longer exists (Windows keeps the old ppid).
const WATCHER = `
const { workerData } = require('node:worker_threads');
const { ppid, intervalMs, graceMs } = workerData;
function alive() {
  if (process.ppid !== ppid) return false;
  try { process.kill(ppid, 0); return true; } catch (err) { return err && err.code === 'EPERM'; }
}
let goneSince;
setInterval(() => {
  if (alive()) { goneSince = undefined; return; }
  goneSince = goneSince === undefined ? Date.now() : goneSince;
  if (Date.now() - goneSince >= graceMs) process.kill(process.pid, 'SIGKILL');
}, intervalMs);
`;

/** Starts the watcher; it never keeps the process alive by itself. */
export function watchParent(options: ParentWatchOptions = {}): { stop(): Promise<void> } {
  const ppid = options.ppid ?? process.ppid;
  const worker = new Worker(WATCHER, {
    eval: true,
    workerData: { ppid, intervalMs: options.intervalMs ?? 500, graceMs: options.graceMs ?? 3000 },
    // The watcher needs almost nothing: keep its heap small.
    resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 1 },
  });
  worker.unref();
  return {
    stop: async () => {
      await worker.terminate();
    },
  };
}
