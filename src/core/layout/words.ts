// The words of a paragraph as the layout may break it: whitespace outside markup. A \cite{a, b}, a link
// whose text has spaces, `inline code` or $x + y$ is one unbreakable word, as the markup guard sees it.
import { extractMarkup } from '../markup/compare';
import type { LineFrame } from './lines';

/** The words of `text` (one line of wording, no prefixes), never split inside a markup token. */
export function unbreakableWords(text: string, languageId: string | undefined): string[] {
  const inside = new Uint8Array(text.length);
  for (const token of extractMarkup(text, languageId)) {
    // A token's text is as written from its start; whitespace inside it is not a break.
    const end = Math.min(text.length, token.start + token.text.length);
    for (let i = token.start; i < end; i++) inside[i] = 1;
  }
  const words: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (/\s/.test(c) && !inside[i]) {
      if (current) words.push(current);
      current = '';
    } else current += /\s/.test(c) ? ' ' : c;
  }
  if (current) words.push(current);
  return words;
}

/**
 * Words joined into lines no longer than the widths (first line, then the others) where the words allow:
 * a word longer than the width has a line of its own. A word that must not start a line stays with the
 * word before it.
 */
export function fill(words: readonly string[], firstWidth: number, width: number, frame: LineFrame): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const limit = lines.length === 0 ? firstWidth : width;
    if (line && line.length + 1 + word.length > limit && !frame.unsafeAtLineStart(word)) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

const SENTENCE_END = /[.!?]["'\u201d\u2019)\]]*$/;
const SENTENCE_START = /^["'\u201c\u2018(\[`*_\\]?[A-Z0-9\u00c0-\u024f]/;

/** Words joined one sentence a line (semantic line breaks). */
export function sentences(words: readonly string[], frame: LineFrame): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line && SENTENCE_END.test(line) && SENTENCE_START.test(word) && !frame.unsafeAtLineStart(word)) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** Whether a line ends a sentence (or a clause that a writer would end a line with). */
export function endsSentence(line: string): boolean {
  return /[.!?:;]["'\u201d\u2019)\]]*$/.test(line.trimEnd());
}
