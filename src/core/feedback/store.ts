// Writing side of the log: one durable append per event, and moving a log aside for "Clear Feedback Log".
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { FeedbackEvent } from './types';
import { appendLineToFile } from '../jsonl/append';
import { assertFeedbackEvent } from './validate';

export class FeedbackLog {
  constructor(readonly path: string) {}

  /**
   * Appends one event as one line: a single O_APPEND write, so concurrent writers never interleave,
   * then fdatasync, so the event is on disk when the promise resolves; a torn tail a crash left is
   * ended first (see core/jsonl/append). The file is opened per append (not held open) so that after the
   * log is moved to a backup, the next event starts a fresh log instead of landing in the backup.
   */
  async append(event: FeedbackEvent): Promise<void> {
    assertFeedbackEvent(event);
    // JSON.stringify escapes newlines inside strings, so the event is exactly one line.
    await appendLineToFile(this.path, JSON.stringify(event));
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
