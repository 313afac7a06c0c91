// Word-level differences between the writer's text and a proposal, as ranges on each side: the words
// the proposal drops (marked in the document) and the words it brings (marked in the preview). Words
// and punctuation marks are the tokens; whitespace between them is not compared, so a reflowed line is
// not a change. The diff itself is the `diff` package's, on the two token lists.
// No `vscode` import: unit-tested in plain Node.
import { diffArrays } from 'diff';

export interface TextRange {
  start: number;
  end: number;
}

export interface WordDiff {
  /** Ranges of the original that the proposal does not keep (adjacent words merged). */
  removed: TextRange[];
  /** Ranges of the proposal that the original does not have (adjacent words merged). */
  added: TextRange[];
}

export interface Token {
  text: string;
  start: number;
  end: number;
}

/** A word (letters, marks and digits, with inner apostrophes: "don't"), or any other single visible character. */
const TOKEN = /[\p{L}\p{M}\p{N}_]+(?:['’][\p{L}\p{M}\p{N}_]+)*|[^\s\p{L}\p{M}\p{N}_]/gu;

/** The words and punctuation marks of `text`, with where each is. */
export function tokens(text: string): Token[] {
  return [...text.matchAll(TOKEN)].map((m) => ({ text: m[0], start: m.index, end: m.index + m[0].length }));
}

/** Appends `t`'s range to `out`, merged with the last range unless a kept token lies between them. */
function push(out: TextRange[], t: Token, afterKept: boolean): void {
  const last = out[out.length - 1];
  if (last && !afterKept) last.end = t.end;
  else out.push({ start: t.start, end: t.end });
}

/**
 * The word diff of `original` and `proposal`, or undefined when it takes longer than `timeoutMs` (two
 * long and very different texts): the preview then shows the proposal without marks rather than waiting.
 */
export function wordDiff(original: string, proposal: string, timeoutMs = 200): WordDiff | undefined {
  const a = tokens(original);
  const b = tokens(proposal);
  const changes = diffArrays(
    a.map((t) => t.text),
    b.map((t) => t.text),
    { timeout: timeoutMs },
  );
  if (!changes) return undefined;
  const removed: TextRange[] = [];
  const added: TextRange[] = [];
  let i = 0;
  let j = 0;
  // Runs with no kept token between them merge into one range, so "kind of stopped" is one mark, not three.
  let keptBeforeRemoved = true;
  let keptBeforeAdded = true;
  for (const c of changes) {
    const n = c.count ?? c.value.length;
    if (c.removed) {
      for (let k = 0; k < n; k++) push(removed, a[i + k], keptBeforeRemoved && k === 0);
      i += n;
      keptBeforeRemoved = false;
    } else if (c.added) {
      for (let k = 0; k < n; k++) push(added, b[j + k], keptBeforeAdded && k === 0);
      j += n;
      keptBeforeAdded = false;
    } else {
      i += n;
      j += n;
      keptBeforeRemoved = true;
      keptBeforeAdded = true;
    }
  }
  return { removed, added };
}
