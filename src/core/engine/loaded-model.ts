// One loaded model in the engine process: the model, its context and its one sequence, the chat wrapper,
// what the model is (ModelInfo), the LoRA adapters applied, and the prompt cache bound to exactly this
// configuration. All of it is made by LoadedModel.load and released by one dispose(), in
// node-llama-cpp's own lifetime style.
import type * as NodeLlamaCpp from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import type { Llama, LlamaContext, LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp' with {
  'resolution-mode': 'import',
};
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage } from '../errors';
import { isCptTunedModel } from './model-info';
import { precheckGguf } from './gguf-precheck';
import { checkGgufFile } from './model-spec';
import { type FileIdentity, PromptStateCache, type PromptStateKey, fileIdentity } from './prompt-cache';
import type { WireSettings } from './protocol';
import { SequencePool } from './sequence-pool';
import { EngineError, type LoadedAdapter, type LoraAdapter, type ModelInfo } from './types';

type Nlc = typeof NodeLlamaCpp;
type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** What loading needs from the engine process. */
export interface LoadEnvironment {
  nlc: Nlc;
  llama: Llama;
  settings: WireSettings;
  threads: number;
  log(level: LogLevel, message: string): void;
  /** The error lines llama.cpp logged since the last call (they say why an adapter was refused). */
  takeLlamaErrors(): string[];
  onProgress(fraction: number): void;
  timed<T>(what: string, fn: () => Promise<T> | T): Promise<T>;
  /** Aborts the load (llama.cpp checks it while reading tensors; the steps between check it too). */
  signal?: AbortSignal;
  /**
   * Called as each step of the load starts (the client's load timeout counts from the last one); throws once aborted.
   */
  step?(what: string): void;
}

/** A prefix shorter than this is not worth a cache file: evaluating it is about as quick as restoring it. */
const MIN_CACHED_TOKENS = 16;

function commonPrefix(a: readonly Token[], b: readonly Token[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

type ChatHistory = Parameters<NodeLlamaCpp.ChatWrapper['generateContextState']>[0]['chatHistory'];

export class LoadedModel {
  /** Prefix tokens by system prompt and user prefix: tokenizing a long rubric prompt twice per rewrite adds up. */
  private readonly prefixes = new Map<string, Token[]>();
  private disposed = false;

  private constructor(
    readonly model: LlamaModel,
    readonly context: LlamaContext,
    private seq: LlamaContextSequence,
    /** Resolved once per model: resolving it per session re-renders the Jinja template (~1 s each, measured). */
    readonly chatWrapper: NodeLlamaCpp.ChatWrapper,
    readonly info: ModelInfo,
    readonly adapters: LoadedAdapter[],
    /** Why this load runs on fewer GPU layers than asked for (or on the CPU), if it does. */
    readonly gpuFallback: string | undefined,
    private readonly cache: PromptStateCache | undefined,
    /** Parallel sequences for batched jobs, in a context of their own (made on the first batch). */
    readonly pool: SequencePool,
  ) {}

  get sequence(): LlamaContextSequence {
    return this.seq;
  }

  /** Whether evaluated prefixes are saved to and restored from the prompt cache. */
  get hasPromptCache(): boolean {
    return this.cache !== undefined;
  }

  /** Loads `file` with the settings' GPU layers (falling back to the CPU), adapters and prompt cache. */
  static async load(env: LoadEnvironment, file: string, sizeBytes: number): Promise<LoadedModel> {
    const s = env.settings;
    const onGpu = env.llama.gpu !== false;
    let gpuFallback: string | undefined;
    let made: Awaited<ReturnType<typeof modelAndContext>>;
    try {
      made = await modelAndContext(env, file, onGpu ? s.gpuLayers : 0);
    } catch (err) {
      if (!onGpu || s.gpuLayers === 0 || env.signal?.aborted) throw err;
      // An adapter that does not fit the model fits no better on the CPU.
      if (err instanceof EngineError && err.code === 'ADAPTER_FAILED') throw err;
      // Out of VRAM, a driver problem, an unsupported tensor type: the CPU usually still works.
      gpuFallback = `Loading on the GPU failed (${errorMessage(err).split('\n')[0]}); loaded on the CPU instead.`;
      env.log('warn', gpuFallback);
      made = await modelAndContext(env, file, 0);
    }
    const { model, context, adapters } = made;
    const release = async () => {
      await context.dispose().catch(() => undefined);
      await model.dispose().catch(() => undefined);
    };
    try {
      env.step?.('setting up the chat template and prompt cache');
    } catch (err) {
      await release();
      throw err;
    }
    const wanted = typeof s.gpuLayers === 'number' ? Math.min(s.gpuLayers, model.fileInsights.totalLayers) : undefined;
    if (onGpu && !gpuFallback && wanted !== undefined && model.gpuLayers < wanted) {
      gpuFallback = `${wanted} GPU layers were asked for, but only ${model.gpuLayers} were offloaded.`;
    }
    const general = (model.fileInfo.metadata as { general?: Record<string, unknown> }).general ?? {};
    const name = typeof general.name === 'string' && general.name ? general.name : path.basename(file);
    const info: ModelInfo = {
      name,
      file,
      sizeBytes,
      trainedContextSize: model.trainContextSize,
      architecture: typeof general.architecture === 'string' ? general.architecture : 'unknown',
      cptTuned: isCptTunedModel(name, general),
    };
    let chatWrapper: NodeLlamaCpp.ChatWrapper;
    try {
      chatWrapper = await env.timed('resolveChatWrapper', () => env.nlc.resolveChatWrapper(model));
    } catch (err) {
      await release();
      throw new EngineError('MODEL_LOAD_FAILED', `Could not set up the chat template of ${file}: ${errorMessage(err)}`);
    }
    let cache: PromptStateCache | undefined;
    if (s.promptCache.enabled && s.promptCache.maxMB > 0) {
      try {
        const key = await promptStateKey(env, file, model, context, adapters);
        cache = new PromptStateCache(
          s.promptCache.directory,
          s.promptCache.maxMB * 1024 * 1024,
          key,
          (level, message) => env.log(level, message),
        );
        await cache.removeStale();
      } catch (err) {
        cache = undefined;
        env.log('warn', `prompt cache: not used for ${file}: ${errorMessage(err)}`);
      }
    }
    const seq = context.getSequence();
    try {
      env.step?.('warming up');
    } catch (err) {
      await release();
      throw err;
    }
    await env
      .timed('warmUp', () => warmUp(model, seq))
      .catch((err) => env.log('warn', `warm-up skipped: ${errorMessage(err)}`));
    const pool = new SequencePool({
      llama: env.llama,
      model,
      threads: env.threads,
      adapters,
      memoryCapBytes: (s.parallelMemoryMB ?? 0) * 1024 * 1024,
      log: (level, message) => env.log(level, message),
    });
    return new LoadedModel(model, context, seq, chatWrapper, info, adapters, gpuFallback, cache, pool);
  }

  /** The exact tokens the chat wrapper will evaluate for this system + user prompt (LlamaChat does the same). */
  promptTokens(system: string, user: string): Token[] {
    const chatHistory: ChatHistory = [
      { type: 'system', text: system },
      { type: 'user', text: user },
      { type: 'model', response: [] },
    ];
    return this.chatWrapper.generateContextState({ chatHistory }).contextText.tokenize(this.model.tokenizer);
  }

  /**
   * The tokens of a system prompt (and of a user message's known start) up to where the prompts of two
   * rewrites can first differ: the common prefix of two prompts that differ only after `userPrefix`, so it
   * holds for any chat template and tokenizer.
   */
  prefixTokens(system: string, userPrefix = ''): Token[] {
    const key = JSON.stringify([system, userPrefix]);
    let tokens = this.prefixes.get(key);
    if (!tokens) {
      const a = this.promptTokens(system, `${userPrefix}a`);
      const b = this.promptTokens(system, `${userPrefix}b`);
      tokens = a.slice(0, commonPrefix(a, b));
      if (this.prefixes.size >= 16) this.prefixes.delete(this.prefixes.keys().next().value as string);
      this.prefixes.set(key, tokens);
    }
    return tokens;
  }

  /**
   * Makes the sequence hold exactly `target`, keeping what already matches, restoring a longer saved prefix
   * from the prompt cache when there is one, and evaluating the rest. The rest is evaluated in slices with
   * the signal checked between them: llama.cpp cannot stop inside one evaluation, and a long rubric prompt
   * on a CPU takes tens of seconds (a cancel then waited for all of it). When the evaluation passes
   * `cacheUpTo` tokens, the state there is saved to the cache. Returns how many tokens were not evaluated
   * (reused) and how many of those came from the cache (restored).
   */
  async makeResident(
    target: Token[],
    opts: { signal?: AbortSignal; cacheUpTo?: number } = {},
  ): Promise<{ reused: number; restored: number }> {
    const { signal } = opts;
    let keep = commonPrefix(this.seq.contextTokens, target);
    let restored = 0;
    // Once the cacheable part is resident a saved state could add little: rewrites in one style never touch the disk.
    if (this.cache && keep < (opts.cacheUpTo ?? target.length) && !signal?.aborted) {
      const seq = this.seq;
      const r = await this.cache.restore(
        target,
        { above: Math.max(keep, MIN_CACHED_TOKENS - 1), atMost: target.length },
        async (file) => {
          await seq.loadStateFromFile(file, { acceptRisk: true });
          return seq.contextTokens;
        },
      );
      if (r.dirty) this.resetSequence();
      restored = r.tokens;
      keep = commonPrefix(this.seq.contextTokens, target);
    }
    const seq = this.seq;
    if (keep < seq.nextTokenIndex) await seq.eraseContextTokenRanges([{ start: keep, end: seq.nextTokenIndex }]);
    const cacheAt =
      this.cache &&
      opts.cacheUpTo !== undefined &&
      opts.cacheUpTo >= MIN_CACHED_TOKENS &&
      opts.cacheUpTo <= target.length
        ? opts.cacheUpTo
        : undefined;
    // Bigger slices evaluate faster on a GPU; smaller ones make a cancel land sooner on a CPU.
    const slice = this.model.gpuLayers > 0 ? 512 : 128;
    const stops =
      cacheAt !== undefined && cacheAt > keep && cacheAt < target.length ? [cacheAt, target.length] : [target.length];
    let at = keep;
    for (const stop of stops) {
      while (at < stop && !signal?.aborted) {
        const end = Math.min(at + slice, stop);
        await seq.evaluateWithoutGeneratingNewTokens(target.slice(at, end));
        at = end;
      }
      if (stop === cacheAt && cacheAt > keep && at === cacheAt && seq.nextTokenIndex === cacheAt)
        await this.saveState(target.slice(0, cacheAt));
    }
    // Already resident (evaluated before the cache was cleared, or by a generate that did not save it).
    if (
      cacheAt === target.length &&
      keep === target.length &&
      restored < cacheAt &&
      seq.nextTokenIndex === cacheAt &&
      !(await this.cache?.has(target))
    ) {
      await this.saveState(target);
    }
    return { reused: keep, restored };
  }

  private async saveState(tokens: Token[]): Promise<void> {
    const seq = this.seq;
    await this.cache?.save(tokens, (file) => seq.saveStateToFile(file).then(() => undefined));
  }

  /** A fresh, empty sequence, for when a failed restore left this one's state unknown. */
  private resetSequence(): void {
    this.seq.dispose();
    this.seq = this.context.getSequence();
  }

  /** Frees the context and the model (weights, KV cache, adapters) after the cache's pending saves. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.cache?.flush().catch(() => undefined);
    await this.pool.dispose().catch(() => undefined);
    await this.context.dispose().catch(() => undefined);
    await this.model.dispose().catch(() => undefined);
  }
}

async function modelAndContext(
  env: LoadEnvironment,
  file: string,
  gpuLayers: WireSettings['gpuLayers'],
): Promise<{
  model: LlamaModel;
  context: LlamaContext;
  adapters: LoadedAdapter[];
}> {
  let model: LlamaModel;
  try {
    model = await env.timed('loadModel', () =>
      env.llama.loadModel({
        modelPath: file,
        gpuLayers,
        onLoadProgress: env.onProgress,
        ...(env.signal ? { loadSignal: env.signal } : {}),
      }),
    );
  } catch (err) {
    if (env.signal?.aborted) throw new EngineError('CANCELLED', 'Model load was cancelled.');
    throw new EngineError('MODEL_LOAD_FAILED', `Could not load ${file}: ${errorMessage(err)}`);
  }
  try {
    env.step?.('making the context');
    return { model, ...(await contextWithAdapters(env, model, file)) };
  } catch (err) {
    await model.dispose().catch(() => undefined);
    if (err instanceof EngineError && (err.code === 'CANCELLED' || err.code === 'ADAPTER_FAILED')) throw err;
    const size = env.settings.contextSize;
    throw new EngineError(
      'MODEL_LOAD_FAILED',
      `Could not create a ${size === 'auto' ? '' : `${size} token `}context for ${file}: ${errorMessage(err)}`,
    );
  }
}

function createContext(
  env: LoadEnvironment,
  model: LlamaModel,
  adapters: readonly LoraAdapter[],
): Promise<LlamaContext> {
  const s = env.settings;
  return env.timed('createContext', () =>
    model.createContext({
      contextSize: s.contextSize === 'auto' ? { max: Math.min(model.trainContextSize, 8192) } : s.contextSize,
      sequences: 1,
      threads: env.threads,
      ...(adapters.length ? { lora: { adapters: adapters.map((a) => ({ filePath: a.path, scale: a.scale })) } } : {}),
    }),
  );
}

/**
 * The context with every adapter applied. One that does not apply (missing, not an adapter, made for
 * another model) fails the load with an error naming the adapter, the model file and why: a model asked
 * for with an adapter never runs as the base model behind the writer's back (every number it made would
 * be credited to a tuned model it was not). Each adapter is checked, so one error names every misfit.
 */
async function contextWithAdapters(
  env: LoadEnvironment,
  model: LlamaModel,
  file: string,
): Promise<{ context: LlamaContext; adapters: LoadedAdapter[] }> {
  const failures: string[] = [];
  const fail = (a: LoraAdapter, why: string) =>
    failures.push(`LoRA adapter ${a.path} (scale ${a.scale}) cannot be applied to the model ${file}: ${why}.`);
  const candidates: LoadedAdapter[] = [];
  for (const a of env.settings.lora) {
    const checked = await checkAdapter(env, model, a);
    if (typeof checked === 'string') fail(a, checked);
    else candidates.push(checked);
  }
  if (candidates.length && !failures.length) {
    env.takeLlamaErrors();
    try {
      return { context: await createContext(env, model, candidates), adapters: candidates };
    } catch {
      /* find out which adapter llama.cpp refused, below */
    }
  }
  if (!failures.length && !candidates.length) return { context: await createContext(env, model, []), adapters: [] };
  for (const a of candidates) {
    env.takeLlamaErrors();
    try {
      await (await createContext(env, model, [a])).dispose();
    } catch (err) {
      fail(a, llamaAdapterError(env.takeLlamaErrors()) ?? errorMessage(err));
    }
  }
  if (!failures.length) {
    // Each fits alone but not all together: say so rather than guess which to drop.
    const paths = candidates.map((a) => a.path).join(', ');
    failures.push(`The LoRA adapters ${paths} each fit the model ${file}, but not all at once.`);
  }
  for (const f of failures) env.log('error', f);
  throw new EngineError('ADAPTER_FAILED', failures.join(' '));
}

/** llama.cpp's reason for refusing an adapter, from its error log. */
function llamaAdapterError(lines: string[]): string | undefined {
  for (const line of [...lines].reverse()) {
    const m = /failed to apply lora adapter: (.+)/i.exec(line);
    if (m && !/failed to load lora adapter file/i.test(m[1])) return `llama.cpp refused it: ${m[1].trim()}`;
  }
  return undefined;
}

/** Checks an adapter file before llama.cpp sees it, for a clear reason; returns it with its name, or why not. */
async function checkAdapter(env: LoadEnvironment, model: LlamaModel, a: LoraAdapter): Promise<LoadedAdapter | string> {
  try {
    await checkGgufFile(a.path);
  } catch (err) {
    if (err instanceof EngineError && err.code === 'MODEL_NOT_FOUND')
      return (await stat(a.path).catch(() => undefined)) ? 'it is not a file' : 'the file does not exist';
    if (err instanceof EngineError && err.code === 'NOT_GGUF') return 'it is not a GGUF file';
    return errorMessage(err);
  }
  try {
    await precheckGguf(a.path);
  } catch (err) {
    return `its GGUF header cannot be right (${errorMessage(err)})`;
  }
  let general: Record<string, unknown>;
  try {
    const info = await env.nlc.readGgufFileInfo(a.path, {
      readTensorInfo: false,
      sourceType: 'filesystem',
      logWarnings: false,
    });
    general = (info.metadata as { general?: Record<string, unknown> }).general ?? {};
  } catch (err) {
    return `its GGUF header is unreadable (${errorMessage(err).split('\n')[0]})`;
  }
  if (general.type !== 'adapter') {
    return (
      `it is not a LoRA adapter (its GGUF general.type is ` +
      `${general.type === undefined ? 'not set' : JSON.stringify(general.type)}; an adapter's is "adapter")`
    );
  }
  const modelArch = (model.fileInfo.metadata as { general?: { architecture?: unknown } }).general?.architecture;
  if (typeof general.architecture === 'string' && typeof modelArch === 'string' && general.architecture !== modelArch) {
    return `it was made for a ${general.architecture} model, and this model is ${modelArch}`;
  }
  return { ...a, name: typeof general.name === 'string' && general.name ? general.name : path.basename(a.path) };
}

let nlcVersion: string | undefined;
/** node-llama-cpp's version, from its package.json (which its exports map does not expose to import). */
function nodeLlamaCppVersion(): string {
  if (nlcVersion === undefined) {
    try {
      const dir = path.dirname(path.dirname(require.resolve('node-llama-cpp')));
      nlcVersion = String(
        (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: unknown }).version,
      );
    } catch {
      nlcVersion = 'unknown';
    }
  }
  return nlcVersion;
}

/** Everything a saved prompt state of this model, adapters and context depends on besides its tokens. */
async function promptStateKey(
  env: LoadEnvironment,
  file: string,
  model: LlamaModel,
  context: LlamaContext,
  adapters: LoadedAdapter[],
): Promise<PromptStateKey> {
  const info = model.fileInfo;
  const headerBytes = info.infoEndOffset ?? info.metadataSize + (info.tensorInfoSize ?? 0) + 24;
  const modelId: FileIdentity = await fileIdentity(file, headerBytes);
  const adapterIds = [];
  for (const a of adapters) adapterIds.push({ file: await fileIdentity(a.path), scale: a.scale });
  const llama = env.llama;
  return {
    model: modelId,
    adapters: adapterIds,
    context: {
      nodeLlamaCpp: nodeLlamaCppVersion(),
      llamaCpp: `${llama.llamaCppRelease.repo}@${llama.llamaCppRelease.release}`,
      build: llama.buildType,
      backend: llama.gpu === false ? 'cpu' : llama.gpu,
      gpuLayers: model.gpuLayers,
      contextSize: context.contextSize,
      batchSize: context.batchSize,
      flashAttention: context.flashAttention,
      kvCacheKeyType: String(context.kvCacheKeyType),
      kvCacheValueType: String(context.kvCacheValueType),
      sequences: 1,
      // Thread counts change the arithmetic's order, so a state from another count is not what a cold run computes.
      threads: env.threads,
    },
  };
}

/**
 * One throwaway token through the whole network while the model is still "loading": the weights are
 * memory-mapped, so otherwise the writer's first rewrite after a load pays for paging every tensor in
 * (hundreds of milliseconds on a CPU even when a restored prompt state leaves almost nothing to evaluate).
 */
async function warmUp(model: LlamaModel, seq: LlamaContextSequence): Promise<void> {
  const tokens = model.tokenize('a');
  if (tokens.length === 0) return;
  await seq.evaluateWithoutGeneratingNewTokens(tokens.slice(0, 1));
  await seq.clearHistory();
}
