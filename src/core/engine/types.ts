import type { Logger } from '../log';
import type { Backend, GenerateResult } from './generation';
import { CptError } from '../errors';

// Plain data the webview's protocol also uses; declared in ./generation.ts, which has no Node types.
export type { Backend, GenerateResult } from './generation';

export type GpuSetting = 'auto' | 'cuda' | 'vulkan' | 'metal' | 'off';
/** Every GpuSetting, for settings validation, CLI flags and the IPC check. */
export const GPU_SETTINGS: readonly GpuSetting[] = ['auto', 'cuda', 'vulkan', 'metal', 'off'];
export const BACKENDS: readonly Backend[] = ['cpu', 'cuda', 'vulkan', 'metal'];

/** Settings passed through from `cptWriter.*` (or CLI flags) to the engine process. */
export interface EngineSettings {
  gpu: GpuSetting;
  /** 'auto' lets node-llama-cpp fit what VRAM allows; a number asks for exactly that many layers. */
  gpuLayers: 'auto' | number;
  /** Tokens; 'auto' = min(model's trained context, 8192). */
  contextSize: 'auto' | number;
  /** CPU threads for generation; 0 = physical cores. Never node-llama-cpp's oversubscribing default. */
  threads: number;
  /** Where `https:` and `hf:` models are downloaded to. */
  modelsDirectory: string;
  /** LoRA adapters applied on top of every model this engine loads, in order (none when absent). */
  lora?: LoraAdapter[];
  /**
   * The persistent prompt-state cache: evaluated prompt prefixes saved to disk, restored after a restart (off when
   * absent).
   */
  promptCache?: PromptCacheSettings;
  /**
   * At most this much memory (MiB) for the contexts that run a batch's jobs as parallel sequences; fewer run
   * at once when they do not fit (absent or 0: what node-llama-cpp reports free, RAM or VRAM, decides).
   */
  parallelMemoryMB?: number;
}

/** A LoRA adapter GGUF and how strongly it applies (1 = as trained, 0 = not at all). */
export interface LoraAdapter {
  path: string;
  scale: number;
}

export interface PromptCacheSettings {
  /** Off: nothing is read from or written to `directory`. */
  enabled: boolean;
  directory: string;
  /** Size cap of the whole directory in MiB; the least recently used entries go first. */
  maxMB: number;
}

export interface EngineClientOptions extends Partial<Omit<EngineSettings, 'promptCache'>> {
  /** Missing fields take the defaults: off, defaultPromptCacheDirectory(), DEFAULT_PROMPT_CACHE_MAX_MB. */
  promptCache?: Partial<PromptCacheSettings>;
  logger?: Logger;
  /** The engine-process entry file; defaults to engine-process.js beside the client's own file. */
  processEntry?: string;
  /** Extra environment for the engine process (e.g. ELECTRON_RUN_AS_NODE, LD_LIBRARY_PATH). */
  env?: NodeJS.ProcessEnv;
  /** Node executable for the child; defaults to process.execPath. */
  execPath?: string;
  /** How much of llama.cpp's own log to forward to `logger` (default 'warn'; 'info' is very chatty). */
  llamaLogLevel?: 'error' | 'warn' | 'info' | 'debug';
  /**
   * How long a load may go without getting anywhere (no download bytes, no load progress from llama.cpp,
   * no next step) before the engine process is stopped and the load fails with MODEL_LOAD_FAILED; default
   * DEFAULT_LOAD_TIMEOUT_MS, 0 = no limit. Counted from the last sign of progress, so a big model on a slow
   * disk that keeps loading is never cut off, and a load stuck in the native code is.
   */
  loadTimeoutMs?: number;
  /**
   * Start the engine in a process group (and session) of its own. The CLI sets it: a terminal's Ctrl+C then
   * reaches only the CLI, which cancels the generation and shuts the engine down, instead of killing the
   * engine mid-stream. The engine still exits when its parent goes away.
   */
  detached?: boolean;
}

export interface LoadProgress {
  phase: 'download' | 'load';
  /** 0..1 */
  fraction: number;
  downloadedBytes?: number;
  totalBytes?: number;
}

export interface ModelInfo {
  /** general.name from the GGUF, else the file name. */
  name: string;
  /** Absolute path of the GGUF on disk (after any download). */
  file: string;
  sizeBytes: number;
  trainedContextSize: number;
  architecture: string;
  /** True when the name or metadata marks it as CPT-tuned ("configurable-preference", "cpt"). */
  cptTuned: boolean;
}

export interface EngineInfo {
  backend: Backend;
  /** Layers offloaded to the GPU (0 on CPU). */
  gpuLayers: number;
  totalLayers: number;
  vram?: { usedBytes: number; totalBytes: number };
  contextSize: number;
  threads: number;
  model?: ModelInfo;
  /** Set when a GPU was asked for but the engine fell back (to fewer layers or the CPU); say why. */
  gpuFallback?: string;
  /** The LoRA adapters applied to the loaded model, in order. */
  adapters?: LoadedAdapter[];
  /** Where evaluated prompt prefixes are saved, when the prompt cache is on. */
  promptCache?: { directory: string; maxMB: number };
  /**
   * Every backend node-llama-cpp knows for this platform: whether its binary is installed and the machine has what it
   * needs.
   */
  backends?: BackendAvailability[];
}

/** One backend as this install and machine have it (node-llama-cpp's binary lookup and its driver detection). */
export interface BackendAvailability {
  backend: Backend;
  /**
   * Its prebuilt binary package is installed (in the package's node_modules, or added to the storage folder) for this
   * node-llama-cpp.
   */
  binary: boolean;
  /** node-llama-cpp found the libraries and drivers it needs on this machine (the CPU needs none). */
  drivers: boolean;
  /** Where its binaries were found (the package's bins folder), when installed. */
  binsDir?: string;
}

export interface LoadedAdapter extends LoraAdapter {
  /** general.name from the adapter GGUF, else the file name. */
  name: string;
}

/** A JSON schema in the subset node-llama-cpp turns into a grammar (type, properties, required, enum, items, ...). */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** One chat completion: a system prompt, a user message, sampling. Rewrites, judging and teaching all use it. */
export interface GenerateRequest {
  system: string;
  user: string;
  maxTokens?: number;
  temperature?: number;
  seed?: number;
  /**
   * Constrains the output to JSON matching this schema (node-llama-cpp's JSON-schema grammar), so even a
   * weak model yields something that parses. The grammar ignores numeric minimum/maximum: bound numbers
   * with `enum` instead.
   */
  jsonSchema?: JsonSchema;
  /**
   * The start of `user` that other requests share (a rewrite's instruction, as in rewritePromptPrefix):
   * the prompt cache then keeps the prompt up to its end, not only up to the end of the system prompt.
   */
  userPrefix?: string;
  signal?: AbortSignal;
  /** Called with each streamed piece of text, in order; the pieces join to GenerateResult.text. */
  onToken?: (text: string) => void;
}

export type EngineErrorCode =
  | 'MODEL_NOT_FOUND'
  | 'NOT_GGUF'
  | 'MODEL_LOAD_FAILED'
  | 'DOWNLOAD_FAILED'
  | 'NOT_LOADED'
  | 'ENGINE_CRASHED'
  | 'CANCELLED'
  | 'ADAPTER_FAILED'
  | 'INTERNAL';

/** Every engine failure the client surfaces: a stable code plus a message a writer can act on. */
export class EngineError extends CptError<EngineErrorCode> {
  constructor(code: EngineErrorCode, message: string) {
    super(code, message);
    this.name = 'EngineError';
  }
}

/**
 * Anything that answers one chat completion: the local engine, or a client of an OpenAI-compatible
 * server. The rewrite use case, the judge and a teacher need only this.
 */
export interface TextGenerator {
  /** Streams one generation; an aborted signal resolves with stopReason 'aborted' and the partial text. */
  generate(req: GenerateRequest): Promise<GenerateResult>;
  /**
   * Several generations run together (the local engine: parallel sequences of one context), each streaming
   * to its own onToken, results in order; `opts.signal` stops them all. Absent where a generator has no
   * cheaper way than one after another: generateAll (./batch) then runs them in turn.
   */
  generateBatch?(reqs: readonly GenerateRequest[], opts?: BatchOptions): Promise<GenerateResult[]>;
}

export interface BatchOptions {
  /** Stops every job of the batch; each resolves with stopReason 'aborted' and its partial text. */
  signal?: AbortSignal;
  /** How many jobs ran at once (1: one after another, where memory did not allow more). */
  onParallel?: (parallel: number) => void;
}

/**
 * What the rest of the product uses of an engine: EngineClient implements it over a child process, and
 * the in-host tests swap in a scripted double with the same surface.
 */
export interface Engine extends TextGenerator {
  /** Resolves a model spec (file path, https: URL, hf: URI; downloads with resume), then loads it. */
  load(spec: string, opts?: { onProgress?: (p: LoadProgress) => void; signal?: AbortSignal }): Promise<ModelInfo>;
  /**
   * Evaluates a system prompt (and the user message's fixed start) so the next rewrite reuses it;
   * `restoredTokens` of them came from the persistent prompt cache instead of being evaluated.
   */
  prewarm(
    system: string,
    options?: { userPrefix?: string },
  ): Promise<{ tokens: number; ms: number; restoredTokens?: number }>;
  info(): Promise<EngineInfo>;
  /**
   * Frees the loaded model and its context; the next generate or prewarm loads the same model again by
   * itself. Resolves false when no model was loaded.
   */
  unload(): Promise<boolean>;
  /** Whether a model is loaded (or will be reloaded by the next call after a crash); false after unload(). */
  readonly isLoaded: boolean;
  /** Fires when the engine stops unexpectedly; the next call starts a fresh one. */
  onCrash(listener: (reason: string) => void): { dispose(): void };
  dispose(): Promise<void>;
}

/**
 * The EngineError code of `err`, by shape rather than instanceof: a double or a second copy of core throws its own
 * class.
 */
export function engineErrorCode(err: unknown): EngineErrorCode | undefined {
  if (!(err instanceof Error) || err.name !== 'EngineError') return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? (code as EngineErrorCode) : undefined;
}
