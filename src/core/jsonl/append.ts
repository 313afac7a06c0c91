// Durable appends to a JSONL file, shared by the feedback log and the generate / eval samples files.
// Each append is one write (O_APPEND) followed by fdatasync, and the promise resolves only after both:
// an acknowledged line is on disk. Before writing, the file's last byte is checked: a crash mid-write
// (or a NUL-filled tail a crash left) means the file does not end in '\n', and the line is then written
// with a '\n' in front, in the same write, so it starts on its own line instead of being glued onto the
// torn one. Nothing already in the file is changed; readers skip and report the torn line.
import { promises as fs } from 'node:fs';
import path from 'node:path';

const NEWLINE = 0x0a;

/** Whether the file behind `handle` (opened for reading too) is non-empty and does not end in '\n'. */
async function hasTornTail(handle: fs.FileHandle): Promise<boolean> {
  const { size } = await handle.stat();
  if (size === 0) return false;
  const last = Buffer.alloc(1);
  const { bytesRead } = await handle.read(last, 0, 1, size - 1);
  return bytesRead === 1 && last[0] !== NEWLINE;
}

/**
 * Writes `line` (which must not contain '\n') plus '\n' at the end of the open file, terminating a torn
 * tail first, then flushes it to disk. The handle must be opened with 'a+' (append, and read for the check).
 * With two processes appending, an extra '\n' can at worst leave a blank line, which readers ignore.
 */
export async function appendLineDurably(handle: fs.FileHandle, line: string): Promise<void> {
  const prefix = (await hasTornTail(handle)) ? '\n' : '';
  const data = Buffer.from(`${prefix}${line}\n`, 'utf8');
  let offset = 0;
  // One write in practice; the loop only guards against a short write so no byte is dropped.
  while (offset < data.length) offset += (await handle.write(data, offset, data.length - offset)).bytesWritten;
  await handle.datasync();
}

/** Opens (creating the folder and file as needed), appends one line durably, closes. */
export async function appendLineToFile(file: string, line: string): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const handle = await fs.open(file, 'a+');
  try {
    await appendLineDurably(handle, line);
  } finally {
    await handle.close();
  }
}

/**
 * Keeps one file open and appends JSON values one line each, in call order; each promise resolves
 * once its line is on disk. A failed append does not stop the ones queued after it.
 */
export class JsonlAppender<T = unknown> {
  private chain: Promise<void> = Promise.resolve();

  private constructor(
    readonly file: string,
    private handle: fs.FileHandle | undefined,
  ) {}

  static async open<T = unknown>(file: string): Promise<JsonlAppender<T>> {
    return new JsonlAppender<T>(file, await fs.open(file, 'a+'));
  }

  append(value: T): Promise<void> {
    const line = JSON.stringify(value);
    const next = this.chain.then(async () => {
      if (!this.handle) throw new Error(`${this.file} is closed`);
      await appendLineDurably(this.handle, line);
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.chain;
    await this.handle?.close();
    this.handle = undefined;
  }
}
