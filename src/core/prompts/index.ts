// API contract (helper implements): CPT system prompts and the rewrite instruction.
import type { Level, Rubric } from '../rubrics/types';
import type { PromptMode } from '../feedback/types';
export type { PromptMode };

export type PromptModeSetting = 'auto' | 'directive' | 'rubric';

/** 'auto' picks directive for CPT-tuned models (by name or metadata), else rubric. */
export function resolvePromptMode(_setting: PromptModeSetting, _model: { name: string; cptTuned?: boolean } | undefined): PromptMode {
  throw new Error('not implemented');
}

/** Directive mode: the short CPT system prompt for a level (authored, or derived from the rubric text). */
export function directiveFor(_rubric: Rubric, _level: Level): string {
  throw new Error('not implemented');
}

/** Rubric mode: the full rubric with the target score, for models that were not CPT-tuned. */
export function rubricPrompt(_rubric: Rubric, _level: Level): string {
  throw new Error('not implemented');
}

/** The system prompt for a rewrite in the given mode. */
export function systemPrompt(_rubric: Rubric, _level: Level, _mode: PromptMode): string {
  throw new Error('not implemented');
}

/**
 * The user message: the rewrite instruction (keep meaning, language and markup; output only the text)
 * followed by the text. `languageId` is VS Code's (markdown, latex, plaintext, or a code language for comments).
 */
export function rewriteUserMessage(_text: string, _options: { languageId?: string } = {}): string {
  throw new Error('not implemented');
}
