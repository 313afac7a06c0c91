// Large generated feedback logs for the scale tests, written line by line into a temp file.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const BASE = Date.parse('2026-11-01T00:00:00.000Z');

function rewriteLine(id: string, t: number, original: string, output: string, level: number): string {
  return JSON.stringify({
    v: 1,
    type: 'rewrite',
    id,
    time: new Date(BASE + t * 1000).toISOString(),
    rubric: { id: 'formality', hash: 'h' },
    level,
    mode: 'directive',
    system: `Write formally, strength ${level} of 5.`,
    user: `Rewrite:\n${original}`,
    original,
    output,
    model: { name: 'test', file: '/m/t.gguf' },
    sampling: { temperature: 0 },
    document: { languageId: 'plaintext', path: '/d/a.txt' },
  });
}

function decisionLine(id: string, t: number, rewriteId: string, final: string): string {
  return JSON.stringify({
    v: 1,
    type: 'decision',
    id,
    time: new Date(BASE + t * 1000 + 500).toISOString(),
    rewriteId,
    decision: 'accepted',
    final,
  });
}

/** Writes `lines` (produced lazily) to `file`, waiting for the stream to drain. */
export async function writeLines(file: string, lines: Iterable<string>): Promise<void> {
  const out = createWriteStream(file);
  for (const line of lines) if (!out.write(`${line}\n`)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

/**
 * `texts` original texts, each rewritten and accepted at `levels.length` levels: 2 × texts × levels
 * events, one contrast pair each way per level pair and text.
 */
export function* manyTexts(texts: number, levels: number[] = [1, 5]): Generator<string> {
  let t = 0;
  for (let i = 0; i < texts; i++) {
    for (const level of levels) {
      const id = `r${i}-${level}`;
      const output = `Text ${i} at level ${level}.`;
      yield rewriteLine(id, t, `Text ${i}.`, output, level);
      yield decisionLine(`d${i}-${level}`, t, id, output);
      t++;
    }
  }
}

/** One text rewritten and accepted `repeats` times, the levels taken in turn, every output different. */
export function* oneTextRepeated(repeats: number, levels: number[] = [1, 2, 3, 4, 5]): Generator<string> {
  for (let i = 0; i < repeats; i++) {
    const level = levels[i % levels.length];
    const output = `The same text, take ${i}, level ${level}.`;
    yield rewriteLine(`r${i}`, i, 'The same text.', output, level);
    yield decisionLine(`d${i}`, i, `r${i}`, output);
  }
}
