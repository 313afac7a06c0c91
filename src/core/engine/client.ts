// API contract (helper implements): the client half of the engine; the model runs in a child process.
import type { EngineClientOptions, EngineInfo, LoadProgress, ModelInfo, RewriteRequest, RewriteResult } from './types';

export class EngineClient {
  constructor(readonly options: EngineClientOptions = {}) {}

  /** Resolves a model spec (file path, https: URL, hf: URI; downloads with resume), then loads it. */
  async load(_spec: string, _opts: { onProgress?: (p: LoadProgress) => void; signal?: AbortSignal } = {}): Promise<ModelInfo> {
    throw new Error('not implemented');
  }

  /** Streams a rewrite; an aborted signal resolves with stopReason 'aborted' and the partial text. */
  async rewrite(_req: RewriteRequest): Promise<RewriteResult> {
    throw new Error('not implemented');
  }

  /** Evaluates a system prompt now so the next rewrite with it reuses its KV prefix. */
  async prewarm(_system: string): Promise<{ tokens: number; ms: number }> {
    throw new Error('not implemented');
  }

  async info(): Promise<EngineInfo> {
    throw new Error('not implemented');
  }

  /** Fires when the engine process dies unexpectedly (the next call starts a fresh one). */
  onCrash(_listener: (reason: string) => void): { dispose(): void } {
    throw new Error('not implemented');
  }

  async dispose(): Promise<void> {
    throw new Error('not implemented');
  }
}
