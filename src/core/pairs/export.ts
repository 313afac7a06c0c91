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
  return p.prompt.filter((m) => m.role === role).map((m) => m.content).join('\n');
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

/** Key order is fixed so files diff cleanly between runs. */
export function pairsToJsonl(pairs: readonly PreferencePair[]): string {
  return toJsonl(pairs.map((p) => ({ prompt: p.prompt, chosen: p.chosen, rejected: p.rejected, source: p.source, rubric: p.rubric, level: p.level, ids: p.ids, ...(p.candidates ? { candidates: p.candidates } : {}) })));
}

export function flatPairsToJsonl(pairs: readonly PreferencePair[]): string {
  return toJsonl(pairs.map(toFlatPair));
}

export function ktoToJsonl(examples: readonly KtoExample[]): string {
  return toJsonl(examples.map((e) => ({ prompt: e.prompt, completion: e.completion, label: e.label, rubric: e.rubric, level: e.level, id: e.id })));
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
