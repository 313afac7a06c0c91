// The read-only context given to the model with a rewrite: the text nearest the selection on each side,
// in whole paragraphs where they fit the token cap, cut at a word (and marked with …) where one does not.
import { estimateTokens } from '../rubrics/tokens';
import { splitBlocks } from './blocks';

/** Token counts: the engine's exact tokenizer, or an estimate. May be async (the engine is another process). */
export type CountTokens = (text: string) => number | Promise<number>;

/** A conservative (high) estimate that needs no tokenizer: see core/rubrics/tokens.ts. */
export const estimateTokenCount: CountTokens = estimateTokens;

/** Tokens of context on each side unless the caller says otherwise. */
export const DEFAULT_CONTEXT_TOKENS = 256;

/**
 * No token is longer than this many characters in the tokenizers we know, so only this much text per
 * allowed token is looked at: a long document costs no more than a short one.
 */
const MAX_CHARS_PER_TOKEN = 32;

export interface ContextOptions {
  languageId?: string;
  /** Most tokens on each side; 0 gives no context. */
  maxTokens: number;
  countTokens?: CountTokens;
}

/** The longest tail of `text` that starts at a word and fits `max` tokens, or ''. */
async function tailByWords(text: string, max: number, count: CountTokens): Promise<string> {
  const starts = [...text.matchAll(/\S+/g)].map((m) => m.index);
  let lo = 0;
  let hi = starts.length; // starts[hi] = no words: fits
  // Find the first word index whose tail fits (tails shrink as the index grows).
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((await count(`…${text.slice(starts[mid])}`)) <= max) hi = mid;
    else lo = mid + 1;
  }
  return lo < starts.length ? `…${text.slice(starts[lo]).trimEnd()}` : '';
}

/** The longest head of `text` that ends at a word and fits `max` tokens, or ''. */
async function headByWords(text: string, max: number, count: CountTokens): Promise<string> {
  const ends = [...text.matchAll(/\S+/g)].map((m) => m.index + m[0].length);
  let lo = 0;
  let hi = ends.length;
  // Find the number of words n (0..ends.length) that is the largest whose head fits.
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((await count(`${text.slice(0, ends[mid - 1])}…`)) <= max) lo = mid;
    else hi = mid - 1;
  }
  return lo > 0 ? `${text.slice(0, ends[lo - 1]).trimStart()}…` : '';
}

/**
 * The context for a selection from the document text before it and after it: on each side, the nearest
 * whole paragraphs that fit `maxTokens` together (the partial paragraph the selection sits in counts as
 * the nearest), or, when not even the nearest fits, as much of it as fits from the selection outwards,
 * cut at a word and marked with "…". Trimmed; '' when there is nothing or the cap is 0.
 */
export async function contextAround(
  before: string,
  after: string,
  options: ContextOptions,
): Promise<{ before: string; after: string }> {
  const max = Math.max(0, Math.floor(options.maxTokens));
  if (max === 0) return { before: '', after: '' };
  const count = options.countTokens ?? estimateTokenCount;
  const window = max * MAX_CHARS_PER_TOKEN;

  const head = before.length > window ? before.slice(before.length - window) : before;
  let outBefore = '';
  const beforeBlocks = splitBlocks(head, options.languageId);
  for (let k = beforeBlocks.length - 1; k >= 0; k--) {
    const candidate = head.slice(beforeBlocks[k].start).trim();
    if ((await count(candidate)) > max) break;
    outBefore = candidate;
  }
  if (!outBefore && beforeBlocks.length) {
    const nearest = head.slice(beforeBlocks[beforeBlocks.length - 1].start);
    outBefore = await tailByWords(nearest, max, count);
  }

  const tail = after.length > window ? after.slice(0, window) : after;
  let outAfter = '';
  const afterBlocks = splitBlocks(tail, options.languageId);
  for (let k = 0; k < afterBlocks.length; k++) {
    const candidate = tail.slice(0, afterBlocks[k].end).trim();
    if ((await count(candidate)) > max) break;
    outAfter = candidate;
  }
  if (!outAfter && afterBlocks.length) {
    outAfter = await headByWords(tail.slice(0, afterBlocks[0].end), max, count);
  }
  return { before: outBefore, after: outAfter };
}
