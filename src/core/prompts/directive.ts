// Directive mode: the short CPT "student" system prompt (2–3 sentences naming the style and its
// strength) that CPT-tuned models were trained on. Authored directives win; otherwise one is derived
// from the rubric text and cached, since the engine reuses a prompt's KV prefix only if it is identical.
import { MAX_DIRECTIVE_TOKENS, estimateTokens } from '../rubrics/tokens';
import type { Level, Rubric } from '../rubrics/types';

/** Derived directives stay well under the 256-token CPT budget: short prompts are what CPT models saw. */
const DERIVED_TOKEN_BUDGET = 120;
const CACHE_LIMIT = 512;
const cache = new Map<string, string>();

/** The first clause of a description, so each criterion costs a phrase rather than a paragraph. */
function firstClause(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const m = /^(.+?)[.;!?](\s|$)/.exec(flat);
  return (m ? m[1] : flat).replace(/[.;:!?,]+$/, '');
}

function lowerFirst(s: string): string {
  return s && /^[A-Z][a-z]/.test(s) ? s[0].toLowerCase() + s.slice(1) : s;
}

/** A directive built from the level name and the criteria's descriptions at that level, heaviest first. */
export function deriveDirective(rubric: Rubric, level: Level): string {
  const name = rubric.levels[level - 1];
  const opening =
    `Rewrite the text in the ${rubric.title} style at level ${level} of 5, "${name}" ` +
    `(the scale runs from "${rubric.levels[0]}" at 1 to "${rubric.levels[4]}" at 5).`;
  const traits = [...rubric.criteria]
    .sort((a, b) => b.weight - a.weight)
    .map((c) => `${lowerFirst(c.name)}: ${lowerFirst(firstClause(c.levels[level - 1]))}`);
  const closing = 'Keep the meaning and change only the style.';
  // Drop the lightest criteria until the whole directive fits the budget.
  for (let n = traits.length; n >= 0; n--) {
    const middle = n ? ` At this level, ${traits.slice(0, n).join('; ')}.` : '';
    const text = `${opening}${middle} ${closing}`;
    if (estimateTokens(text) <= DERIVED_TOKEN_BUDGET || n === 0) return truncateToTokens(text, MAX_DIRECTIVE_TOKENS);
  }
  return opening;
}

/** A last guard for rubrics with very long titles or level names. */
function truncateToTokens(text: string, max: number): string {
  if (estimateTokens(text) <= max) return text;
  let cut = text.slice(0, max * 3);
  while (cut && estimateTokens(cut) > max) cut = cut.slice(0, Math.floor(cut.length * 0.9));
  return cut.replace(/\s+\S*$/, '') + '…';
}

/** Directive mode: the short CPT system prompt for a level (authored, or derived from the rubric text). */
export function directiveFor(rubric: Rubric, level: Level): string {
  const authored = rubric.directives[level];
  if (authored) return authored;
  const key = `${rubric.hash}:${level}`;
  let derived = cache.get(key);
  if (derived === undefined) {
    derived = deriveDirective(rubric, level);
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(key, derived);
  }
  return derived;
}
