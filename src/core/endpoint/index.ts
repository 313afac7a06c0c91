// OpenAI-compatible endpoints as TextGenerators, and the one spec → generator factory (GGUF or URL).
export {
  EndpointGenerator,
  displayUrl,
  checkBaseUrl,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_RETRIES,
  type EndpointOptions,
} from './client';
export { parseEndpointUrl, redactSecrets, type EndpointUrl } from './endpoint-url';
export { DEFAULT_MAX_RESPONSE_CHARS, ERROR_BODY_BYTES } from './guarded-fetch';
export { EndpointError, EndpointTooLongError, endpointErrorCode, type EndpointErrorCode } from './errors';
export { contextOverflow } from './context-overflow';
export { retryAfterMs } from './error-of';
export { apiKeyFromEnv, redact } from './api-key';
export { serverMessage } from './server-message';
export { generatorFromSpec, isEndpointSpec, type GeneratorFromSpecOptions, type SpecGenerator } from './from-spec';
export {
  listServedModels,
  probeServers,
  SERVER_PRESETS,
  MODELS_LIST_BYTES,
  type ServerPreset,
  type ServedModelsOptions,
} from './served-models';
