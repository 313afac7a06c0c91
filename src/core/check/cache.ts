// Judgements the check already has: the same paragraph text, rubric content, judge model, judge prompt
// version, critique cap and temperature give the same answer (temperature 0), so it is never asked twice.
// Kept in memory, and on disk when a folder is given (one small JSON file per judgement; a file that is
// unreadable, oversized or malformed is a miss, never an error).
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface CacheKeyParts {
  /** The text the judge reads. */
  text: string;
  rubricHash: string;
  /** The judge model's identity (see identity.ts). */
  judge: string;
  promptVersion: number;
  critiqueChars: number;
  temperature: number;
  /** For a too-long verdict only: the context size asked for ('auto' or a number). */
  context?: string;
}

export type CachedOutcome =
  { kind: 'score'; score: number; critique: string } | { kind: 'too-long'; promptTokens: number; contextSize: number };

/** A short, stable key: sha256 of the parts. */
export function cacheKey(parts: CacheKeyParts): string {
  const ordered = [
    parts.text,
    parts.rubricHash,
    parts.judge,
    parts.promptVersion,
    parts.critiqueChars,
    parts.temperature,
    parts.context ?? null,
  ];
  return createHash('sha256').update(JSON.stringify(ordered)).digest('hex');
}

/** No judgement file is bigger than this (a critique is at most 1,000 characters). */
const MAX_FILE_BYTES = 16 * 1024;
/** Entries kept in memory; the oldest go first. */
const MAX_MEMORY_ENTRIES = 20_000;

function validOutcome(v: unknown): CachedOutcome | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const whole = (n: unknown, max: number) => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= max;
  if (o.kind === 'score' && whole(o.score, 100) && typeof o.critique === 'string' && o.critique.length <= 1000)
    return { kind: 'score', score: o.score as number, critique: o.critique };
  if (o.kind === 'too-long' && whole(o.promptTokens, 1e9) && whole(o.contextSize, 1e9))
    return { kind: 'too-long', promptTokens: o.promptTokens as number, contextSize: o.contextSize as number };
  return undefined;
}

export class CheckCache {
  private readonly memory = new Map<string, CachedOutcome>();

  /** `directory`: where judgements persist between runs (created when first written); memory only without one. */
  constructor(readonly directory?: string) {}

  private fileOf(key: string): string {
    return path.join(this.directory!, key.slice(0, 2), `${key}.json`);
  }

  async get(key: string): Promise<CachedOutcome | undefined> {
    const hit = this.memory.get(key);
    if (hit || !this.directory) return hit;
    let fh;
    try {
      fh = await open(this.fileOf(key), 'r');
    } catch {
      return undefined;
    }
    try {
      const buf = Buffer.alloc(MAX_FILE_BYTES + 1);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      if (bytesRead > MAX_FILE_BYTES) return undefined;
      const parsed = JSON.parse(buf.subarray(0, bytesRead).toString('utf8')) as { key?: unknown; outcome?: unknown };
      const outcome = parsed.key === key ? validOutcome(parsed.outcome) : undefined;
      if (outcome) this.remember(key, outcome);
      return outcome;
    } catch {
      return undefined;
    } finally {
      await fh.close();
    }
  }

  /** Remembers `outcome`; the disk write is atomic (a temporary file renamed), and its failure is thrown. */
  async set(key: string, outcome: CachedOutcome): Promise<void> {
    this.remember(key, outcome);
    if (!this.directory) return;
    const file = this.fileOf(key);
    await mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(temp, `${JSON.stringify({ v: 1, key, outcome })}\n`);
      await rename(temp, file);
    } finally {
      await rm(temp, { force: true });
    }
  }

  private remember(key: string, outcome: CachedOutcome): void {
    this.memory.delete(key);
    this.memory.set(key, outcome);
    if (this.memory.size > MAX_MEMORY_ENTRIES) this.memory.delete(this.memory.keys().next().value as string);
  }

  /** Entries held in memory. */
  get size(): number {
    return this.memory.size;
  }
}
