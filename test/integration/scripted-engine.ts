// A scripted engine double for the in-host tests: predictable text, a controllable stream speed and
// injectable failures, with the same surface as the real EngineClient. Never used by the product.
import type {
  BatchOptions,
  EngineInfo,
  LoadProgress,
  ModelInfo,
  GenerateRequest,
  GenerateResult,
} from '../../src/core/engine/types';
import type { Engine } from '../../src/vscode/model/engine-factory';

export interface ScriptedOptions {
  /** The whole rewrite, or a function of the request (e.g. to echo the text). */
  output?: string | ((req: GenerateRequest) => string);
  /** Milliseconds between streamed pieces. */
  delayMs?: number;
  /** Pieces the output streams in (default: word by word, spaces kept). */
  pieces?: (text: string) => string[];
  loadError?: { code: string; message: string };
  rewriteError?: { code: string; message: string };
  modelName?: string;
  /**
   * How the judge answers a request with a jsonSchema (the judge prompts): the score for the text it
   * grades (default 50) and an optional critique. The answer is the JSON the schema asks for.
   */
  judge?: (text: string, req: GenerateRequest) => { score: number; critique?: string };
  /** What info() reports besides the defaults (adapters, adapter errors, backends, a GPU fallback). */
  info?: Partial<EngineInfo>;
  /**
   * Offer generateBatch, as the local engine does: the jobs of a batch stream at once, interleaved (each
   * with its own onToken), and the batch's signal stops all of them. `batches` records each batch's size.
   */
  batch?: boolean;
}

function engineError(code: string, message: string): Error {
  const err = new Error(message) as Error & { code: string };
  err.name = 'EngineError';
  err.code = code;
  return err;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ScriptedEngine implements Engine {
  readonly loads: string[] = [];
  readonly requests: GenerateRequest[] = [];
  /** Prewarm calls, in order. */
  readonly prewarms: string[] = [];
  /** unload() calls that freed a model. */
  unloads = 0;
  /** Loads of the last model made by generate or prewarm after an unload, as EngineClient does. */
  reloads = 0;
  disposed = false;
  private lastModel: string | undefined;
  private unloaded = false;
  private readonly crashListeners = new Set<(reason: string) => void>();

  /** With options.batch: the size of every generateBatch call, in order. */
  readonly batches: number[] = [];
  generateBatch?: (reqs: readonly GenerateRequest[], opts?: BatchOptions) => Promise<GenerateResult[]>;

  constructor(public options: ScriptedOptions = {}) {
    if (options.batch)
      this.generateBatch = (reqs, opts = {}) => {
        this.batches.push(reqs.length);
        opts.onParallel?.(reqs.length);
        const signal = opts.signal;
        return Promise.all(
          reqs.map((r) =>
            this.generate(signal ? { ...r, signal: r.signal ? AbortSignal.any([r.signal, signal]) : signal } : r),
          ),
        );
      };
  }

  async load(
    spec: string,
    opts: { onProgress?: (p: LoadProgress) => void; signal?: AbortSignal } = {},
  ): Promise<ModelInfo> {
    this.loads.push(spec);
    if (this.options.loadError) throw engineError(this.options.loadError.code, this.options.loadError.message);
    this.lastModel = spec;
    this.unloaded = false;
    opts.onProgress?.({ phase: 'load', fraction: 0.5 });
    opts.onProgress?.({ phase: 'load', fraction: 1 });
    return {
      name: this.options.modelName ?? 'Scripted engine double',
      file: spec,
      sizeBytes: 1,
      trainedContextSize: 4096,
      architecture: 'scripted',
      cptTuned: false,
    };
  }

  async generate(req: GenerateRequest): Promise<GenerateResult> {
    this.reloadIfUnloaded();
    this.requests.push(req);
    const t0 = Date.now();
    if (this.options.rewriteError) {
      await sleep(this.options.delayMs ?? 0);
      throw engineError(this.options.rewriteError.code, this.options.rewriteError.message);
    }
    const out = this.options.output;
    const text = req.jsonSchema
      ? this.judgement(req)
      : typeof out === 'function'
        ? out(req)
        : (out ?? 'A rewritten sentence.');
    const pieces = this.options.pieces?.(text) ?? text.split(/(?<= )/);
    let sent = '';
    for (const piece of pieces) {
      if (this.options.delayMs) await sleep(this.options.delayMs);
      if (req.signal?.aborted) return this.result(sent, 'aborted', t0);
      sent += piece;
      req.onToken?.(piece);
    }
    return this.result(sent, 'eos', t0);
  }

  /** The judge's answer: {"critique", "score"} for the text between the judge prompt's <text> tags. */
  private judgement(req: GenerateRequest): string {
    const graded = /<text>\n([\s\S]*)\n<\/text>/.exec(req.user)?.[1] ?? '';
    const j = this.options.judge?.(graded, req) ?? { score: 50 };
    return JSON.stringify({
      critique: j.critique ?? `scripted judgement of ${graded.length} characters`,
      score: j.score,
    });
  }

  private result(text: string, stopReason: GenerateResult['stopReason'], t0: number): GenerateResult {
    const ms = Date.now() - t0;
    return {
      text,
      stopReason,
      promptTokens: 10,
      reusedPromptTokens: 0,
      outputTokens: text.length,
      timeToFirstTokenMs: 1,
      tokensPerSecond: 1,
      totalMs: ms,
    };
  }

  async prewarm(system: string): Promise<{ tokens: number; ms: number }> {
    this.reloadIfUnloaded();
    this.prewarms.push(system);
    return { tokens: 0, ms: 0 };
  }

  async info(): Promise<EngineInfo> {
    return { backend: 'cpu', gpuLayers: 0, totalLayers: 1, contextSize: 4096, threads: 1, ...this.options.info };
  }

  async unload(): Promise<boolean> {
    if (!this.lastModel || this.unloaded) return false;
    this.unloaded = true;
    this.unloads++;
    return true;
  }

  get isLoaded(): boolean {
    return !!this.lastModel && !this.unloaded;
  }

  private reloadIfUnloaded(): void {
    if (!this.unloaded || !this.lastModel) return;
    this.unloaded = false;
    this.reloads++;
  }

  onCrash(listener: (reason: string) => void): { dispose(): void } {
    this.crashListeners.add(listener);
    return { dispose: () => this.crashListeners.delete(listener) };
  }

  /** Simulates the engine process dying. */
  crash(reason: string): void {
    for (const l of this.crashListeners) l(reason);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }
}
