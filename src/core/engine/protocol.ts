// The typed messages between EngineClient and the engine process, declared once as valibot schemas (the
// schema library of every boundary; see src/shared/protocol.ts for the webview's). The message types are
// inferred from the schemas, and the result schemas are checked at compile time against the core types they
// validate, so a check cannot drift from its type. Both sides check what they receive: a message that fails
// its check is a bug (or a mismatched build) and is reported, never acted on. Objects here are open (unknown
// keys pass), as before: both ends come from one build, and a newer field must not break an older check.
import * as v from 'valibot';
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

/** Compiles only when A and B are the same type: a schema cannot drift from the core type it checks. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const same = <A, B>(ok: Same<A, B>): Same<A, B> => ok;

const str = v.string();
const nonEmptyStr = v.pipe(v.string(), v.minLength(1));
const num = v.pipe(v.number(), v.finite());
const nonNegNum = v.pipe(v.number(), v.finite(), v.minValue(0));
const int = v.pipe(v.number(), v.integer());
const nonNegInt = v.pipe(v.number(), v.integer(), v.minValue(0));
const posInt = v.pipe(v.number(), v.integer(), v.minValue(1));
const bool = v.boolean();
const plainObject = v.custom<Record<string, unknown>>(
  (x) => typeof x === 'object' && x !== null && !Array.isArray(x),
  'Expected an object',
);

const llamaLogLevel = v.picklist(['error', 'warn', 'info', 'debug']);
export type LlamaLogLevel = v.InferOutput<typeof llamaLogLevel>;

const loraAdapter = v.object({ path: nonEmptyStr, scale: num });
same<v.InferOutput<typeof loraAdapter>, LoraAdapter>(true);
/** One LoRA adapter entry (a non-empty path and a finite scale); also checks `cptWriter.loraAdapters` entries. */
export const LORA_ADAPTER_SCHEMA = loraAdapter;

const promptCacheSettings = v.pipe(
  v.object({ enabled: bool, directory: str, maxMB: nonNegNum }),
  v.check((c) => c.directory.length > 0 || !c.enabled, 'An enabled prompt cache needs a directory'),
);
same<v.InferOutput<typeof promptCacheSettings>, PromptCacheSettings>(true);

const wireSettings = v.object({
  gpu: v.picklist(GPU_SETTINGS),
  gpuLayers: v.union([v.literal('auto'), nonNegInt]),
  contextSize: v.union([v.literal('auto'), posInt]),
  threads: nonNegInt,
  modelsDirectory: str,
  lora: v.array(loraAdapter),
  promptCache: promptCacheSettings,
  parallelMemoryMB: v.optional(nonNegNum),
  logLevel: llamaLogLevel,
});
/** What the engine process needs to know before its first call. */
export type WireSettings = v.InferOutput<typeof wireSettings>;
same<Omit<WireSettings, 'lora' | 'promptCache' | 'logLevel'>, Omit<EngineSettings, 'lora' | 'promptCache'>>(true);

/** At most this many jobs in one generateBatch (a best-of-N or a bulk run's window, never a whole file). */
export const MAX_BATCH_JOBS = 64;

const jsonSchema = plainObject;
same<v.InferOutput<typeof jsonSchema>, JsonSchema>(true);
const generateParams = v.object({
  system: str,
  user: str,
  userPrefix: v.optional(str),
  maxTokens: posInt,
  temperature: nonNegNum,
  seed: v.optional(int),
  jsonSchema: v.optional(jsonSchema),
});
export type GenerateParams = v.InferOutput<typeof generateParams>;
const loadParams = v.object({ spec: nonEmptyStr });
export type LoadParams = v.InferOutput<typeof loadParams>;
/** Several chat completions at once, as parallel sequences of one context where memory allows. */
const generateBatchParams = v.object({
  jobs: v.pipe(v.array(generateParams), v.minLength(1), v.maxLength(MAX_BATCH_JOBS)),
});
export type GenerateBatchParams = v.InferOutput<typeof generateBatchParams>;
const prewarmParams = v.object({ system: str, userPrefix: v.optional(str) });
export type PrewarmParams = v.InferOutput<typeof prewarmParams>;
/** A whole chat prompt, counted with the loaded model's chat template and tokenizer. */
const promptTokensParams = v.object({ system: str, user: str });
export type PromptTokensParams = v.InferOutput<typeof promptTokensParams>;
/** Methods that take nothing: exactly `{}`. */
const noParams = v.strictObject({});

const loadProgress = v.object({
  phase: v.picklist(['download', 'load']),
  fraction: num,
  downloadedBytes: v.optional(num),
  totalBytes: v.optional(num),
});
same<v.InferOutput<typeof loadProgress>, LoadProgress>(true);

const modelInfo = v.object({
  name: str,
  file: str,
  sizeBytes: num,
  trainedContextSize: num,
  architecture: str,
  cptTuned: bool,
});
same<v.InferOutput<typeof modelInfo>, ModelInfo>(true);

const generateResult = v.object({
  text: str,
  stopReason: v.picklist(['eos', 'maxTokens', 'aborted']),
  promptTokens: int,
  reusedPromptTokens: int,
  restoredPromptTokens: v.optional(int),
  outputTokens: int,
  timeToFirstTokenMs: num,
  tokensPerSecond: num,
  totalMs: num,
});
same<v.InferOutput<typeof generateResult>, GenerateResult>(true);

/** One result per job, in order, and how many sequences ran at once (1: one after another). */
const generateBatchResult = v.object({ results: v.array(generateResult), parallel: posInt });
export type GenerateBatchResult = v.InferOutput<typeof generateBatchResult>;

/** `restoredTokens` of the `tokens` came from the prompt cache instead of being evaluated. */
const prewarmResult = v.pipe(
  v.object({ tokens: int, ms: num, restoredTokens: int }),
  v.check((r) => r.restoredTokens <= r.tokens, 'More restored tokens than tokens'),
);
export type PrewarmResult = v.InferOutput<typeof prewarmResult>;
/** `unloaded` is false when no model was loaded. */
const unloadResult = v.object({ unloaded: bool });
export type UnloadResult = v.InferOutput<typeof unloadResult>;
/** `tokens`: the prompt as a generate would evaluate it; `contextSize`: the loaded context's tokens. */
const promptTokensResult = v.object({ tokens: int, contextSize: int });
export type PromptTokensResult = v.InferOutput<typeof promptTokensResult>;

const backend = v.picklist(BACKENDS);
const loadedAdapter = v.object({ ...loraAdapter.entries, name: str });
same<v.InferOutput<typeof loadedAdapter>, LoadedAdapter>(true);
const engineInfo = v.object({
  backend,
  gpuLayers: int,
  totalLayers: int,
  vram: v.optional(v.object({ usedBytes: num, totalBytes: num })),
  contextSize: int,
  threads: int,
  model: v.optional(modelInfo),
  gpuFallback: v.optional(str),
  adapters: v.optional(v.array(loadedAdapter)),
  promptCache: v.optional(v.object({ directory: str, maxMB: num })),
  backends: v.optional(v.array(v.object({ backend, binary: bool, drivers: bool, binsDir: v.optional(str) }))),
});
same<v.InferOutput<typeof engineInfo>, EngineInfo>(true);

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
  /** Count a prompt's tokens without evaluating it, so work that cannot fit is skipped before it starts. */
  promptTokens: { params: PromptTokensParams; result: PromptTokensResult };
  /** The backend, offload, context, adapters and loaded model; answered at once, even during a rewrite. */
  info: { params: Record<string, never>; result: EngineInfo };
  /** Free the model and its context (the process and its backend stay) until the next load. */
  unload: { params: Record<string, never>; result: UnloadResult };
}
export type Method = keyof CallMap;

const call = <M extends Method, P extends v.GenericSchema>(method: M, params: P) =>
  v.object({ type: v.literal('call'), id: int, method: v.literal(method), params });

const clientToEngine = v.variant('type', [
  /** client → engine, first and once: the settings every later call runs with. */
  v.object({ type: v.literal('init'), settings: wireSettings }),
  /** client → engine: run a method of CallMap; `id` ties the answer and its stream to it. */
  v.variant('method', [
    call('load', loadParams),
    call('generate', generateParams),
    call('generateBatch', generateBatchParams),
    call('prewarm', prewarmParams),
    call('promptTokens', promptTokensParams),
    call('info', noParams),
    call('unload', noParams),
  ]),
  /** client → engine: stop call `id` soon (a generate resolves with what it has, a load rejects CANCELLED). */
  v.object({ type: v.literal('cancel'), id: int }),
  /** client → engine: abort every call, release the model and exit. */
  v.object({ type: v.literal('shutdown') }),
]);

const ERROR_CODES = [
  'MODEL_NOT_FOUND',
  'NOT_GGUF',
  'MODEL_LOAD_FAILED',
  'DOWNLOAD_FAILED',
  'NOT_LOADED',
  'ENGINE_CRASHED',
  'CANCELLED',
  'ADAPTER_FAILED',
  'INTERNAL',
] as const;
same<(typeof ERROR_CODES)[number], EngineErrorCode>(true);

/**
 * engine → client: call `id` failed; a prompt longer than the context (TOO_LONG) carries its numbers, so
 * the client rebuilds core's TooLongError and no caller parses the message.
 */
const errorMessage = v.variant('code', [
  v.object({
    type: v.literal('error'),
    id: int,
    code: v.literal('TOO_LONG'),
    message: str,
    tokens: nonNegInt,
    contextSize: posInt,
  }),
  v.object({ type: v.literal('error'), id: int, code: v.picklist(ERROR_CODES), message: str }),
]);

const engineToClient = v.variant('type', [
  /** engine → client: call `id` succeeded with `value` (the client checks it with RESULT_CHECKS). */
  v.object({ type: v.literal('result'), id: int, value: v.unknown() }),
  /** engine → client: call `id` failed. */
  errorMessage,
  /** engine → client: the next piece of generate `id`'s text (of its job `job` in a generateBatch), in order. */
  v.object({ type: v.literal('token'), id: int, text: str, job: v.optional(int) }),
  /** engine → client: download or load progress of load `id`. */
  v.object({ type: v.literal('progress'), id: int, progress: loadProgress }),
  /**
   * engine → client: load `id` has moved on to another step (resolving the file, reading the model, making
   * the context, warming up). It says the load is still getting somewhere, like `progress`, so the client's
   * load timeout counts the time since the last step or progress rather than since the call.
   */
  v.object({ type: v.literal('step'), id: int, step: str }),
  /** engine → client: a log line from the engine process or llama.cpp, for the client's logger. */
  v.object({ type: v.literal('log'), level: v.picklist(['trace', 'debug', 'info', 'warn', 'error']), message: str }),
]);

export type ClientToEngine = v.InferOutput<typeof clientToEngine>;
export type EngineToClient = v.InferOutput<typeof engineToClient>;
export type InitMessage = Extract<ClientToEngine, { type: 'init' }>;
/** One call message per method, its params typed by CallMap. */
export type CallMessage = {
  [M in Method]: { type: 'call'; id: number; method: M; params: CallMap[M]['params'] };
}[Method];
export type CancelMessage = Extract<ClientToEngine, { type: 'cancel' }>;
export type ShutdownMessage = Extract<ClientToEngine, { type: 'shutdown' }>;
export type ResultMessage = Extract<EngineToClient, { type: 'result' }>;
export type ErrorMessage = Extract<EngineToClient, { type: 'error' }>;
/** What an error message says besides its type and id: the engine process builds it from what it caught. */
export type WireError = ErrorMessage extends infer E ? (E extends unknown ? Omit<E, 'type' | 'id'> : never) : never;
export type TokenMessage = Extract<EngineToClient, { type: 'token' }>;
export type ProgressMessage = Extract<EngineToClient, { type: 'progress' }>;
export type StepMessage = Extract<EngineToClient, { type: 'step' }>;
export type LogMessage = Extract<EngineToClient, { type: 'log' }>;

/** A type guard from a schema: the value itself passes through (open objects keep unknown keys). */
const guard =
  <S extends v.GenericSchema>(schema: S) =>
  (x: unknown): x is v.InferOutput<S> =>
    v.is(schema, x);

export const isLoraAdapter = guard(loraAdapter);
export const isPromptCacheSettings = guard(promptCacheSettings);
export const isWireSettings = guard(wireSettings);
export const isClientToEngine = guard(clientToEngine);
export const isEngineToClient = guard(engineToClient);
export const isLoadProgress = guard(loadProgress);
export const isModelInfo = guard(modelInfo);
export const isGenerateResult = guard(generateResult);
export const isGenerateBatchResult = guard(generateBatchResult);
export const isPrewarmResult = guard(prewarmResult);
export const isUnloadResult = guard(unloadResult);
export const isPromptTokensResult = guard(promptTokensResult);
export const isEngineInfo = guard(engineInfo);

export const RESULT_CHECKS: { [M in Method]: (v: unknown) => v is CallMap[M]['result'] } = {
  load: isModelInfo,
  generate: isGenerateResult,
  generateBatch: isGenerateBatchResult,
  prewarm: isPrewarmResult,
  promptTokens: isPromptTokensResult,
  info: isEngineInfo,
  unload: isUnloadResult,
};

const RESULT_SCHEMAS: { [M in Method]: v.GenericSchema } = {
  load: modelInfo,
  generate: generateResult,
  generateBatch: generateBatchResult,
  prewarm: prewarmResult,
  promptTokens: promptTokensResult,
  info: engineInfo,
  unload: unloadResult,
};

/** Why `x` fails the check for `kind` (the first problem, with its path), for the log line that drops it. */
export function engineProtocolProblem(kind: 'client' | 'engine' | Method, x: unknown): string | undefined {
  const schema = kind === 'client' ? clientToEngine : kind === 'engine' ? engineToClient : RESULT_SCHEMAS[kind];
  const r = v.safeParse(schema, x);
  if (r.success) return undefined;
  const issue = r.issues[0];
  const path = v.getDotPath(issue);
  return path ? `${path}: ${issue.message}` : issue.message;
}
