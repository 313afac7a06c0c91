import { rewriteUserMessage, rewriteUserPrefix, systemPrompt } from '../prompts';
import type { RewriteContext } from '../prompts/rewrite-message';
import type { PromptMode } from '../prompts/types';
import type { RewritePrompt, Style } from './types';

/**
 * Exactly what the extension sends for `text` in `style`: generated training data stores these same two
 * messages, so a model tuned on it is served the prompts it learnt. Context and a note, when given, come
 * after the prefix a prewarm evaluates (see rewritePromptPrefix).
 */
export function rewritePrompt(
  text: string,
  style: Style,
  mode: PromptMode,
  languageId?: string,
  extra: { context?: RewriteContext; note?: string } = {},
): RewritePrompt {
  return {
    mode,
    system: systemPrompt(style.rubric, style.level, mode),
    user: rewriteUserMessage(text, {
      ...(languageId === undefined ? {} : { languageId }),
      ...extra,
      ...(mode === 'plain' ? { plain: true } : {}),
    }),
  };
}

/** The part of every rewrite prompt in `style` that is known before the text: what a prewarm evaluates. */
export function rewritePromptPrefix(
  style: Style,
  mode: PromptMode,
  languageId?: string,
): { system: string; userPrefix: string } {
  return {
    system: systemPrompt(style.rubric, style.level, mode),
    userPrefix: rewriteUserPrefix({
      ...(languageId === undefined ? {} : { languageId }),
      ...(mode === 'plain' ? { plain: true } : {}),
    }),
  };
}
