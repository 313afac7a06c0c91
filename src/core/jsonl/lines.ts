// Splits a JSONL file into lines in one pass: each chunk is searched for '\n' once, and the parts of a
// line that spans chunks are kept in a list and joined once, so a single huge line costs linear time.
import { createReadStream } from 'node:fs';

/** One line of the file: its text, or why it could not be given as text. */
export interface RawLine {
  /** 1-based line number. */
  line: number;
  /** The line without its '\n' (a trailing '\r' is kept); undefined when `problem` says why not. */
  text?: string;
  /** Set for a line that cannot be JSON at all (NUL bytes, longer than the limit). */
  problem?: string;
  /** False only for a last line with no '\n' after it. */
  terminated: boolean;
  /** The line's length in bytes, without its '\n' (where a torn last line starts, for a repair). */
  bytes: number;
}

/**
 * Lines longer than this are reported, not read: a V8 string cannot hold much more, and no event of ours
 * comes near it (a whole book is a few MB).
 */
export const MAX_LINE_BYTES = 256 * 1024 * 1024;

const NUL = 0;
const NEWLINE = 10;

/**
 * Reads `file` line by line. Raw NUL bytes cannot appear in valid JSON (they must be escaped), and a
 * crash can leave the end of a file filled with them, so a line holding one is reported as such without
 * being kept in memory or decoded.
 */
export async function* readJsonlLines(file: string, maxLineBytes = MAX_LINE_BYTES): AsyncGenerator<RawLine> {
  let parts: Buffer[] = [];
  let size = 0;
  let hasNul = false;
  let lineNo = 0;

  const finish = (terminated: boolean): RawLine => {
    lineNo++;
    let result: RawLine;
    if (hasNul)
      result = {
        line: lineNo,
        problem: 'NUL bytes (the end of a write a crash left unfinished)',
        terminated,
        bytes: size,
      };
    else if (size > maxLineBytes)
      result = {
        line: lineNo,
        problem: `line longer than ${maxLineBytes} bytes (${size} bytes)`,
        terminated,
        bytes: size,
      };
    else
      result = {
        line: lineNo,
        text: (parts.length === 1 ? parts[0] : Buffer.concat(parts, size)).toString('utf8'),
        terminated,
        bytes: size,
      };
    parts = [];
    size = 0;
    hasNul = false;
    return result;
  };
  // Keeps a piece of the current line unless the line is already known to be unusable.
  const keep = (piece: Buffer): void => {
    size += piece.length;
    if (!hasNul && piece.indexOf(NUL) >= 0) hasNul = true;
    if (hasNul || size > maxLineBytes) parts = [];
    else if (piece.length > 0) parts.push(piece);
  };

  for await (const chunk of createReadStream(file)) {
    const buf = chunk as Buffer;
    let start = 0;
    let nl: number;
    while ((nl = buf.indexOf(NEWLINE, start)) >= 0) {
      keep(buf.subarray(start, nl));
      yield finish(true);
      start = nl + 1;
    }
    if (start < buf.length) keep(buf.subarray(start));
  }
  if (size > 0) yield finish(false);
}
