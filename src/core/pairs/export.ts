// Serialises pairs for training: TRL's conversational preference JSONL, a flat string form, and KTO JSONL.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { KtoExample, PreferencePair } from './types';
import { errorMessage } from '../errors';

export interface FlatPair {
  system: string;
  prompt: string;
  chosen: string;
  rejected: string;
  source: PreferencePair['source'];
  rubric: string;
  level: number;
  ids: string[];
  candidates?: [number, number];
}

function contentOf(p: PreferencePair, role: 'system' | 'user'): string {
  return p.prompt
    .filter((m) => m.role === role)
    .map((m) => m.content)
    .join('\n');
}

/** The CST-style flat row (system, prompt, chosen, rejected as plain strings) plus the same metadata. */
export function toFlatPair(p: PreferencePair): FlatPair {
  return {
    system: contentOf(p, 'system'),
    prompt: contentOf(p, 'user'),
    chosen: p.chosen.map((m) => m.content).join('\n'),
    rejected: p.rejected.map((m) => m.content).join('\n'),
    source: p.source,
    rubric: p.rubric,
    level: p.level,
    ids: p.ids,
    ...(p.candidates ? { candidates: p.candidates } : {}),
  };
}

/** One JSON object per line, each line ending in "\n" (an empty list gives an empty file). */
export function toJsonl(rows: readonly unknown[]): string {
  return rows.map((r) => `${JSON.stringify(r)}\n`).join('');
}

/** One row of the pairs file; key order is fixed so files diff cleanly between runs. */
export function pairRow(p: PreferencePair): unknown {
  return {
    prompt: p.prompt,
    chosen: p.chosen,
    rejected: p.rejected,
    source: p.source,
    rubric: p.rubric,
    level: p.level,
    ids: p.ids,
    ...(p.candidates ? { candidates: p.candidates } : {}),
  };
}

export function ktoRow(e: KtoExample): unknown {
  return { prompt: e.prompt, completion: e.completion, label: e.label, rubric: e.rubric, level: e.level, id: e.id };
}

export function pairsToJsonl(pairs: readonly PreferencePair[]): string {
  return toJsonl(pairs.map(pairRow));
}

export function flatPairsToJsonl(pairs: readonly PreferencePair[]): string {
  return toJsonl(pairs.map(toFlatPair));
}

export function ktoToJsonl(examples: readonly KtoExample[]): string {
  return toJsonl(examples.map(ktoRow));
}

/** Lines are gathered into writes of about this many characters. */
const WRITE_CHUNK = 1 << 20;

/**
 * Writes one JSON row a line, serialising each row only as it is written (never the whole file as one
 * string, which V8 caps at about 512 MB), through a temporary file that is flushed and renamed, so a
 * crash never leaves a half-written dataset where a complete one used to be. Returns the row count.
 */
export async function writeJsonlAtomic<T>(
  file: string,
  rows: Iterable<T>,
  toRow: (row: T) => unknown = (r) => r,
): Promise<number> {
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(tmp, 'w');
    const h = handle;
    let batch: string[] = [];
    let size = 0;
    let count = 0;
    const flush = async (): Promise<void> => {
      const data = Buffer.from(batch.join(''), 'utf8');
      batch = [];
      size = 0;
      let offset = 0;
      while (offset < data.length) offset += (await h.write(data, offset, data.length - offset)).bytesWritten;
    };
    for (const row of rows) {
      const line = `${JSON.stringify(toRow(row))}\n`;
      batch.push(line);
      size += line.length;
      count++;
      if (size >= WRITE_CHUNK) await flush();
    }
    await flush();
    await h.sync();
    await h.close();
    handle = undefined;
    await fs.rename(tmp, file);
    return count;
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await fs.rm(tmp, { force: true });
    throw new Error(`cannot write ${file}: ${errorMessage(err)}`);
  }
}

/**
 * Writes through a temporary file and a rename, so a crash never leaves a half-written dataset where
 * a complete one used to be.
 */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    await fs.writeFile(tmp, text, 'utf8');
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw new Error(`cannot write ${file}: ${errorMessage(err)}`);
  }
}

/** out.jsonl → out.test.jsonl (beside it); a name without an extension gets .test.jsonl. */
export function testSplitPath(file: string): string {
  const { dir, name, ext } = path.parse(file);
  return path.join(dir, `${name}.test${ext || '.jsonl'}`);
}
