// Writing side of the log: one O_APPEND write per event, and moving a log aside for "Clear Feedback Log".
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { FeedbackEvent } from './types';
import { assertFeedbackEvent } from './validate';

export class FeedbackLog {
  constructor(readonly path: string) {}

  /**
   * Appends one event as one line with a single write (O_APPEND), so concurrent writers never interleave.
   * The file is opened per append (not held open) so that after the log is moved to a backup, the next
   * event starts a fresh log instead of landing in the backup.
   */
  async append(event: FeedbackEvent): Promise<void> {
    assertFeedbackEvent(event);
    // JSON.stringify escapes newlines inside strings, so the event is exactly one line.
    const data = Buffer.from(`${JSON.stringify(event)}\n`, 'utf8');
    await fs.mkdir(path.dirname(this.path), { recursive: true });
    const handle = await fs.open(this.path, 'a');
    try {
      let offset = 0;
      // A regular-file write is whole in practice; the loop only guards against a short write so no bytes are dropped.
      while (offset < data.length) {
        const { bytesWritten } = await handle.write(data, offset, data.length - offset);
        offset += bytesWritten;
      }
    } finally {
      await handle.close();
    }
  }
}

function stamp(now: Date): string {
  return now.toISOString().slice(0, 19).replace(/:/g, '-');
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Moves the log to a dated backup beside it (feedback.jsonl → feedback.2026-11-26T23-40-00.jsonl, UTC)
 * and returns the backup's path, or undefined when there is no log yet. Nothing is deleted: an existing
 * backup with the same name is never overwritten (a counter is added instead).
 */
export async function backupLog(file: string, now: Date = new Date()): Promise<string | undefined> {
  if (!(await exists(file))) return undefined;
  const { dir, name, ext } = path.parse(file);
  const base = path.join(dir, `${name}.${stamp(now)}`);
  for (let n = 0; n < 1000; n++) {
    const candidate = `${base}${n === 0 ? '' : `-${n}`}${ext || '.jsonl'}`;
    if (await exists(candidate)) continue;
    await fs.rename(file, candidate);
    return candidate;
  }
  throw new Error(`cannot back up ${file}: too many backups named ${base}*`);
}
