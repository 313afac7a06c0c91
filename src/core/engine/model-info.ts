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

/**
 * The paper's CPT-tuned checkpoints are published as "configurable-preference-<base>" (e.g.
 * configurable-preference-qwen3-4b, -phi4, -mistral-nemo-12b, -rocinante-12b), and GGUF conversions keep
 * that stem. A bare "CPT" is no mark: it usually means continued pre-training (Llama-3-8B-CPT).
 */
const CPT_NAME = /configurable[\s_-]*preference/i;
/** A GGUF general.tags entry that states the tuning explicitly. */
const CPT_TAG = /^configurable[\s_-]*preference([\s_-]*tun(ed|ing))?$/i;

/**
 * Whether a model's name or GGUF `general.*` metadata marks it as CPT-tuned (directive prompts suit it).
 * Anything else is decided by the explicit `cptWriter.promptMode` setting (or the CLI's --mode).
 */
export function isCptTunedModel(name: string, general: Record<string, unknown> = {}): boolean {
  // Our random-weight test models carry "CPT Writer" in their name but were never tuned.
  if (isRandomWeightTestModel(name)) return false;
  const names = [name, general.name, general.finetune, general.basename];
  if (names.some((f) => typeof f === 'string' && !isRandomWeightTestModel(f) && CPT_NAME.test(f))) return true;
  const tags = Array.isArray(general.tags) ? general.tags : [];
  return tags.some((t) => typeof t === 'string' && CPT_TAG.test(t.trim()));
}

/**
 * True when a model name marks a CPT-tuned model. Only the last path segment counts, so a folder such
 * as ~/cpt-writer/models does not.
 */
export function isCptTunedName(name: string): boolean {
  return isCptTunedModel(name.split(/[\\/]/).pop() ?? name);
}
