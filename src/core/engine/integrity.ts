// SHA-256 checks of model files. Hashing a multi-GB model takes seconds, so a verified hash is kept in a
// small record (file size and mtime beside it) under the models directory and reused while the file is
// unchanged; any change of size or mtime hashes it again.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Where verified hashes are remembered: one JSON record per file, named by a hash of its path. */
export function hashCacheDirectory(modelsDirectory: string): string {
  return path.join(modelsDirectory, '.sha256-verified');
}

interface HashRecord {
  file: string;
  size: number;
  mtimeMs: number;
  sha256: string;
}

export async function sha256OfFile(file: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20, signal })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function recordPath(cacheDir: string, file: string): string {
  return path.join(cacheDir, `${createHash('sha256').update(path.resolve(file)).digest('hex').slice(0, 32)}.json`);
}

/**
 * The file's SHA-256 (lower-case hex): from the record when size and mtime still match, otherwise hashed
 * now and, with a cache folder, remembered. `fromCache` says which.
 */
export async function fileSha256(
  file: string,
  cacheDir: string | undefined,
  signal?: AbortSignal,
): Promise<{ sha256: string; fromCache: boolean }> {
  const st = await stat(file);
  const rec = cacheDir ? recordPath(cacheDir, file) : undefined;
  if (rec) {
    try {
      const r = JSON.parse(await readFile(rec, 'utf8')) as Partial<HashRecord>;
      if (
        r.file === path.resolve(file) &&
        r.size === st.size &&
        r.mtimeMs === st.mtimeMs &&
        typeof r.sha256 === 'string' &&
        /^[0-9a-f]{64}$/.test(r.sha256)
      ) {
        return { sha256: r.sha256, fromCache: true };
      }
    } catch {
      /* no record, or an unreadable one: hash the file */
    }
  }
  const sha256 = await sha256OfFile(file, signal);
  if (rec && cacheDir) {
    // Only a record whose file did not change while it was hashed is worth keeping.
    const after = await stat(file);
    if (after.size === st.size && after.mtimeMs === st.mtimeMs) {
      const record: HashRecord = { file: path.resolve(file), size: st.size, mtimeMs: st.mtimeMs, sha256 };
      try {
        await mkdir(cacheDir, { recursive: true });
        const tmp = `${rec}.${process.pid}.tmp`;
        await writeFile(tmp, JSON.stringify(record));
        await rename(tmp, rec);
      } catch {
        /* a read-only models folder only costs a re-hash next time */
      }
    }
  }
  return { sha256, fromCache: false };
}
