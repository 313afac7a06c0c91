// A model's (or adapter's) identity is its content, not its name or path: two checkpoints saved as
// ckpt-100/model.gguf and ckpt-200/model.gguf share a file name and general.name but not their weights, and
// one file reached through a symlink is still one model. Hashing a whole multi-GB GGUF per run is too slow,
// so the fingerprint hashes what tells two files apart in practice:
//   - the file size,
//   - the first 1 MiB (the GGUF header, its metadata and the start of the tensor table),
//   - 32 blocks of 64 KiB at evenly spaced offsets (tensor data across every layer of the file),
//   - the last 64 KiB.
// A file under about 3 MiB is therefore hashed whole. It is computed once per path, size and mtime and
// cached for the life of the process.
import { createHash } from 'node:crypto';
import { open, realpath } from 'node:fs/promises';
import path from 'node:path';

/** How the fingerprint is made; stored beside it so a future scheme never compares equal to this one. */
export const FINGERPRINT_SCHEME = 'gguf-sample-v1';
const HEAD_BYTES = 1 << 20;
const BLOCK_BYTES = 64 << 10;
const BLOCKS = 32;

export interface FileFingerprint {
  /** 16 hex digits of a SHA-256 over the sampled bytes (see the top of this file). */
  fingerprint: string;
  /** The file it was computed from, after following symlinks. */
  realPath: string;
  size: number;
}

const cache = new Map<string, Promise<FileFingerprint>>();

/** The content fingerprint of `file` (cached by path, size and modification time). */
export async function fingerprintFile(file: string): Promise<FileFingerprint> {
  const real = await realpath(path.resolve(file));
  const fh = await open(real, 'r');
  try {
    const st = await fh.stat();
    const key = JSON.stringify([real, st.size, st.mtimeMs]);
    let pending = cache.get(key);
    if (!pending) {
      pending = hashSampled(real, st.size);
      cache.set(key, pending);
      pending.catch(() => cache.delete(key));
    }
    return await pending;
  } finally {
    await fh.close();
  }
}

/** The byte ranges the fingerprint reads, merged where they overlap (a small file is read whole). */
export function sampledRanges(size: number): Array<[start: number, end: number]> {
  const ranges: Array<[number, number]> = [[0, Math.min(size, HEAD_BYTES)]];
  const span = Math.max(0, size - BLOCK_BYTES);
  for (let i = 0; i < BLOCKS; i++) {
    const start = Math.floor((span * i) / (BLOCKS - 1));
    ranges.push([start, Math.min(size, start + BLOCK_BYTES)]);
  }
  ranges.push([Math.max(0, size - BLOCK_BYTES), size]);
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else if (r[1] > r[0]) merged.push([r[0], r[1]]);
  }
  return merged;
}

async function hashSampled(real: string, size: number): Promise<FileFingerprint> {
  const hash = createHash('sha256').update(`${FINGERPRINT_SCHEME}\0${size}\0`);
  const fh = await open(real, 'r');
  try {
    for (const [start, end] of sampledRanges(size)) {
      const buf = Buffer.alloc(end - start);
      let read = 0;
      while (read < buf.length) {
        const { bytesRead } = await fh.read(buf, read, buf.length - read, start + read);
        if (!bytesRead) break;
        read += bytesRead;
      }
      hash.update(buf.subarray(0, read));
    }
  } finally {
    await fh.close();
  }
  return { fingerprint: hash.digest('hex').slice(0, 16), realPath: real, size };
}
