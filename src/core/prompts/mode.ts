import type { PromptMode } from '../feedback/types';
import { isCptTunedModel } from '../engine/model-info';

export type PromptModeSetting = 'auto' | 'directive' | 'rubric';

/**
 * True when a model name marks a CPT-tuned model (see isCptTunedModel: "configurable-preference-…" or a
 * separate "cpt" token, never our random-weight test models). Only the last path segment counts, so a
 * folder such as ~/cpt-writer/models does not.
 */
export function isCptTunedName(name: string): boolean {
  return isCptTunedModel(name.split(/[\\/]/).pop() ?? name);
}

/** 'auto' picks directive for CPT-tuned models (by the cptTuned flag or the name), else rubric. */
export function resolvePromptMode(setting: PromptModeSetting, model: { name: string; cptTuned?: boolean } | undefined): PromptMode {
  if (setting === 'directive' || setting === 'rubric') return setting;
  if (!model) return 'rubric';
  // The engine's flag also reads the GGUF metadata, so it outranks the name when present.
  const tuned = model.cptTuned ?? isCptTunedName(model.name);
  return tuned ? 'directive' : 'rubric';
}
