// Whether a process still runs, for the tests that check the engine never outlives what started it.
import { readFileSync } from 'node:fs';

/** True while `pid` runs; a zombie (dead, not yet reaped by whoever adopted it) counts as gone. */
export function isRunning(pid: number): boolean {
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      return state !== 'Z' && state !== 'X';
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Resolves once `pid` is gone; false if it still runs after `limitMs`. The limit only keeps a failing test
 * from hanging: the callers assert that the process goes, not how fast.
 */
export async function waitUntilGone(pid: number, limitMs = 20_000): Promise<boolean> {
  const until = Date.now() + limitMs;
  while (isRunning(pid)) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}
