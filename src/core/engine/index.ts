export * from './types';
export { DEFAULT_LOAD_TIMEOUT_MS, EngineClient, defaultModelsDirectory } from './client';
export { generateAll, lockstep, type Lockstep } from './batch';
export { precheckGguf, type GgufHeaderSummary } from './gguf-precheck';
export {
  parseModelSpec,
  checkGgufFile,
  filePathFromUrl,
  localPath,
  modelSpecProblem,
  plainHttpRefusal,
  splitSha256,
  withSha256,
  type ModelSpec,
} from './model-spec';
export { TEST_MODEL_NAME, isCptTunedModel, isCptTunedName, isRandomWeightTestModel, isTestModel } from './model-info';
export { physicalCores } from './physical-cores';
export {
  DEFAULT_PROMPT_CACHE_MAX_MB,
  clearPromptCache,
  defaultPromptCacheDirectory,
  promptCacheUsage,
  type PromptCacheUsage,
} from './prompt-cache';
export { MODEL_CATALOG, catalogEntryProblem, catalogSpec, type CatalogEntry } from './catalog';
export { FINGERPRINT_SCHEME, fingerprintFile, type FileFingerprint } from './fingerprint';
export { identifyLoaded, identityLabel, type AdapterIdentity, type ModelIdentity } from './identity';
