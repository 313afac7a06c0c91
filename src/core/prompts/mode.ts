import type { PromptMode } from '../feedback/types';

export type PromptModeSetting = 'auto' | 'directive' | 'rubric';

/**
 * True when a model name marks a CPT-tuned model: the paper's releases are called
 * "configurable-preference-…", and we treat a separate "cpt" token (e.g. "qwen3-4b-cpt.Q4_K_M.gguf") the
 * same. Only the last path segment counts, so a folder such as ~/cpt-writer/models does not.
 */
export function isCptTunedName(name: string): boolean {
  const base = name.split(/[\\/]/).pop() ?? name;
  if (/configurable[-_ .]?preference/i.test(base)) return true;
  return base.toLowerCase().split(/[^a-z0-9]+/).includes('cpt');
}

/** 'auto' picks directive for CPT-tuned models (by the cptTuned flag or the name), else rubric. */
export function resolvePromptMode(setting: PromptModeSetting, model: { name: string; cptTuned?: boolean } | undefined): PromptMode {
  if (setting === 'directive' || setting === 'rubric') return setting;
  if (!model) return 'rubric';
  return model.cptTuned || isCptTunedName(model.name) ? 'directive' : 'rubric';
}
