// The typed messages between EngineClient and the engine process, with runtime checks on both sides:
// a message that fails its check is a bug (or a mismatched build) and is reported, never acted on.
import { BACKENDS, GPU_SETTINGS, type EngineErrorCode, type EngineInfo, type EngineSettings, type LoadProgress, type ModelInfo, type GenerateResult, type JsonSchema } from './types';

export type LlamaLogLevel = 'error' | 'warn' | 'info' | 'debug';

/** What the engine process needs to know before its first call. */
export interface WireSettings extends EngineSettings {
  logLevel: LlamaLogLevel;
}

export interface LoadParams { spec: string }
export interface GenerateParams { system: string; user: string; maxTokens: number; temperature: number; seed?: number; jsonSchema?: JsonSchema }
export interface PrewarmParams { system: string; userPrefix?: string }
export interface PrewarmResult { tokens: number; ms: number }

export interface CallMap {
  load: { params: LoadParams; result: ModelInfo };
  generate: { params: GenerateParams; result: GenerateResult };
  prewarm: { params: PrewarmParams; result: PrewarmResult };
  info: { params: Record<string, never>; result: EngineInfo };
}
export type Method = keyof CallMap;

export type ClientToEngine =
  | { type: 'init'; settings: WireSettings }
  | { [M in Method]: { type: 'call'; id: number; method: M; params: CallMap[M]['params'] } }[Method]
  | { type: 'cancel'; id: number }
  | { type: 'shutdown' };

export type EngineToClient =
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; code: EngineErrorCode; message: string }
  | { type: 'token'; id: number; text: string }
  | { type: 'progress'; id: number; progress: LoadProgress }
  | { type: 'log'; level: 'trace' | 'debug' | 'info' | 'warn' | 'error'; message: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isInt = (v: unknown): v is number => Number.isInteger(v);
const optional = <T>(v: unknown, check: (x: unknown) => x is T): boolean => v === undefined || check(v);

const ERROR_CODES: readonly EngineErrorCode[] = ['MODEL_NOT_FOUND', 'NOT_GGUF', 'MODEL_LOAD_FAILED', 'DOWNLOAD_FAILED', 'NOT_LOADED', 'ENGINE_CRASHED', 'CANCELLED', 'INTERNAL'];
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'];
const METHODS: readonly Method[] = ['load', 'generate', 'prewarm', 'info'];

export function isWireSettings(v: unknown): v is WireSettings {
  return isObj(v) && (GPU_SETTINGS as readonly string[]).includes(v.gpu as string)
    && (v.gpuLayers === 'auto' || (isInt(v.gpuLayers) && v.gpuLayers >= 0))
    && (v.contextSize === 'auto' || (isInt(v.contextSize) && v.contextSize > 0))
    && isInt(v.threads) && v.threads >= 0 && isStr(v.modelsDirectory)
    && ['error', 'warn', 'info', 'debug'].includes(v.logLevel as string);
}

function isParams(method: Method, p: unknown): boolean {
  if (!isObj(p)) return false;
  switch (method) {
    case 'load': return isStr(p.spec) && p.spec.length > 0;
    case 'generate': return isStr(p.system) && isStr(p.user) && isInt(p.maxTokens) && p.maxTokens > 0
      && isNum(p.temperature) && p.temperature >= 0 && optional(p.seed, isInt) && optional(p.jsonSchema, isObj);
    case 'prewarm': return isStr(p.system) && (p.userPrefix === undefined || isStr(p.userPrefix));
    case 'info': return true;
  }
}

export function isClientToEngine(m: unknown): m is ClientToEngine {
  if (!isObj(m)) return false;
  switch (m.type) {
    case 'init': return isWireSettings(m.settings);
    case 'call': return isInt(m.id) && METHODS.includes(m.method as Method) && isParams(m.method as Method, m.params);
    case 'cancel': return isInt(m.id);
    case 'shutdown': return true;
    default: return false;
  }
}

export function isLoadProgress(p: unknown): p is LoadProgress {
  return isObj(p) && (p.phase === 'download' || p.phase === 'load') && isNum(p.fraction)
    && optional(p.downloadedBytes, isNum) && optional(p.totalBytes, isNum);
}

export function isEngineToClient(m: unknown): m is EngineToClient {
  if (!isObj(m)) return false;
  switch (m.type) {
    case 'result': return isInt(m.id) && 'value' in m;
    case 'error': return isInt(m.id) && ERROR_CODES.includes(m.code as EngineErrorCode) && isStr(m.message);
    case 'token': return isInt(m.id) && isStr(m.text);
    case 'progress': return isInt(m.id) && isLoadProgress(m.progress);
    case 'log': return LOG_LEVELS.includes(m.level as string) && isStr(m.message);
    default: return false;
  }
}

export function isModelInfo(v: unknown): v is ModelInfo {
  return isObj(v) && isStr(v.name) && isStr(v.file) && isNum(v.sizeBytes) && isNum(v.trainedContextSize)
    && isStr(v.architecture) && typeof v.cptTuned === 'boolean';
}

export function isGenerateResult(v: unknown): v is GenerateResult {
  return isObj(v) && isStr(v.text) && ['eos', 'maxTokens', 'aborted'].includes(v.stopReason as string)
    && isInt(v.promptTokens) && isInt(v.reusedPromptTokens) && isInt(v.outputTokens)
    && isNum(v.timeToFirstTokenMs) && isNum(v.tokensPerSecond) && isNum(v.totalMs);
}

export function isPrewarmResult(v: unknown): v is PrewarmResult {
  return isObj(v) && isInt(v.tokens) && isNum(v.ms);
}

export function isEngineInfo(v: unknown): v is EngineInfo {
  return isObj(v) && (BACKENDS as readonly string[]).includes(v.backend as string) && isInt(v.gpuLayers) && isInt(v.totalLayers)
    && isInt(v.contextSize) && isInt(v.threads)
    && optional(v.vram, (x): x is object => isObj(x) && isNum(x.usedBytes) && isNum(x.totalBytes))
    && optional(v.model, isModelInfo) && optional(v.gpuFallback, isStr);
}

export const RESULT_CHECKS: { [M in Method]: (v: unknown) => v is CallMap[M]['result'] } = {
  load: isModelInfo,
  generate: isGenerateResult,
  prewarm: isPrewarmResult,
  info: isEngineInfo,
};
