// CPT system prompts (directive and rubric modes) and the rewrite instruction. Pure text from a rubric:
// which mode a model gets is decided by core/rewrite.
import type { Level, Rubric } from '../rubrics/types';
import { directiveFor } from './directive';
import { rubricPrompt } from './rubric-prompt';
import type { PromptMode } from './types';
export * from './types';
export { directiveFor, deriveDirective } from './directive';
export { rubricPrompt, targetSentence } from './rubric-prompt';
export { rubricAsGradingText } from './grading';
export {
  rewriteUserMessage,
  rewriteUserPrefix,
  languageLine,
  cleanNote,
  TEXT_START,
  TEXT_END,
  CONTEXT_BEFORE_START,
  CONTEXT_BEFORE_END,
  CONTEXT_AFTER_START,
  CONTEXT_AFTER_END,
} from './rewrite-message';
export type { RewriteContext, RewriteMessageOptions } from './rewrite-message';

/**
 * The system prompt of `plain` mode: no style, no rubric, no level. Not empty, because some chat templates
 * put a default system prompt of their own in place of an empty one.
 */
export const PLAIN_SYSTEM_PROMPT = 'You are a writing assistant.';

/** The system prompt for a rewrite in the given mode. */
export function systemPrompt(rubric: Rubric, level: Level, mode: PromptMode): string {
  if (mode === 'plain') return PLAIN_SYSTEM_PROMPT;
  return mode === 'directive' ? directiveFor(rubric, level) : rubricPrompt(rubric, level);
}
