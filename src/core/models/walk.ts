// A bounded walk for *.gguf files under one source folder. Limits on depth and on entries looked at keep
// a huge or deep tree from stalling the scan; a folder reached twice through symlinks (a loop) is walked
// once; what cannot be read is reported and the walk goes on.
import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

export interface WalkLimits {
  /** Folder levels below the root that are looked into. */
  maxDepth: number;
  /** Directory entries looked at, in all, before the walk stops. */
  maxEntries: number;
}

export const DEFAULT_WALK_LIMITS: WalkLimits = { maxDepth: 6, maxEntries: 50_000 };

export interface WalkResult {
  /** The matching files (their path as found, under the root), in a stable order. */
  files: string[];
  /** Folders that could not be read, and the walk's own stop, as "path: why". */
  problems: Array<{ path: string; message: string }>;
}

/** Folders never worth a look: caches' content stores and lock folders, version control, hidden ones. */
function skipDir(name: string): boolean {
  return name.startsWith('.') || name === 'blobs' || name === 'node_modules' || /^(datasets|spaces)--/.test(name);
}

/** Why a folder could not be read, in a writer's words. */
export function readProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOTDIR') return 'not a folder';
  if (code === 'ELOOP') return 'a symbolic link loop';
  return (err as Error).message;
}

/** Walks `root` for .gguf files. The root itself missing is the caller's business (it checks first). */
export function walkGguf(root: string, limits: WalkLimits = DEFAULT_WALK_LIMITS): Promise<WalkResult> {
  return walkFiles(root, (name) => /\.gguf$/i.test(name), limits);
}

/** Walks `root` for the files whose name `match` accepts. */
export async function walkFiles(
  root: string,
  match: (name: string) => boolean,
  limits: WalkLimits = DEFAULT_WALK_LIMITS,
): Promise<WalkResult> {
  const files: string[] = [];
  const problems: WalkResult['problems'] = [];
  const visited = new Set<string>();
  const queue: Array<{ dir: string; depth: number }> = [{ dir: root, depth: 0 }];
  let entries = 0;
  while (queue.length) {
    const { dir, depth } = queue.shift()!;
    let real: string;
    let list: Dirent[];
    try {
      real = await realpath(dir);
      if (visited.has(real)) continue;
      visited.add(real);
      list = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      problems.push({ path: dir, message: readProblem(err) });
      continue;
    }
    list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of list) {
      if (++entries > limits.maxEntries) {
        problems.push({
          path: root,
          message: `stopped after looking at ${limits.maxEntries} entries; models further in are not listed`,
        });
        return { files, problems };
      }
      const full = path.join(dir, e.name);
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        // Hub snapshots are symlinks into blobs/; a link that leads nowhere is left out, not reported.
        const st = await stat(full).catch(() => undefined);
        isDir = st?.isDirectory() ?? false;
        isFile = st?.isFile() ?? false;
      }
      if (isFile && match(e.name)) files.push(full);
      else if (isDir && depth < limits.maxDepth && !skipDir(e.name)) queue.push({ dir: full, depth: depth + 1 });
    }
  }
  return { files, problems };
}
