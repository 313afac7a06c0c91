export { findLocalModels, nameInFolder } from './discover';
export type { FindLocalModelsOptions, LocalModel, LocalModelProblem, LocalModelScan } from './discover';
export { fileTypeName, isNotAModel, quantizationFromName, readGgufGeneral, type GgufGeneral } from './gguf-general';
export { blobPath, modelLayer, ollamaName, OLLAMA_MODEL_MEDIA_TYPE } from './ollama';
export { SOURCE_LABELS, huggingFaceHubCache, llamaCppCache, sourceRoots, type ModelSourceId } from './sources';
export { DEFAULT_WALK_LIMITS, type WalkLimits } from './walk';
export { humanSize } from './format';
