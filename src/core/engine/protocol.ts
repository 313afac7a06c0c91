// The typed messages between EngineClient and the engine process, with runtime checks on both sides:
// a message that fails its check is a bug (or a mismatched build) and is reported, never acted on.
import {
  BACKENDS,
  GPU_SETTINGS,
  type EngineErrorCode,
  type EngineInfo,
  type EngineSettings,
  type GenerateResult,
  type JsonSchema,
  type LoadedAdapter,
  type LoadProgress,
  type LoraAdapter,
  type ModelInfo,
  type PromptCacheSettings,
} from './types';

export type LlamaLogLevel = 'error' | 'warn' | 'info' | 'debug';

/** What the engine process needs to know before its first call. */
export interface WireSettings extends EngineSettings {
  lora: LoraAdapter[];
  promptCache: PromptCacheSettings;
  logLevel: LlamaLogLevel;
}

export interface LoadParams {
  spec: string;
}
export interface GenerateParams {
  system: string;
  user: string;
  userPrefix?: string;
  maxTokens: number;
  temperature: number;
  seed?: number;
  jsonSchema?: JsonSchema;
}
/** Several chat completions at once, as parallel sequences of one context where memory allows. */
export interface GenerateBatchParams {
  jobs: GenerateParams[];
}
/** One result per job, in order, and how many sequences ran at once (1: one after another). */
export interface GenerateBatchResult {
  results: GenerateResult[];
  parallel: number;
}
export interface PrewarmParams {
  system: string;
  userPrefix?: string;
}
/** `restoredTokens` of the `tokens` came from the prompt cache instead of being evaluated. */
export interface PrewarmResult {
  tokens: number;
  ms: number;
  restoredTokens: number;
}
/** `unloaded` is false when no model was loaded. */
export interface UnloadResult {
  unloaded: boolean;
}

/** The calls the client makes, each answered by one `result` or `error` message with the call's id. */
export interface CallMap {
  /** Resolve a model spec (downloading with `progress`), then replace the loaded model with it. */
  load: { params: LoadParams; result: ModelInfo };
  /** One chat completion, streamed as `token` messages; a `cancel` resolves it with the partial text. */
  generate: { params: GenerateParams; result: GenerateResult };
  /**
   * Chat completions run together, each streamed as `token` messages that carry its `job` index; a `cancel`
   * stops every one of them, each resolving with its partial text.
   */
  generateBatch: { params: GenerateBatchParams; result: GenerateBatchResult };
  /** Make a system prompt and user-message start resident (and saved in the prompt cache) ahead of a rewrite. */
  prewarm: { params: PrewarmParams; result: PrewarmResult };
  /** The backend, offload, context, adapters and loaded model; answered at once, even during a rewrite. */
  info: { params: Record<string, never>; result: EngineInfo };
  /** Free the model and its context (the process and its backend stay) until the next load. */
  unload: { params: Record<string, never>; result: UnloadResult };
}
export type Method = keyof CallMap;

/** client → engine, first and once: the settings every later call runs with. */
export interface InitMessage {
  type: 'init';
  settings: WireSettings;
}
/** client → engine: run a method of CallMap; `id` ties the answer and its stream to it. */
export type CallMessage = {
  [M in Method]: { type: 'call'; id: number; method: M; params: CallMap[M]['params'] };
}[Method];
/** client → engine: stop call `id` soon (a generate resolves with what it has, a load rejects CANCELLED). */
export interface CancelMessage {
  type: 'cancel';
  id: number;
}
/** client → engine: abort every call, release the model and exit. */
export interface ShutdownMessage {
  type: 'shutdown';
}

/** engine → client: call `id` succeeded with `value` (the client checks it with RESULT_CHECKS). */
export interface ResultMessage {
  type: 'result';
  id: number;
  value: unknown;
}
/** engine → client: call `id` failed. */
export interface ErrorMessage {
  type: 'error';
  id: number;
  code: EngineErrorCode;
  message: string;
}
/** engine → client: the next piece of generate `id`'s text (of its job `job` in a generateBatch), in order. */
export interface TokenMessage {
  type: 'token';
  id: number;
  text: string;
  job?: number;
}
/** engine → client: download or load progress of load `id`. */
export interface ProgressMessage {
  type: 'progress';
  id: number;
  progress: LoadProgress;
}
/**
 * engine → client: load `id` has moved on to another step (resolving the file, reading the model, making
 * the context, warming up). It says the load is still getting somewhere, like `progress`, so the client's
 * load timeout counts the time since the last step or progress rather than since the call.
 */
export interface StepMessage {
  type: 'step';
  id: number;
  step: string;
}
/** engine → client: a log line from the engine process or llama.cpp, for the client's logger. */
export interface LogMessage {
  type: 'log';
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  message: string;
}

export type ClientToEngine = InitMessage | CallMessage | CancelMessage | ShutdownMessage;
export type EngineToClient = ResultMessage | ErrorMessage | TokenMessage | ProgressMessage | StepMessage | LogMessage;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isInt = (v: unknown): v is number => Number.isInteger(v);
const optional = <T>(v: unknown, check: (x: unknown) => x is T): boolean => v === undefined || check(v);

const ERROR_CODES: readonly EngineErrorCode[] = [
  'MODEL_NOT_FOUND',
  'NOT_GGUF',
  'MODEL_LOAD_FAILED',
  'DOWNLOAD_FAILED',
  'NOT_LOADED',
  'ENGINE_CRASHED',
  'CANCELLED',
  'ADAPTER_FAILED',
  'INTERNAL',
];
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'];
const METHODS: readonly Method[] = ['load', 'generate', 'generateBatch', 'prewarm', 'info', 'unload'];

export const isLoraAdapter = (v: unknown): v is LoraAdapter =>
  isObj(v) && isStr(v.path) && v.path.length > 0 && isNum(v.scale);

export const isPromptCacheSettings = (v: unknown): v is PromptCacheSettings =>
  isObj(v) &&
  typeof v.enabled === 'boolean' &&
  isStr(v.directory) &&
  (v.directory.length > 0 || !v.enabled) &&
  isNum(v.maxMB) &&
  v.maxMB >= 0;

export function isWireSettings(v: unknown): v is WireSettings {
  return (
    isObj(v) &&
    (GPU_SETTINGS as readonly string[]).includes(v.gpu as string) &&
    (v.gpuLayers === 'auto' || (isInt(v.gpuLayers) && v.gpuLayers >= 0)) &&
    (v.contextSize === 'auto' || (isInt(v.contextSize) && v.contextSize > 0)) &&
    isInt(v.threads) &&
    v.threads >= 0 &&
    isStr(v.modelsDirectory) &&
    Array.isArray(v.lora) &&
    v.lora.every(isLoraAdapter) &&
    isPromptCacheSettings(v.promptCache) &&
    optional(v.parallelMemoryMB, (x): x is number => isNum(x) && x >= 0) &&
    ['error', 'warn', 'info', 'debug'].includes(v.logLevel as string)
  );
}

/** At most this many jobs in one generateBatch (a best-of-N or a bulk run's window, never a whole file). */
export const MAX_BATCH_JOBS = 64;

function isGenerateParams(p: unknown): boolean {
  return (
    isObj(p) &&
    isStr(p.system) &&
    isStr(p.user) &&
    optional(p.userPrefix, isStr) &&
    isInt(p.maxTokens) &&
    p.maxTokens > 0 &&
    isNum(p.temperature) &&
    p.temperature >= 0 &&
    optional(p.seed, isInt) &&
    optional(p.jsonSchema, isObj)
  );
}

function isParams(method: Method, p: unknown): boolean {
  if (!isObj(p)) return false;
  switch (method) {
    case 'load':
      return isStr(p.spec) && p.spec.length > 0;
    case 'generateBatch':
      return (
        Array.isArray(p.jobs) && p.jobs.length > 0 && p.jobs.length <= MAX_BATCH_JOBS && p.jobs.every(isGenerateParams)
      );
    case 'generate':
      return (
        isStr(p.system) &&
        isStr(p.user) &&
        optional(p.userPrefix, isStr) &&
        isInt(p.maxTokens) &&
        p.maxTokens > 0 &&
        isNum(p.temperature) &&
        p.temperature >= 0 &&
        optional(p.seed, isInt) &&
        optional(p.jsonSchema, isObj)
      );
    case 'prewarm':
      return isStr(p.system) && (p.userPrefix === undefined || isStr(p.userPrefix));
    case 'info':
      return Object.keys(p).length === 0;
    case 'unload':
      return Object.keys(p).length === 0;
  }
}

export function isClientToEngine(m: unknown): m is ClientToEngine {
  if (!isObj(m)) return false;
  switch (m.type) {
    case 'init':
      return isWireSettings(m.settings);
    case 'call':
      return isInt(m.id) && METHODS.includes(m.method as Method) && isParams(m.method as Method, m.params);
    case 'cancel':
      return isInt(m.id);
    case 'shutdown':
      return true;
    default:
      return false;
  }
}

export function isLoadProgress(p: unknown): p is LoadProgress {
  return (
    isObj(p) &&
    (p.phase === 'download' || p.phase === 'load') &&
    isNum(p.fraction) &&
    optional(p.downloadedBytes, isNum) &&
    optional(p.totalBytes, isNum)
  );
}

export function isEngineToClient(m: unknown): m is EngineToClient {
  if (!isObj(m)) return false;
  switch (m.type) {
    case 'result':
      return isInt(m.id) && 'value' in m;
    case 'error':
      return isInt(m.id) && ERROR_CODES.includes(m.code as EngineErrorCode) && isStr(m.message);
    case 'token':
      return isInt(m.id) && isStr(m.text) && optional(m.job, isInt);
    case 'progress':
      return isInt(m.id) && isLoadProgress(m.progress);
    case 'step':
      return isInt(m.id) && isStr(m.step);
    case 'log':
      return LOG_LEVELS.includes(m.level as string) && isStr(m.message);
    default:
      return false;
  }
}

export function isModelInfo(v: unknown): v is ModelInfo {
  return (
    isObj(v) &&
    isStr(v.name) &&
    isStr(v.file) &&
    isNum(v.sizeBytes) &&
    isNum(v.trainedContextSize) &&
    isStr(v.architecture) &&
    typeof v.cptTuned === 'boolean'
  );
}

export function isGenerateResult(v: unknown): v is GenerateResult {
  return (
    isObj(v) &&
    isStr(v.text) &&
    ['eos', 'maxTokens', 'aborted'].includes(v.stopReason as string) &&
    isInt(v.promptTokens) &&
    isInt(v.reusedPromptTokens) &&
    optional(v.restoredPromptTokens, isInt) &&
    isInt(v.outputTokens) &&
    isNum(v.timeToFirstTokenMs) &&
    isNum(v.tokensPerSecond) &&
    isNum(v.totalMs)
  );
}

export function isGenerateBatchResult(v: unknown): v is GenerateBatchResult {
  return (
    isObj(v) && Array.isArray(v.results) && v.results.every(isGenerateResult) && isInt(v.parallel) && v.parallel >= 1
  );
}

export function isPrewarmResult(v: unknown): v is PrewarmResult {
  return isObj(v) && isInt(v.tokens) && isNum(v.ms) && isInt(v.restoredTokens) && v.restoredTokens <= v.tokens;
}

export function isUnloadResult(v: unknown): v is UnloadResult {
  return isObj(v) && typeof v.unloaded === 'boolean';
}

const isLoadedAdapter = (v: unknown): v is LoadedAdapter => isLoraAdapter(v) && isStr((v as unknown as Obj).name);
const listOf =
  <T>(check: (x: unknown) => x is T) =>
  (v: unknown): v is T[] =>
    Array.isArray(v) && v.every(check);

export function isEngineInfo(v: unknown): v is EngineInfo {
  return (
    isObj(v) &&
    (BACKENDS as readonly string[]).includes(v.backend as string) &&
    isInt(v.gpuLayers) &&
    isInt(v.totalLayers) &&
    isInt(v.contextSize) &&
    isInt(v.threads) &&
    optional(v.vram, (x): x is object => isObj(x) && isNum(x.usedBytes) && isNum(x.totalBytes)) &&
    optional(v.model, isModelInfo) &&
    optional(v.gpuFallback, isStr) &&
    optional(v.adapters, listOf(isLoadedAdapter)) &&
    optional(v.promptCache, (x): x is object => isObj(x) && isStr(x.directory) && isNum(x.maxMB)) &&
    optional(
      v.backends,
      listOf(
        (x): x is object =>
          isObj(x) &&
          (BACKENDS as readonly string[]).includes(x.backend as string) &&
          typeof x.binary === 'boolean' &&
          typeof x.drivers === 'boolean' &&
          optional(x.binsDir, isStr),
      ),
    )
  );
}

export const RESULT_CHECKS: { [M in Method]: (v: unknown) => v is CallMap[M]['result'] } = {
  load: isModelInfo,
  generate: isGenerateResult,
  generateBatch: isGenerateBatchResult,
  prewarm: isPrewarmResult,
  info: isEngineInfo,
  unload: isUnloadResult,
};
