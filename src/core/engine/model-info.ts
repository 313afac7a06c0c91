import { isRandomWeightTestModel } from '../testmodel/llama-model';

const CPT_PATTERN = /configurable[\s_-]*preference|(^|[^a-z])cpt([^a-z]|$)/i;

/** Whether a model's name or GGUF `general.*` metadata marks it as CPT-tuned (directive prompts suit it). */
export function isCptTunedModel(name: string, general: Record<string, unknown> = {}): boolean {
  // Our random-weight test models carry "CPT Writer" in their name but were never tuned.
  if (isRandomWeightTestModel(name)) return false;
  const fields = [name, general.finetune, general.basename, general.description, ...(Array.isArray(general.tags) ? general.tags : [])];
  return fields.some((f) => typeof f === 'string' && CPT_PATTERN.test(f));
}
