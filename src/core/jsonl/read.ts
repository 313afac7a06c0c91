// The one JSONL reader: every JSONL file the product reads back (the feedback log, generate and eval samples)
// goes through readJsonl, and JSONL given as text (generate input, eval passages) through parseJsonlLine.
// A bad line costs only itself and is reported as file:line; a last line a kill cut off (no '\n' after it)
// can be repaired in place by a run that is about to append, so the next line does not land on a torn one.
import { promises as fs } from 'node:fs';
import { errorMessage } from '../errors';
import { readJsonlLines } from './lines';

/** A line that was not used, and why. */
export interface JsonlProblem {
  file: string;
  /** 1-based. */
  line: number;
  reason: string;
}

/** "file:line: reason", the form every report and notice uses. */
export function describeProblem(p: JsonlProblem): string {
  return `${p.file}:${p.line}: ${p.reason}`;
}

/** One good line: its value (a T as far as the reader's `check` makes it one). */
export interface JsonlEntry<T = unknown> {
  line: number;
  value: T;
}

/** What a repair did to a torn last line: gave it its newline (it was whole) or cut it off the file. */
export interface TailRepair {
  line: number;
  action: 'terminated' | 'removed';
}

export interface ReadJsonlOptions {
  /** What is wrong with a parsed value (undefined when it is a valid T); such a line becomes a problem. */
  check?: (value: unknown) => string | undefined;
  /** A missing file reads as empty (`missing` is then set) instead of failing. */
  missingOk?: boolean;
  /**
   * Mend a torn last line in the file before anything is appended to it: given its '\n' when it is whole
   * and passes the check, else cut off. Without it the file is never changed and such a line is a problem.
   */
  repairTail?: boolean;
  /** How a torn last line that is not JSON is reported; 'corrupt' (the default) like any other bad line. */
  tornLine?: 'corrupt' | 'truncated';
  /** Named in the error when the file cannot be read ("cannot read WHAT FILE: ..."). */
  what?: string;
}

export interface ReadJsonlResult<T> {
  entries: JsonlEntry<T>[];
  problems: JsonlProblem[];
  repair?: TailRepair;
  missing?: boolean;
}

/** Parses one line of JSONL text: blank (a '\r' left by CRLF and a leading BOM ignored), a value, or why not. */
export function parseJsonlLine(raw: string): { blank: true } | { value: unknown } | { error: string } {
  let text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  if (!text.trim()) return { blank: true };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (err) {
    return { error: errorMessage(err) };
  }
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/**
 * Reads `file` in one streaming pass (a huge or NUL-filled line is reported without being held in memory).
 * Throws "cannot read [what] FILE: ..." for an unreadable file (a directory, no permission): treating it as
 * empty would hide data.
 */
export async function readJsonl<T = unknown>(
  file: string,
  options: ReadJsonlOptions = {},
): Promise<ReadJsonlResult<T>> {
  const entries: JsonlEntry<T>[] = [];
  const problems: JsonlProblem[] = [];
  const problem = (line: number, reason: string): void => void problems.push({ file, line, reason });
  let offset = 0;
  let torn: { line: number; start: number; whole: boolean; reason?: string; value?: unknown } | undefined;
  try {
    for await (const raw of readJsonlLines(file)) {
      const start = offset;
      offset += raw.bytes + (raw.terminated ? 1 : 0);
      let reason: string | undefined;
      let value: unknown;
      if (raw.problem !== undefined) reason = `corrupt line: ${raw.problem}`;
      else {
        const parsed = parseJsonlLine(raw.text!);
        if ('blank' in parsed) continue;
        if ('error' in parsed) {
          reason =
            !raw.terminated && options.tornLine === 'truncated'
              ? 'truncated last line (no trailing newline and not valid JSON)'
              : `corrupt JSON: ${parsed.error}`;
        } else {
          value = parsed.value;
          reason = options.check?.(value);
        }
      }
      if (!raw.terminated && options.repairTail) {
        torn = { line: raw.line, start, whole: reason === undefined, reason, value };
        continue;
      }
      if (reason !== undefined) problem(raw.line, reason);
      else entries.push({ line: raw.line, value: value as T });
    }
  } catch (err) {
    if (options.missingOk && isMissing(err)) return { entries: [], problems: [], missing: true };
    throw new Error(`cannot read ${options.what ? `${options.what} ` : ''}${file}: ${errorMessage(err)}`);
  }
  if (!torn) return { entries, problems };
  if (torn.whole) {
    await fs.appendFile(file, '\n');
    entries.push({ line: torn.line, value: torn.value as T });
    return { entries, problems, repair: { line: torn.line, action: 'terminated' } };
  }
  await fs.truncate(file, torn.start);
  return { entries, problems, repair: { line: torn.line, action: 'removed' } };
}
