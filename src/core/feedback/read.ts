// Streams a JSONL feedback log, keeping every good event and reporting every bad line.
import type { FeedbackEvent } from './types';
import { validateFeedbackEvent } from './validate';
import { errorMessage } from '../errors';
import { readJsonlLines } from '../jsonl/lines';

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

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
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

  const take = (lineNo: number, raw: string, terminated: boolean): void => {
    let text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (lineNo === 1 && text.startsWith('\uFEFF')) text = text.slice(1);
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      // A crash or full disk mid-append leaves a line without its newline (the writer ends it before the next event).
      const reason = terminated
        ? `corrupt JSON: ${errorMessage(err)}`
        : 'truncated last line (no trailing newline and not valid JSON)';
      skipped.push({ line: lineNo, reason });
      return;
    }
    const result = validateFeedbackEvent(value);
    if (!result.ok) {
      skipped.push({ line: lineNo, reason: result.reason });
      return;
    }
    const first = seen.get(result.event.id);
    if (first !== undefined) {
      const where = first.file === file ? `line ${first.line}` : `${first.file}:${first.line}`;
      skipped.push({ line: lineNo, reason: `duplicate event id ${result.event.id} (first on ${where}); counted once` });
      return;
    }
    seen.set(result.event.id, { file, line: lineNo });
    events.push(result.event);
  };

  try {
    for await (const line of readJsonlLines(file)) {
      if (line.problem !== undefined) skipped.push({ line: line.line, reason: `corrupt line: ${line.problem}` });
      else take(line.line, line.text!, line.terminated);
    }
  } catch (err) {
    if (isMissing(err)) return { events: [], skipped: [] };
    throw new Error(`cannot read feedback log ${file}: ${errorMessage(err)}`);
  }
  return { events, skipped };
}
