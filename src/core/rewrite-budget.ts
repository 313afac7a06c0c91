// How many tokens a rewrite may write: about twice the tokens of the text it rewrites, plus a margin,
// and never more than the writer's cap (the maxTokens setting, --max-tokens). A fixed cap of 1024 let a
// model that rambles (the demo model always does) turn two sentences into pages, which took minutes on
// a busy machine and hid the cut-off warning; a rewrite of the same text rarely needs twice its length.
import { estimateTokenCount, type CountTokens } from './paragraphs/context';

/** Tokens a rewrite may add beyond twice the text's: room for a short text to grow a clause or two. */
export const OUTPUT_TOKEN_MARGIN = 64;

/**
 * The most tokens a rewrite of a text of `textTokens` tokens may write: 2 × textTokens + the margin,
 * capped by `cap` (at least 1). Pure: the caller counts the tokens (the engine's tokenizer, or an estimate).
 */
export function rewriteTokenBudget(textTokens: number, cap: number): number {
  if (!Number.isFinite(cap) || cap < 1) throw new RangeError(`the token cap must be a positive number (got ${cap})`);
  const tokens = Number.isFinite(textTokens) && textTokens > 0 ? Math.ceil(textTokens) : 0;
  return Math.max(1, Math.min(Math.floor(cap), 2 * tokens + OUTPUT_TOKEN_MARGIN));
}

/** rewriteTokenBudget for `text`, counted with `countTokens` (by default a high estimate needing no model). */
export async function rewriteTokenBudgetFor(
  text: string,
  cap: number,
  countTokens: CountTokens = estimateTokenCount,
): Promise<number> {
  return rewriteTokenBudget(await countTokens(text), cap);
}
