import { isCptTunedName } from '../engine/model-info';
import type { PromptMode, PromptModeSetting } from '../prompts/types';

/** 'auto' picks directive for CPT-tuned models (by the engine's cptTuned flag, else by name), else rubric. */
export function resolvePromptMode(
  setting: PromptModeSetting,
  model: { name: string; cptTuned?: boolean } | undefined,
): PromptMode {
  if (setting !== 'auto') return setting;
  if (!model) return 'rubric';
  // The engine's flag also reads the GGUF metadata, so it outranks the name when present.
  const tuned = model.cptTuned ?? isCptTunedName(model.name);
  return tuned ? 'directive' : 'rubric';
}
