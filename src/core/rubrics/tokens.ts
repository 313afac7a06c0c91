/**
 * A tokenizer-free estimate of how many tokens a text costs. Directives must fit the 256-token prompt
 * budget that CPT training truncates to; we cannot know the user's tokenizer here, so we take the larger
 * of two common rules of thumb (≈4 characters a token, ≈0.75 words a token) to err on the long side.
 */
export function estimateTokens(text: string): number {
  const trimmed = text.trim();
  if (!trimmed) return 0;
  const words = trimmed.split(/\s+/).length;
  return Math.max(Math.ceil(trimmed.length / 4), Math.ceil((words * 4) / 3));
}

/** The most tokens a directive (the CPT student system prompt) may take. */
export const MAX_DIRECTIVE_TOKENS = 256;
