/**
 * How the style reaches the model: a short CPT directive, the whole rubric with a target score, or `plain`:
 * no style at all (a neutral system prompt and "rewrite the text"), the baseline that shows what the slider adds.
 */
export type PromptMode = 'directive' | 'rubric' | 'plain';

/** Every prompt mode, for parsers and validators. */
export const PROMPT_MODES: readonly PromptMode[] = ['directive', 'rubric', 'plain'];

/** The `cptWriter.promptMode` setting: a mode, or 'auto' (directive for CPT-tuned models, else rubric). */
export type PromptModeSetting = 'auto' | PromptMode;

export const PROMPT_MODE_SETTINGS: readonly PromptModeSetting[] = ['auto', 'directive', 'rubric'];
