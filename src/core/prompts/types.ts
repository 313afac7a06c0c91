/** How the style reaches the model: a short CPT directive, or the whole rubric with a target score. */
export type PromptMode = 'directive' | 'rubric';

/** The `cptWriter.promptMode` setting: a mode, or 'auto' (directive for CPT-tuned models, else rubric). */
export type PromptModeSetting = 'auto' | PromptMode;

export const PROMPT_MODE_SETTINGS: readonly PromptModeSetting[] = ['auto', 'directive', 'rubric'];
