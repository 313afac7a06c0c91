export * from './types';
export { EngineClient, defaultModelsDirectory } from './client';
export { parseModelSpec, checkGgufFile, type ModelSpec } from './model-spec';
export { isCptTunedModel } from './model-info';
export { physicalCores } from './physical-cores';
