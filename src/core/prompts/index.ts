// CPT system prompts (directive and rubric modes) and the rewrite instruction.
import type { Level, Rubric } from '../rubrics/types';
import type { PromptMode } from '../feedback/types';
import { directiveFor } from './directive';
import { rubricPrompt } from './rubric-prompt';
export type { PromptMode };
export type { PromptModeSetting } from './mode';
export { resolvePromptMode, isCptTunedName } from './mode';
export { directiveFor, deriveDirective } from './directive';
export { rubricPrompt, targetSentence } from './rubric-prompt';
export { rewriteUserMessage, rewriteUserPrefix, languageLine, TEXT_START, TEXT_END } from './rewrite-message';

/** The system prompt for a rewrite in the given mode. */
export function systemPrompt(rubric: Rubric, level: Level, mode: PromptMode): string {
  return mode === 'directive' ? directiveFor(rubric, level) : rubricPrompt(rubric, level);
}
