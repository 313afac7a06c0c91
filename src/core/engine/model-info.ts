// What a model's name and GGUF metadata say about it. The engine owns these checks: the prompt-mode
// choice (core/rewrite), the CLI and the editor all ask here.

/** general.name of the random-weight models written by core/testmodel. */
export const TEST_MODEL_NAME = 'CPT Writer random-weight test model';

/** True for a model written by core/testmodel: its output is gibberish, and the UI says so. */
export function isRandomWeightTestModel(name: string | undefined): boolean {
  return typeof name === 'string' && name.trim().toLowerCase() === TEST_MODEL_NAME.toLowerCase();
}

/** The one "is this our random-weight test model?" check, by GGUF name or by file name. */
export function isTestModel(model: { name: string; file?: string }): boolean {
  const base = model.file?.split(/[\\/]/).pop();
  return isRandomWeightTestModel(model.name) || isRandomWeightTestModel(base);
}

const CPT_PATTERN = /configurable[\s_-]*preference|(^|[^a-z])cpt([^a-z]|$)/i;

/** Whether a model's name or GGUF `general.*` metadata marks it as CPT-tuned (directive prompts suit it). */
export function isCptTunedModel(name: string, general: Record<string, unknown> = {}): boolean {
  // Our random-weight test models carry "CPT Writer" in their name but were never tuned.
  if (isRandomWeightTestModel(name)) return false;
  const fields = [name, general.finetune, general.basename, general.description, ...(Array.isArray(general.tags) ? general.tags : [])];
  return fields.some((f) => typeof f === 'string' && CPT_PATTERN.test(f));
}

/**
 * True when a model name marks a CPT-tuned model. Only the last path segment counts, so a folder such
 * as ~/cpt-writer/models does not.
 */
export function isCptTunedName(name: string): boolean {
  return isCptTunedModel(name.split(/[\\/]/).pop() ?? name);
}
