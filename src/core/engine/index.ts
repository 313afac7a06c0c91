export * from './types';
export { EngineClient, defaultModelsDirectory } from './client';
export { parseModelSpec, checkGgufFile, type ModelSpec } from './model-spec';
export { TEST_MODEL_NAME, isCptTunedModel, isCptTunedName, isRandomWeightTestModel, isTestModel } from './model-info';
export { physicalCores } from './physical-cores';
export {
  DEFAULT_PROMPT_CACHE_MAX_MB, clearPromptCache, defaultPromptCacheDirectory, promptCacheUsage, type PromptCacheUsage,
} from './prompt-cache';
