// Cutting a torn last line off a JSONL file by its bytes. The decoded text cannot be used to find the byte
// offset: an invalid UTF-8 byte earlier in the file decodes to U+FFFD (three bytes when re-encoded), so a
// length measured on the text can lie past the end of the file, and truncate() would then pad with NUL
// bytes that were never written. The offset comes from the raw bytes, and the file only ever shrinks.
import { promises as fs } from 'node:fs';

/** Truncates `file` just after its last '\n' (to empty when it has none); never makes it longer. */
export async function cutTornTail(file: string): Promise<void> {
  const handle = await fs.open(file, 'r+');
  try {
    const { size } = await handle.stat();
    const buf = Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const { bytesRead } = await handle.read(buf, read, size - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    const end = buf.subarray(0, read).lastIndexOf(0x0a) + 1;
    if (end < read) await handle.truncate(end);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}
