// The persistent prompt-state cache: evaluated prompt prefixes (a system prompt and the start of the user
// message) saved to disk with llama.cpp's sequence state, so the first rewrite after a restart, a reload
// or a switch of style restores them in milliseconds instead of evaluating them again (seconds on a CPU).
//
// An entry is two files. NAME.kv is exactly what LlamaContextSequence.saveStateToFile wrote; NAME.json is
// our header: the whole key the state was saved under, its tokens' hash, and the size and SHA-256 of
// NAME.kv. llama.cpp does not notice a corrupt state file (flipped bytes load as garbage, a short one can
// abort the process), so no file reaches it before its header matches the key and its bytes the checksum;
// a file that fails is removed. Both files are written under temporary names and renamed into place, the
// header last, so an entry is complete once its header exists; other processes (the CLI, a second editor
// window) may share the folder. This module knows nothing of node-llama-cpp: the engine hands it a
// function that writes or loads a state file.
import { createHash, randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { errorMessage } from '../errors';
import { fingerprintFile } from './fingerprint';

/** Where the prompt cache lives when no directory is configured (shared by the editor and the CLI). */
export function defaultPromptCacheDirectory(): string {
  return path.join(os.homedir(), '.cache', 'cpt-writer', 'prompt-cache');
}

/** Room for the prefixes of several styles of a small model (a 1.5k-token prefix is ~25 MB on a 0.4B model). */
export const DEFAULT_PROMPT_CACHE_MAX_MB = 1024;

/** What a file on disk is: a rewritten, replaced or touched file gets another identity. */
export interface FileIdentity {
  path: string;
  size: number;
  mtimeMs: number;
  /** SHA-256 of the file's first `headerBytes` bytes (a GGUF's metadata and tensor table). */
  headerSha256: string;
  /**
   * The content fingerprint (./fingerprint: sampled tensor data as well as the header), so a same-shape
   * weight swap that keeps the size and mtime does not restore the old weights' state.
   */
  fingerprint: string;
}

/** Everything an evaluated prompt state depends on besides its tokens. */
export interface PromptStateKey {
  model: FileIdentity;
  adapters: Array<{ file: FileIdentity; scale: number }>;
  /** The runtime, backend and context settings, as the engine sees them (each changes the state's bytes). */
  context: Record<string, string | number | boolean>;
}

export type PromptCacheLog = (level: 'debug' | 'info' | 'warn', message: string) => void;

/** The identity of `file`, hashing its first `headerBytes` bytes (at most 16 MiB). */
export async function fileIdentity(file: string, headerBytes = 1 << 20): Promise<FileIdentity> {
  const fh = await open(file, 'r');
  try {
    const st = await fh.stat();
    const n = Math.max(0, Math.min(st.size, headerBytes, 16 << 20));
    const buf = Buffer.alloc(n);
    let read = 0;
    while (read < n) {
      const { bytesRead } = await fh.read(buf, read, n - read, read);
      if (!bytesRead) break;
      read += bytesRead;
    }
    return {
      path: path.resolve(file),
      size: st.size,
      mtimeMs: st.mtimeMs,
      headerSha256: sha256(buf.subarray(0, read)),
      fingerprint: (await fingerprintFile(file)).fingerprint,
    };
  } finally {
    await fh.close();
  }
}

const FORMAT = 'cpt-writer-prompt-state';
const VERSION = 1;
/** NAME = model path hash - model identity hash - key hash - token count - tokens hash. */
const ENTRY = /^([0-9a-f]{8})-([0-9a-f]{8})-([0-9a-f]{12})-(\d+)-([0-9a-f]{16})\.(kv|json)$/;
const TEMP = /\.tmp-\d+-[0-9a-f]+$/;
/** A temporary file this old is left over from a killed process, not a save in progress. */
const STALE_TEMP_MS = 10 * 60_000;
/** A half entry (state without header or the reverse) this old is not a save in progress either. */
const STALE_HALF_MS = 60_000;
const MAX_HEADER_BYTES = 64 * 1024;

interface EntryName {
  pathId: string;
  modelId: string;
  keyId: string;
  count: number;
  tokensId: string;
  hasHeader: boolean;
}

interface EntryHeader {
  format: typeof FORMAT;
  version: typeof VERSION;
  key: PromptStateKey;
  tokens: { count: number; sha256: string };
  state: { bytes: number; sha256: string };
}

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
const tokensSha256 = (tokens: readonly number[]): string => sha256(Buffer.from(Uint32Array.from(tokens).buffer));
const shortHash = (s: string, n: number): string => sha256(s).slice(0, n);

/** SHA-256 of a whole file, read in large blocks (a read stream's 64 KiB chunks were 3–4× slower here). */
async function hashFile(fh: FileHandle): Promise<string> {
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(4 << 20);
  for (let pos = 0; ;) {
    const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
    if (!bytesRead) break;
    hash.update(buf.subarray(0, bytesRead));
    pos += bytesRead;
  }
  return hash.digest('hex');
}

const sameFile = (a: Stats, b: Stats | undefined): boolean =>
  !!b && a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;

const sameTokens = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((t, i) => t === b[i]);

/** The outcome of a restore: how many tokens now sit in the sequence, and whether it must be reset. */
export interface RestoreOutcome {
  tokens: number;
  /** True when a load was attempted and failed: the sequence's state is unknown and must be cleared. */
  dirty: boolean;
}

/** The entries of one loaded configuration (model file, adapters, context), in a folder others may share. */
export class PromptStateCache {
  private readonly pathId: string;
  private readonly modelId: string;
  private readonly keyId: string;
  private readonly keyJson: string;
  private readonly background = new Set<Promise<void>>();
  /** Entries written but not yet published, so a second save of the same prefix does not write it again. */
  private readonly publishing = new Set<string>();
  /** Set after a save failed (a read-only or full disk): later saves are skipped rather than logged each time. */
  private saveFailed = false;

  constructor(
    readonly directory: string,
    private readonly maxBytes: number,
    private readonly key: PromptStateKey,
    private readonly log: PromptCacheLog,
  ) {
    this.keyJson = JSON.stringify(key);
    this.pathId = shortHash(key.model.path, 8);
    this.modelId = shortHash(JSON.stringify(key.model), 8);
    this.keyId = shortHash(this.keyJson, 12);
  }

  /**
   * Removes the entries of an earlier version of this model file (it was rewritten or replaced), which can
   * never match again. Entries of other settings for the same file stay: they are valid for those settings.
   */
  async removeStale(): Promise<void> {
    const names = await this.entryNames();
    let removed = 0;
    for (const [name, m] of names) {
      if (m.pathId === this.pathId && m.modelId !== this.modelId) {
        await this.removeEntry(name);
        removed++;
      }
    }
    if (removed)
      this.log(
        'info',
        `prompt cache: removed ${removed} saved prompt state(s) of ${this.key.model.path}: the model file changed ` +
          `since they were saved.`,
      );
  }

  /**
   * Loads the longest saved prefix of `tokens` with more than `above` and at most `atMost` tokens into the
   * sequence through `load` (which returns the tokens the sequence then holds). Entries that fail a check
   * are removed and the next shorter one is tried.
   */
  async restore(
    tokens: readonly number[],
    range: { above: number; atMost: number },
    load: (file: string) => Promise<readonly number[]>,
  ): Promise<RestoreOutcome> {
    const candidates = [...(await this.entryNames()).entries()]
      // A state without its header yet may be another process's save in progress: leave it to the sweep.
      .filter(
        ([, m]) =>
          m.hasHeader &&
          m.keyId === this.keyId &&
          m.pathId === this.pathId &&
          m.modelId === this.modelId &&
          m.count > range.above &&
          m.count <= Math.min(range.atMost, tokens.length),
      )
      .sort((a, b) => b[1].count - a[1].count);
    for (const [name, m] of candidates) {
      const prefix = tokens.slice(0, m.count);
      const sha = tokensSha256(prefix);
      if (!sha.startsWith(m.tokensId)) continue;
      const t0 = performance.now();
      const checked = await this.check(name, prefix.length, sha);
      if (typeof checked === 'string') {
        await this.discard(name, checked);
        continue;
      }
      const checkedMs = performance.now() - t0;
      let loaded: readonly number[];
      try {
        loaded = await load(this.file(name, 'kv'));
      } catch (err) {
        await this.discard(name, `llama.cpp could not load it (${errorMessage(err).split('\n')[0]})`);
        return { tokens: 0, dirty: true };
      }
      // Checked and loaded by path: make sure it is still the file whose bytes were checked.
      if (!sameFile(checked, await stat(this.file(name, 'kv')).catch(() => undefined))) {
        this.log(
          'warn',
          `prompt cache: ${this.file(name, 'kv')} changed while it was being loaded; evaluating the prompt instead.`,
        );
        return { tokens: 0, dirty: true };
      }
      if (!sameTokens(loaded, prefix)) {
        await this.discard(name, 'the tokens it holds are not the ones its header names');
        return { tokens: 0, dirty: true };
      }
      await this.touch(name);
      this.log(
        'info',
        `prompt cache: restored ${m.count} prompt tokens from ${this.file(name, 'kv')} in ` +
          `${(performance.now() - t0).toFixed(0)} ms (checksum ${checkedMs.toFixed(0)} ms).`,
      );
      return { tokens: m.count, dirty: false };
    }
    return { tokens: 0, dirty: false };
  }

  /** Whether an entry for exactly `tokens` exists (unchecked; restore checks it). */
  async has(tokens: readonly number[]): Promise<boolean> {
    const name = this.nameOf(tokens);
    return (
      this.publishing.has(name) ||
      stat(this.file(name, 'json')).then(
        () => true,
        () => false,
      )
    );
  }

  /**
   * Saves the state of exactly `tokens` through `write` (which must write it to the path it is given). The
   * write happens now, while the sequence holds `tokens`; checksumming and publishing continue in the
   * background (see flush).
   */
  async save(tokens: readonly number[], write: (file: string) => Promise<void>): Promise<void> {
    if (this.saveFailed) return;
    const name = this.nameOf(tokens);
    if (await this.has(tokens)) {
      await this.touch(name);
      return;
    }
    const temp = this.temp(name, 'kv');
    const t0 = performance.now();
    try {
      await mkdir(this.directory, { recursive: true });
      await write(temp);
    } catch (err) {
      await rm(temp, { force: true }).catch(() => undefined);
      this.failedToSave(err);
      return;
    }
    const writeMs = performance.now() - t0;
    this.publishing.add(name);
    const task = this.publish(name, tokens, temp, writeMs).finally(() => {
      this.publishing.delete(name);
      this.background.delete(task);
    });
    this.background.add(task);
  }

  /** Waits for saves still being checksummed and published. */
  async flush(): Promise<void> {
    while (this.background.size) await Promise.all([...this.background]);
  }

  private async publish(name: string, tokens: readonly number[], temp: string, writeMs: number): Promise<void> {
    const tempHeader = this.temp(name, 'json');
    try {
      const fh = await open(temp, 'r');
      let bytes: number;
      let stateSha: string;
      try {
        bytes = (await fh.stat()).size;
        stateSha = await hashFile(fh);
      } finally {
        await fh.close();
      }
      const header: EntryHeader = {
        format: FORMAT,
        version: VERSION,
        key: this.key,
        tokens: { count: tokens.length, sha256: tokensSha256(tokens) },
        state: { bytes, sha256: stateSha },
      };
      await writeFile(tempHeader, JSON.stringify(header));
      await rename(temp, this.file(name, 'kv'));
      await rename(tempHeader, this.file(name, 'json'));
      this.log(
        'debug',
        `prompt cache: saved ${tokens.length} prompt tokens (${(bytes / 1048576).toFixed(1)} MiB) in ` +
          `${writeMs.toFixed(0)} ms.`,
      );
      await sweepPromptCache(this.directory, this.maxBytes, this.log);
    } catch (err) {
      await rm(temp, { force: true }).catch(() => undefined);
      await rm(tempHeader, { force: true }).catch(() => undefined);
      this.failedToSave(err);
    }
  }

  private failedToSave(err: unknown): void {
    this.saveFailed = true;
    this.log(
      'warn',
      `prompt cache: could not save a prompt state in ${this.directory} (${errorMessage(err)}); not saving more ` +
        `for this model until it is loaded again.`,
    );
  }

  /** The header and state of entry `name` checked against the key and `tokens`: the state's stats, or why not. */
  private async check(name: string, count: number, tokensSha: string): Promise<Stats | string> {
    let header: unknown;
    try {
      const text = await readFile(this.file(name, 'json'), 'utf8');
      if (text.length > MAX_HEADER_BYTES) return 'its header is too large';
      header = JSON.parse(text);
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'its header is missing'
        : `its header is unreadable (${errorMessage(err)})`;
    }
    const h = header as Partial<EntryHeader>;
    if (h.format !== FORMAT || h.version !== VERSION) return 'its header is not one this version writes';
    if (JSON.stringify(h.key) !== this.keyJson)
      return `it was saved for other settings (${describeKeyDifference(h.key, this.key)})`;
    if (h.tokens?.count !== count || h.tokens.sha256 !== tokensSha) return 'it holds other prompt tokens';
    let fh;
    try {
      fh = await open(this.file(name, 'kv'), 'r');
    } catch {
      return 'its state file is missing';
    }
    try {
      const st = await fh.stat();
      if (st.size !== h.state?.bytes)
        return `its state file is ${st.size} bytes, not ${h.state?.bytes} (truncated or overwritten)`;
      if ((await hashFile(fh)) !== h.state.sha256) return 'its state file does not match its checksum (corrupt)';
      return st;
    } finally {
      await fh.close();
    }
  }

  private async discard(name: string, why: string): Promise<void> {
    await this.removeEntry(name);
    this.log(
      'warn',
      `prompt cache: ignored and removed ${this.file(name, 'kv')}: ${why}; evaluating the prompt instead.`,
    );
  }

  private async removeEntry(name: string): Promise<void> {
    // The header goes first: without it the entry is never trusted, even if removing the state fails.
    await rm(this.file(name, 'json'), { force: true }).catch(() => undefined);
    await rm(this.file(name, 'kv'), { force: true }).catch(() => undefined);
  }

  /** Marks an entry as just used (the LRU order is the headers' modification time). */
  private async touch(name: string): Promise<void> {
    const now = new Date();
    await utimes(this.file(name, 'json'), now, now).catch(() => undefined);
  }

  private nameOf(tokens: readonly number[]): string {
    return `${this.pathId}-${this.modelId}-${this.keyId}-${tokens.length}-${tokensSha256(tokens).slice(0, 16)}`;
  }

  private file(name: string, ext: 'kv' | 'json'): string {
    return path.join(this.directory, `${name}.${ext}`);
  }

  private temp(name: string, ext: 'kv' | 'json'): string {
    return `${this.file(name, ext)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  }

  /** The entries in the folder by name, from the file names alone. */
  private async entryNames(): Promise<Map<string, EntryName>> {
    const out = new Map<string, EntryName>();
    for (const f of await readdir(this.directory).catch(() => [] as string[])) {
      const m = ENTRY.exec(f);
      if (!m) continue;
      const name = f.slice(0, -(m[6].length + 1));
      const e = out.get(name) ?? {
        pathId: m[1],
        modelId: m[2],
        keyId: m[3],
        count: Number(m[4]),
        tokensId: m[5],
        hasHeader: false,
      };
      if (m[6] === 'json') e.hasHeader = true;
      out.set(name, e);
    }
    return out;
  }
}

/** Which part of two keys differs, for the log line. */
function describeKeyDifference(saved: PromptStateKey | undefined, current: PromptStateKey): string {
  if (!saved || typeof saved !== 'object') return 'no key';
  if (JSON.stringify(saved.model) !== JSON.stringify(current.model)) return 'another model file';
  if (JSON.stringify(saved.adapters) !== JSON.stringify(current.adapters)) return 'other LoRA adapters';
  const a = saved.context ?? {};
  const diff = Object.keys({ ...a, ...current.context }).filter((k) => a[k] !== current.context[k]);
  return diff.map((k) => `${k} ${String(a[k])}, now ${String(current.context[k])}`).join('; ') || 'another key';
}

export interface PromptCacheUsage {
  entries: number;
  bytes: number;
}

/** An entry's files with the header first: without it the state is never trusted, even if removing it fails. */
const headerFirst = (files: string[]): string[] => [
  ...files.filter((f) => f.endsWith('.json')),
  ...files.filter((f) => !f.endsWith('.json')),
];

interface DirEntry {
  name: string;
  files: string[];
  bytes: number;
  lastUsed: number;
  complete: boolean;
  newest: number;
}

async function scan(
  directory: string,
): Promise<{ entries: DirEntry[]; temps: Array<{ file: string; mtimeMs: number }> }> {
  const entries = new Map<string, DirEntry>();
  const temps: Array<{ file: string; mtimeMs: number }> = [];
  for (const f of await readdir(directory).catch(() => [] as string[])) {
    const file = path.join(directory, f);
    if (TEMP.test(f) && ENTRY.test(f.replace(TEMP, ''))) {
      const st = await stat(file).catch(() => undefined);
      if (st) temps.push({ file, mtimeMs: st.mtimeMs });
      continue;
    }
    const m = ENTRY.exec(f);
    if (!m) continue;
    const st = await stat(file).catch(() => undefined);
    if (!st) continue;
    const name = f.slice(0, -(m[6].length + 1));
    const e = entries.get(name) ?? { name, files: [], bytes: 0, lastUsed: 0, complete: false, newest: 0 };
    e.files.push(file);
    e.bytes += st.size;
    e.newest = Math.max(e.newest, st.mtimeMs);
    if (m[6] === 'json') e.lastUsed = st.mtimeMs;
    e.complete = e.files.length === 2;
    entries.set(name, e);
  }
  return { entries: [...entries.values()], temps };
}

/**
 * Keeps the folder under `maxBytes`: the least recently used entries go first, and an entry bigger than
 * the whole cap is not kept. Also removes leftovers of killed processes (old temporary files, half entries).
 */
export async function sweepPromptCache(
  directory: string,
  maxBytes: number,
  log: PromptCacheLog = () => undefined,
): Promise<void> {
  const now = Date.now();
  const { entries, temps } = await scan(directory);
  for (const t of temps) if (now - t.mtimeMs > STALE_TEMP_MS) await rm(t.file, { force: true }).catch(() => undefined);
  const complete = entries.filter((e) => e.complete || now - e.newest <= STALE_HALF_MS);
  for (const e of entries)
    if (!complete.includes(e)) for (const f of e.files) await rm(f, { force: true }).catch(() => undefined);
  let total = 0;
  let evicted = 0;
  let full = false;
  for (const e of complete.filter((c) => c.complete).sort((a, b) => b.lastUsed - a.lastUsed)) {
    if (!full && e.bytes <= maxBytes && total + e.bytes <= maxBytes) {
      total += e.bytes;
      continue;
    }
    if (e.bytes > maxBytes) {
      log(
        'info',
        `prompt cache: a saved prompt state of ${(e.bytes / 1048576).toFixed(1)} MiB is larger than the cache's ` +
          `cap of ${(maxBytes / 1048576).toFixed(1)} MiB; not kept.`,
      );
    } else {
      full = true;
    }
    for (const f of headerFirst(e.files)) await rm(f, { force: true }).catch(() => undefined);
    evicted++;
  }
  if (evicted)
    log(
      'debug',
      `prompt cache: evicted ${evicted} least recently used prompt state(s) to stay under ` +
        `${(maxBytes / 1048576).toFixed(1)} MiB.`,
    );
}

/** How many entries and bytes the prompt cache in `directory` holds. */
export async function promptCacheUsage(directory: string = defaultPromptCacheDirectory()): Promise<PromptCacheUsage> {
  const { entries } = await scan(directory);
  return { entries: entries.filter((e) => e.complete).length, bytes: entries.reduce((s, e) => s + e.bytes, 0) };
}

/**
 * Removes every prompt-cache file in `directory` (and nothing else there: the folder may be one the writer
 * chose). An engine using the folder meanwhile only evaluates its next prompt again.
 */
export async function clearPromptCache(directory: string = defaultPromptCacheDirectory()): Promise<PromptCacheUsage> {
  const { entries, temps } = await scan(directory);
  const usage = { entries: entries.filter((e) => e.complete).length, bytes: entries.reduce((s, e) => s + e.bytes, 0) };
  for (const e of entries) {
    for (const f of headerFirst(e.files)) await rm(f, { force: true });
  }
  for (const t of temps) await rm(t.file, { force: true }).catch(() => undefined);
  return usage;
}
