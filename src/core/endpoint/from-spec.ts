// One way for every command that needs "a model that answers" (a teacher, a judge): a GGUF spec runs
// in our engine process, an http(s) API root goes to an OpenAI-compatible server.
import path from 'node:path';
import { EngineClient } from '../engine/client';
import type { EngineClientOptions, LoadProgress, ModelInfo, TextGenerator } from '../engine/types';
import { EndpointGenerator, type EndpointOptions } from './client';
import { displayUrl } from './endpoint-url';
import { EndpointError } from './errors';

/**
 * True for an OpenAI-compatible API root. An http(s) URL whose path ends in .gguf is a model to
 * download (as everywhere else in the product); any other http(s) URL is a server to talk to.
 */
export function isEndpointSpec(spec: string): boolean {
  const s = spec.trim();
  if (!/^https?:\/\//i.test(s)) return false;
  try {
    return !/\.gguf$/i.test(new URL(s).pathname);
  } catch {
    return true;
  }
}

export interface GeneratorFromSpecOptions {
  /** The model name an endpoint serves; required for an endpoint, refused for a GGUF. */
  endpointModel?: string;
  /** How the model-name flag is spelt, for messages (e.g. "--teacher-model"). */
  endpointModelFlag?: string;
  /** The key, already read from the environment variable the user named. */
  apiKey?: string;
  endpoint?: Omit<EndpointOptions, 'baseURL' | 'model' | 'apiKey'>;
  /** Engine settings for a GGUF spec. */
  engine?: EngineClientOptions;
  signal?: AbortSignal;
  onLoadProgress?: (p: LoadProgress) => void;
}

export interface SpecGenerator {
  generator: TextGenerator;
  kind: 'local' | 'endpoint';
  /** How it is named in reports and data files: "model @ http://host/v1", or the GGUF's name and file. */
  name: string;
  /** The loaded model, for a GGUF spec. */
  model?: ModelInfo;
  /** Stops the engine process of a GGUF spec; nothing to do for an endpoint. */
  dispose(): Promise<void>;
}

/** Loads a GGUF in a fresh engine process, or sets up an endpoint client (no request is sent yet). */
export async function generatorFromSpec(spec: string, options: GeneratorFromSpecOptions = {}): Promise<SpecGenerator> {
  const flag = options.endpointModelFlag ?? 'the endpoint model name';
  if (isEndpointSpec(spec)) {
    if (!options.endpointModel?.trim()) {
      throw new EndpointError(
        'CONFIG',
        `${displayUrl(spec)} is an OpenAI-compatible endpoint: give the model it serves with ${flag} NAME`,
      );
    }
    const generator = new EndpointGenerator({
      ...options.endpoint,
      baseURL: spec.trim(),
      model: options.endpointModel,
      apiKey: options.apiKey,
    });
    return { generator, kind: 'endpoint', name: generator.name, dispose: async () => undefined };
  }
  if (options.endpointModel !== undefined) {
    throw new EndpointError('CONFIG', `${flag} is only for an http(s) endpoint; ${spec} is a local model`);
  }
  const engine = new EngineClient(options.engine ?? {});
  try {
    const model = await engine.load(spec, { onProgress: options.onLoadProgress, signal: options.signal });
    return {
      generator: engine,
      kind: 'local',
      name: `${model.name} (${path.basename(model.file)})`,
      model,
      dispose: () => engine.dispose(),
    };
  } catch (err) {
    await engine.dispose();
    throw err;
  }
}
