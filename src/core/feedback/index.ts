// API contract (helper implements): the append-only JSONL feedback log.
import type { FeedbackEvent } from './types';
export * from './types';

export interface SkippedLine { line: number; reason: string }
export interface ReadLogResult { events: FeedbackEvent[]; skipped: SkippedLine[] }

export class FeedbackLog {
  constructor(readonly path: string) {}
  /** Appends one event as one line with a single write (O_APPEND), so concurrent writers never interleave. */
  async append(_event: FeedbackEvent): Promise<void> {
    throw new Error('not implemented');
  }
}

/** Reads a log; corrupt or truncated lines are skipped and reported with their 1-based line numbers. */
export async function readFeedbackLog(_file: string): Promise<ReadLogResult> {
  throw new Error('not implemented');
}
