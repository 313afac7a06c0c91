// OpenAI-compatible endpoints as TextGenerators, and the one spec → generator factory (GGUF or URL).
export { EndpointGenerator, displayUrl, checkBaseUrl, retryAfterMs, type EndpointOptions } from './client';
export { EndpointError, endpointErrorCode, type EndpointErrorCode } from './errors';
export { apiKeyFromEnv, redact } from './api-key';
export { serverMessage } from './server-message';
export { generatorFromSpec, isEndpointSpec, type GeneratorFromSpecOptions, type SpecGenerator } from './from-spec';
