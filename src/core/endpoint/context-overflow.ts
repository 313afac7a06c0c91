// Reading a server's "prompt too long for the context" answer, so a passage that does not fit a served
// model is skipped and counted like one the local engine refuses, instead of stopping a whole generate or
// eval run as any other 400 does. Servers say it in their own words; the numbers are read from the fields
// llama.cpp's server adds (n_prompt_tokens, n_ctx) or from the sentence OpenAI-style servers write. An
// answer without both numbers stays a plain rejection: no number is guessed.
import type { TooLong } from '../errors';

/** Whole numbers only, within what a context can be: a field or match that is not one reads as absent. */
function count(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 && n < 1e9 ? n : undefined;
}

function firstMatch(text: string, patterns: readonly RegExp[]): number | undefined {
  for (const p of patterns) {
    const m = p.exec(text);
    const n = m ? count(m[1]) : undefined;
    if (n !== undefined) return n;
  }
  return undefined;
}

const CONTEXT_PATTERNS = [
  /maximum context length is (\d+) tokens/i,
  /available context size \((\d+) tokens\)/i,
  /context (?:size|length|window) of (\d+) tokens/i,
];
const PROMPT_PATTERNS = [
  /(\d+) (?:tokens )?in the messages/i,
  /messages resulted in (\d+) tokens/i,
  /request \((\d+) tokens\) exceeds/i,
  /prompt (?:is|has) (\d+) tokens/i,
];

/**
 * The prompt's size and the context's, when a rejection (`body`: the parsed error object, `said`: the
 * server's message) says the prompt does not fit; undefined for any other rejection.
 */
export function contextOverflow(body: unknown, said: string): TooLong | undefined {
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const tokens = count(fields.n_prompt_tokens) ?? firstMatch(said, PROMPT_PATTERNS);
  const contextSize = count(fields.n_ctx) ?? firstMatch(said, CONTEXT_PATTERNS);
  if (tokens === undefined || contextSize === undefined) return undefined;
  return { tokens, contextSize };
}
