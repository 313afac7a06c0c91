// Turns raw model output into the replacement text. Kept minimal on purpose: the writer sees the
// proposal before anything is applied, so we only undo what models commonly add around an answer.
import { normalizeNewlines } from '../text';

const QUOTE_PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['"', '"'],
  ['\u201c', '\u201d'],
  ["'", "'"],
  ['\u2018', '\u2019'],
  ['\u00ab', '\u00bb'],
  ['`', '`'],
];
/** First characters after which the output may turn out to be wrapped (a fence or a quote pair). */
const WRAPPER_OPENERS = new Set(QUOTE_PAIRS.map(([open]) => open));

/** Strips one wrapping code fence or quote pair the original did not have. */
export function stripWrapper(original: string, output: string): string {
  const orig = original.trim();
  const text = output.trim();
  const fence = /^```[\w+-]*[ \t]*\n([\s\S]*?)\n?[ \t]*```$/.exec(text);
  if (fence) return orig.startsWith('```') ? text : fence[1].trim();
  for (const [open, close] of QUOTE_PAIRS) {
    if (text.length < 2 || !text.startsWith(open) || !text.endsWith(close)) continue;
    if (orig.startsWith(open) && orig.endsWith(close)) return text;
    const inner = text.slice(open.length, text.length - close.length);
    // "A," she said, "B" starts and ends with quotes but is not wrapped: leave it.
    if (inner.includes(open) || inner.includes(close)) return text;
    return inner.trim();
  }
  return text;
}

const leadingSpace = (s: string) => /^\s*/.exec(s)?.[0] ?? '';
const trailingSpace = (s: string) => /\s*$/.exec(s)?.[0] ?? '';

/**
 * The text to put in place of `original`: the unwrapped output with the original's own leading and
 * trailing whitespace (models drop or add blank lines; the surrounding layout is the writer's).
 * Empty when the model produced nothing usable.
 */
export function cleanRewrite(original: string, output: string): string {
  const core = stripWrapper(original, normalizeNewlines(output));
  if (!core) return '';
  return leadingSpace(original) + core + trailingSpace(original);
}

/**
 * cleanRewrite for a stream: push() each piece as it arrives and print what it returns, then print what
 * end() returns. The concatenation is always exactly cleanRewrite(original, whole output), so the CLI can
 * stream and still print what the editor would insert. Output that starts like a wrapper (a fence or a
 * quote) is held until the end, since only the end tells whether it is one; otherwise only trailing
 * whitespace is held, because the original's own trailing whitespace replaces it.
 */
export interface OutputCleaner {
  push(piece: string): string;
  end(): string;
}

export function createOutputCleaner(original: string): OutputCleaner {
  let raw = '';
  /** 'waiting' until the first non-space character, then 'holding' (maybe wrapped) or 'streaming'. */
  let state: 'waiting' | 'holding' | 'streaming' = 'waiting';
  /** Characters of `raw` already accounted for in what was returned (streaming only). */
  let emittedUpTo = 0;
  const streamable = (): string => {
    // Up to the last non-space character; a trailing CR is held too, so a CRLF split across pieces normalises.
    const end = raw.length - trailingSpace(raw).length;
    const from = emittedUpTo === 0 ? raw.length - raw.trimStart().length : emittedUpTo;
    if (end <= from) return '';
    const piece = normalizeNewlines(raw.slice(from, end));
    const lead = emittedUpTo === 0 ? leadingSpace(original) : '';
    emittedUpTo = end;
    return lead + piece;
  };
  return {
    push(piece) {
      raw += piece;
      if (state === 'waiting') {
        const first = raw.trimStart()[0];
        if (first === undefined) return '';
        state = WRAPPER_OPENERS.has(first) ? 'holding' : 'streaming';
      }
      return state === 'streaming' ? streamable() : '';
    },
    end() {
      if (state !== 'streaming') return cleanRewrite(original, raw);
      return streamable() + trailingSpace(original);
    },
  };
}
