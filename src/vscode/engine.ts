// The engine surface the extension uses, so in-host tests can swap the real EngineClient (a child
// process running node-llama-cpp) for a scripted double through the activate() API.
import type { EngineClientOptions, EngineErrorCode, EngineInfo, LoadProgress, ModelInfo, RewriteRequest, RewriteResult } from '../core/engine';
import { EngineClient } from '../core/engine';

export interface Engine {
  load(spec: string, opts?: { onProgress?: (p: LoadProgress) => void; signal?: AbortSignal }): Promise<ModelInfo>;
  rewrite(req: RewriteRequest): Promise<RewriteResult>;
  prewarm(system: string, options?: { userPrefix?: string }): Promise<{ tokens: number; ms: number }>;
  info(): Promise<EngineInfo>;
  onCrash(listener: (reason: string) => void): { dispose(): void };
  dispose(): Promise<void>;
}

export type EngineFactory = (options: EngineClientOptions) => Engine;

export const realEngineFactory: EngineFactory = (options) => new EngineClient(options);

/**
 * The EngineError code of `err`, by shape rather than instanceof: an engine double in the tests (or a
 * second copy of the core) throws errors from another module instance.
 */
export function engineErrorCode(err: unknown): EngineErrorCode | undefined {
  if (!(err instanceof Error) || err.name !== 'EngineError') return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? (code as EngineErrorCode) : undefined;
}
