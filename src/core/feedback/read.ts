// Streams a JSONL feedback log, keeping every good event and reporting every bad line.
import type { FeedbackEvent } from './types';
import { validateFeedbackEvent } from './validate';
import { readJsonl } from '../jsonl/read';

export interface SkippedLine {
  line: number;
  reason: string;
}
export interface ReadLogResult {
  events: FeedbackEvent[];
  skipped: SkippedLine[];
}

/** Where an event id was first seen, shared across the logs of one read so a copy in a second log counts once. */
export type SeenIds = Map<string, { file: string; line: number }>;

export interface ReadLogOptions {
  /** Ids already read from earlier logs (filled in as this log is read). */
  seen?: SeenIds;
}

/**
 * Reads a log; corrupt or truncated lines are skipped and reported with their 1-based line numbers.
 * A torn line (a crash mid-append) costs only itself: the events before and after it are kept. An event
 * whose id was already read (earlier in this log, or in an earlier log sharing `seen`) is reported and
 * counted once. A missing file is an empty log: nothing has been recorded yet. Other I/O errors (a
 * directory, no permission) are thrown with the path, because silently treating them as empty would hide data.
 */
export async function readFeedbackLog(file: string, options: ReadLogOptions = {}): Promise<ReadLogResult> {
  const events: FeedbackEvent[] = [];
  const skipped: SkippedLine[] = [];
  const seen: SeenIds = options.seen ?? new Map();

  const read = await readJsonl(file, { missingOk: true, tornLine: 'truncated', what: 'feedback log' });
  for (const p of read.problems) skipped.push({ line: p.line, reason: p.reason });
  for (const { line, value } of read.entries) {
    const result = validateFeedbackEvent(value);
    if (!result.ok) {
      skipped.push({ line, reason: result.reason });
      continue;
    }
    const first = seen.get(result.event.id);
    if (first !== undefined) {
      const where = first.file === file ? `line ${first.line}` : `${first.file}:${first.line}`;
      skipped.push({ line, reason: `duplicate event id ${result.event.id} (first on ${where}); counted once` });
      continue;
    }
    seen.set(result.event.id, { file, line });
    events.push(result.event);
  }
  skipped.sort((a, b) => a.line - b.line);
  return { events, skipped };
}
