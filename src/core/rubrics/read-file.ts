// Reads one file from a rubric folder without trusting what the folder holds: only regular files are read
// (a FIFO would block the loader forever, a device would never end), a symbolic link is followed only to
// a file inside the same folder, at most RUBRIC_LIMITS.fileBytes are read, and the bytes must be UTF-8.
import { constants } from 'node:fs';
import { lstat, open, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { RUBRIC_LIMITS, fileTooLarge } from './limits';
import type { RubricProblem } from './types';
import { errorMessage } from '../errors';

export type RubricFileRead = { text: string } | { problem: RubricProblem };

/** What a non-regular file is, in words. */
function kindOf(s: {
  isDirectory(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
}): string {
  if (s.isDirectory()) return 'a folder';
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isSocket()) return 'a socket';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/** True when `target` is `folder` itself or inside it (both real paths). */
export function isInside(folder: string, target: string): boolean {
  const rel = path.relative(folder, target);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

// O_NONBLOCK: opening a FIFO that appeared between the check and the open returns at once instead of
// waiting for a writer; O_NOFOLLOW: the checked path cannot be swapped for a link. Neither exists on
// Windows, where neither case arises in the same way.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);

/**
 * The text of `file`, an entry of the rubric folder whose real path is `folderReal`, or the problem
 * (at line 1, or at the first bad byte for text that is not UTF-8) that keeps it from being read.
 */
export async function readRubricFile(file: string, folderReal: string): Promise<RubricFileRead> {
  const problem = (message: string, line = 1, col = 1): RubricFileRead => ({ problem: { file, line, col, message } });
  let target = file;
  try {
    if ((await lstat(file)).isSymbolicLink()) {
      try {
        target = await realpath(file);
      } catch (err) {
        return problem(
          `cannot read rubric file: it is a symbolic link to something that does not exist (${errorMessage(err)})`,
        );
      }
      if (!isInside(folderReal, target)) {
        return problem(
          `refused: a symbolic link to ${target}, outside the rubric folder ${folderReal}; a link in a rubric ` +
            `folder may only point to a file inside it`,
        );
      }
    }
    const before = await stat(target);
    if (!before.isFile())
      return problem(`skipped: ${kindOf(before)}, not a regular file; a rubric must be a regular file`);
    if (before.size > RUBRIC_LIMITS.fileBytes) return problem(fileTooLarge(before.size));
    const handle = await open(target, OPEN_FLAGS);
    try {
      const opened = await handle.stat();
      if (!opened.isFile())
        return problem(`skipped: ${kindOf(opened)}, not a regular file; a rubric must be a regular file`);
      // One byte more than allowed tells a file that grew since the stat from one exactly at the limit.
      const buffer = Buffer.alloc(RUBRIC_LIMITS.fileBytes + 1);
      let length = 0;
      for (;;) {
        const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
        if (bytesRead === 0) break;
        length += bytesRead;
        if (length === buffer.length) return problem(fileTooLarge(Math.max(length, opened.size)));
      }
      return decodeUtf8(buffer.subarray(0, length), problem);
    } finally {
      await handle.close();
    }
  } catch (err) {
    return problem(`cannot read rubric file: ${errorMessage(err)}`);
  }
}

function decodeUtf8(
  bytes: Uint8Array,
  problem: (message: string, line?: number, col?: number) => RubricFileRead,
): RubricFileRead {
  try {
    // ignoreBOM keeps a leading byte-order mark in the text, so the parser is the one place that handles it.
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes) };
  } catch {
    // Where the first bad byte is: the first replacement character of a lenient decoding (a real U+FFFD
    // before it would point earlier, which is still a place to look).
    const lenient = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    const at = Math.max(0, lenient.indexOf('\ufffd'));
    const before = lenient.slice(0, at);
    const line = before.split('\n').length;
    const col = at - (before.lastIndexOf('\n') + 1) + 1;
    return problem('the file is not UTF-8 text (this is where the first invalid byte is); save it as UTF-8', line, col);
  }
}
