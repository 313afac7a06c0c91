// Streams a JSONL feedback log, keeping every good event and reporting every bad line.
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { FeedbackEvent } from './types';
import { validateFeedbackEvent } from './validate';
import { errorMessage } from '../errors';

export interface SkippedLine { line: number; reason: string }
export interface ReadLogResult { events: FeedbackEvent[]; skipped: SkippedLine[] }

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/**
 * Reads a log; corrupt or truncated lines are skipped and reported with their 1-based line numbers.
 * A missing file is an empty log: nothing has been recorded yet. Other I/O errors (a directory, no
 * permission) are thrown with the path, because silently treating them as empty would hide data.
 */
export async function readFeedbackLog(file: string): Promise<ReadLogResult> {
  const events: FeedbackEvent[] = [];
  const skipped: SkippedLine[] = [];
  const seen = new Map<string, number>();
  let lineNo = 0;

  const take = (raw: string, terminated: boolean): void => {
    lineNo++;
    let text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (lineNo === 1 && text.startsWith('\uFEFF')) text = text.slice(1);
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      // A crash or full disk mid-append leaves a last line without its newline.
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
      skipped.push({ line: lineNo, reason: `duplicate event id ${result.event.id} (first on line ${first})` });
      return;
    }
    seen.set(result.event.id, lineNo);
    events.push(result.event);
  };

  const decoder = new StringDecoder('utf8');
  let pending = '';
  try {
    for await (const chunk of createReadStream(file)) {
      pending += decoder.write(chunk as Buffer);
      let start = 0;
      let nl: number;
      while ((nl = pending.indexOf('\n', start)) >= 0) {
        take(pending.slice(start, nl), true);
        start = nl + 1;
      }
      pending = pending.slice(start);
    }
  } catch (err) {
    if (isMissing(err)) return { events: [], skipped: [] };
    throw new Error(`cannot read feedback log ${file}: ${errorMessage(err)}`);
  }
  pending += decoder.end();
  if (pending.length > 0) take(pending, false);
  return { events, skipped };
}
