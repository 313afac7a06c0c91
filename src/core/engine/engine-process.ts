// The engine process: owns node-llama-cpp (one Llama, one model, one context with one sequence) and
// answers EngineClient's calls over IPC. It runs apart from the editor so a native crash or an
// out-of-memory abort takes down only this process; the client notices and starts a fresh one.
import type * as NodeLlamaCpp from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import type { Llama, LlamaContext, LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import path from 'node:path';
import { registerBackendsFromEnv } from './backends/resolve-hook';
import { resolveModelSpecToFile } from './download';
import { checkGgufFile, parseModelSpec } from './model-spec';
import { physicalCores } from './physical-cores';
import {
  type CallMap, type ClientToEngine, type EngineToClient, type LoadParams, type Method, type PrewarmParams,
  type PrewarmResult, type GenerateParams, type WireSettings, isClientToEngine,
} from './protocol';
import { isCptTunedModel } from './model-info';
import { type Backend, type EngineInfo, EngineError, type ModelInfo, type GenerateResult } from './types';
import { errorMessage } from '../errors';

type Nlc = typeof NodeLlamaCpp;

interface Loaded {
  model: LlamaModel;
  context: LlamaContext;
  sequence: LlamaContextSequence;
  /** Resolved once per model: resolving it per session re-renders the Jinja template (~1 s each, measured). */
  chatWrapper: NodeLlamaCpp.ChatWrapper;
  info: ModelInfo;
}

let settings: WireSettings | undefined;
let nlcPromise: Promise<Nlc> | undefined;
let llamaPromise: Promise<Llama> | undefined;
let llamaFallback: string | undefined;
let loadFallback: string | undefined;
let loaded: Loaded | undefined;
const controllers = new Map<number, AbortController>();
// Model work runs one call at a time: there is one sequence, and a load replaces what a rewrite uses.
let queue: Promise<unknown> = Promise.resolve();

function send(msg: EngineToClient): void {
  if (process.connected) process.send?.(msg);
}
function log(level: Extract<EngineToClient, { type: 'log' }>['level'], message: string): void {
  send({ type: 'log', level, message });
}

const nlc = (): Promise<Nlc> => (nlcPromise ??= timed('import node-llama-cpp', () => {
  // Backend packages installed outside node_modules (the CUDA one, in the extension's storage).
  registerBackendsFromEnv(log);
  return import('node-llama-cpp');
}));
const threads = (): number => (settings?.threads ? settings.threads : physicalCores());

function requireSettings(): WireSettings {
  if (!settings) throw new EngineError('INTERNAL', 'The engine process got a call before its settings.');
  return settings;
}

async function getLlama(): Promise<Llama> {
  llamaPromise ??= timed('getLlama', createLlama);
  return llamaPromise;
}

/** Runs `fn` and logs how long it took (debug), so slow starts can be attributed. */
async function timed<T>(what: string, fn: () => Promise<T> | T): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    log('debug', `${what}: ${(performance.now() - t0).toFixed(0)} ms`);
  }
}

async function createLlama(): Promise<Llama> {
  const s = requireSettings();
  const { getLlama: get, LlamaLogLevel } = await nlc();
  const forward = (level: NodeLlamaCpp.LlamaLogLevel, message: string) => {
    const text = message.trimEnd();
    if (!text) return;
    if (level === LlamaLogLevel.fatal || level === LlamaLogLevel.error) log('error', text);
    else if (level === LlamaLogLevel.warn) log('warn', text);
    else if (level === LlamaLogLevel.debug) log('trace', text);
    else log('debug', text); // llama.cpp's info lines are many and only matter when debugging
  };
  // build 'never': outside Electron the default builds llama.cpp from source (minutes) when a binary test fails.
  const base = { build: 'never' as const, maxThreads: threads(), logLevel: s.logLevel as NodeLlamaCpp.LlamaLogLevel, logger: forward };
  try {
    if (s.gpu === 'off') return await get({ ...base, gpu: false });
    if (s.gpu === 'auto') return await get({ ...base, gpu: 'auto' });
    return await get({ ...base, gpu: s.gpu });
  } catch (err) {
    if (s.gpu === 'off') throw new EngineError('MODEL_LOAD_FAILED', `Could not start llama.cpp on the CPU: ${errorMessage(err)}`);
    llamaFallback = `GPU '${s.gpu}' was requested but cannot be used here (${errorMessage(err).split('\n')[0]}); running on the CPU.`;
    log('warn', llamaFallback);
    try {
      return await get({ ...base, gpu: false });
    } catch (err2) {
      throw new EngineError('MODEL_LOAD_FAILED', `Could not start llama.cpp: ${errorMessage(err2)}`);
    }
  }
}

const backendOf = (llama: Llama): Backend => (llama.gpu === false ? 'cpu' : llama.gpu);

async function unload(): Promise<void> {
  const old = loaded;
  loaded = undefined;
  if (old) {
    await old.context.dispose().catch(() => undefined);
    await old.model.dispose().catch(() => undefined);
  }
}

async function load(id: number, p: LoadParams, signal: AbortSignal): Promise<ModelInfo> {
  const s = requireSettings();
  const spec = parseModelSpec(p.spec);
  const file = spec.kind === 'file'
    ? spec.path
    : await resolveModelSpecToFile(await nlc(), spec, s.modelsDirectory, (progress) => send({ type: 'progress', id, progress }), signal);
  const sizeBytes = await checkGgufFile(file);
  if (signal.aborted) throw new EngineError('CANCELLED', 'Model load was cancelled.');
  const llama = await getLlama();
  await unload();
  loadFallback = undefined;
  const onGpu = llama.gpu !== false;
  let model: LlamaModel;
  let context: LlamaContext;
  try {
    ({ model, context } = await loadModelAndContext(llama, id, file, onGpu ? s.gpuLayers : 0));
  } catch (err) {
    if (!onGpu || s.gpuLayers === 0) throw err;
    // Out of VRAM, a driver problem, an unsupported tensor type: the CPU usually still works.
    loadFallback = `Loading on the GPU failed (${errorMessage(err).split('\n')[0]}); loaded on the CPU instead.`;
    log('warn', loadFallback);
    ({ model, context } = await loadModelAndContext(llama, id, file, 0));
  }
  const wanted = typeof s.gpuLayers === 'number' ? Math.min(s.gpuLayers, model.fileInsights.totalLayers) : undefined;
  if (onGpu && !loadFallback && wanted !== undefined && model.gpuLayers < wanted) {
    loadFallback = `${wanted} GPU layers were asked for, but only ${model.gpuLayers} were offloaded.`;
  }
  const meta = model.fileInfo.metadata as { general?: Record<string, unknown> };
  const general = meta.general ?? {};
  const name = typeof general.name === 'string' && general.name ? general.name : path.basename(file);
  const info: ModelInfo = {
    name, file, sizeBytes,
    trainedContextSize: model.trainContextSize,
    architecture: typeof general.architecture === 'string' ? general.architecture : 'unknown',
    cptTuned: isCptTunedModel(name, general),
  };
  const { resolveChatWrapper } = await nlc();
  let chatWrapper: NodeLlamaCpp.ChatWrapper;
  try {
    chatWrapper = await timed('resolveChatWrapper', () => resolveChatWrapper(model));
  } catch (err) {
    await context.dispose().catch(() => undefined);
    await model.dispose().catch(() => undefined);
    throw new EngineError('MODEL_LOAD_FAILED', `Could not set up the chat template of ${file}: ${errorMessage(err)}`);
  }
  loaded = { model, context, sequence: context.getSequence(), chatWrapper, info };
  return info;
}

async function loadModelAndContext(llama: Llama, id: number, file: string, gpuLayers: WireSettings['gpuLayers']): Promise<{ model: LlamaModel; context: LlamaContext }> {
  const s = requireSettings();
  let model: LlamaModel;
  try {
    model = await timed('loadModel', () => llama.loadModel({
      modelPath: file,
      gpuLayers,
      onLoadProgress: (fraction) => send({ type: 'progress', id, progress: { phase: 'load', fraction } }),
    }));
  } catch (err) {
    throw new EngineError('MODEL_LOAD_FAILED', `Could not load ${file}: ${errorMessage(err)}`);
  }
  try {
    const context = await timed('createContext', () => model.createContext({
      contextSize: s.contextSize === 'auto' ? { max: Math.min(model.trainContextSize, 8192) } : s.contextSize,
      sequences: 1,
      threads: threads(),
    }));
    return { model, context };
  } catch (err) {
    await model.dispose().catch(() => undefined);
    throw new EngineError('MODEL_LOAD_FAILED', `Could not create a ${s.contextSize === 'auto' ? '' : `${s.contextSize} token `}context for ${file}: ${errorMessage(err)}`);
  }
}

function requireLoaded(): Loaded {
  if (!loaded) throw new EngineError('NOT_LOADED', 'No model is loaded.');
  return loaded;
}

function commonPrefix(a: readonly Token[], b: readonly Token[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

type ChatHistory = Parameters<NodeLlamaCpp.ChatWrapper['generateContextState']>[0]['chatHistory'];
/** The exact tokens the chat wrapper will evaluate for this system + user prompt (LlamaChat does the same). */
function promptTokens(l: Loaded, system: string, user: string): Token[] {
  const chatHistory: ChatHistory = [{ type: 'system', text: system }, { type: 'user', text: user }, { type: 'model', response: [] }];
  return l.chatWrapper.generateContextState({ chatHistory }).contextText.tokenize(l.model.tokenizer);
}

/**
 * The tokens of a system prompt (and of a user message's known start) up to where the prompts of two
 * rewrites can first differ: the common prefix of two prompts that differ only after `userPrefix`, so it
 * holds for any chat template and tokenizer.
 */
function systemPrefixTokens(l: Loaded, system: string, userPrefix = ''): Token[] {
  const a = promptTokens(l, system, `${userPrefix}a`);
  const b = promptTokens(l, system, `${userPrefix}b`);
  return a.slice(0, commonPrefix(a, b));
}

/**
 * Makes the sequence hold exactly `prefix`, keeping what already matches, and returns how many tokens were
 * kept. The rest is evaluated in slices with the signal checked between them: llama.cpp cannot stop inside
 * one evaluation, and a long rubric prompt on a CPU takes tens of seconds (a cancel then waited for all of
 * it). This is also the one place a saved prompt-state cache (saveStateToFile / loadStateFromFile per model
 * and prompt hash) would slot in.
 */
async function ensurePrefix(l: Loaded, prefix: Token[], signal?: AbortSignal): Promise<number> {
  const seq = l.sequence;
  const keep = commonPrefix(seq.contextTokens, prefix);
  if (keep < seq.nextTokenIndex) await seq.eraseContextTokenRanges([{ start: keep, end: seq.nextTokenIndex }]);
  // Bigger slices evaluate faster on a GPU; smaller ones make a cancel land sooner on a CPU.
  const slice = l.model.gpuLayers > 0 ? 512 : 128;
  for (let i = keep; i < prefix.length && !signal?.aborted; i += slice) {
    await seq.evaluateWithoutGeneratingNewTokens(prefix.slice(i, i + slice));
  }
  return keep;
}

async function prewarm(p: PrewarmParams): Promise<PrewarmResult> {
  const l = requireLoaded();
  const t0 = performance.now();
  const prefix = systemPrefixTokens(l, p.system, p.userPrefix);
  await ensurePrefix(l, prefix);
  return { tokens: prefix.length, ms: performance.now() - t0 };
}

/** Coalesces the text chunks produced in one turn of the event loop into one IPC message, in order. */
function tokenBatcher(id: number): { push(text: string): void; flush(): void } {
  let pending = '';
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending) { send({ type: 'token', id, text: pending }); pending = ''; }
  };
  return {
    push(text) {
      pending += text;
      if (!scheduled) { scheduled = true; setImmediate(flush); }
    },
    flush,
  };
}

/** Grammars by schema text: building one parses the schema and compiles GBNF, so it is done once per schema. */
const grammars = new Map<string, Promise<NodeLlamaCpp.LlamaGrammar>>();

function jsonGrammar(schema: GenerateParams['jsonSchema'] & object): Promise<NodeLlamaCpp.LlamaGrammar> {
  const key = JSON.stringify(schema);
  let grammar = grammars.get(key);
  if (!grammar) {
    grammar = getLlama().then((llama) => llama.createGrammarForJsonSchema(schema as never));
    grammar.catch(() => grammars.delete(key));
    grammars.set(key, grammar);
  }
  return grammar.catch((err: unknown) => {
    throw new EngineError('INTERNAL', `The JSON schema for constrained output is not usable: ${errorMessage(err)}`);
  });
}

async function generate(id: number, p: GenerateParams, signal: AbortSignal): Promise<GenerateResult> {
  const l = requireLoaded();
  const { LlamaChatSession } = await nlc();
  const grammar = p.jsonSchema ? await jsonGrammar(p.jsonSchema) : undefined;
  const t0 = performance.now();
  const session = new LlamaChatSession({
    contextSequence: l.sequence, systemPrompt: p.system, chatWrapper: l.chatWrapper, autoDisposeSequence: false,
  });
  try {
    const prompt = promptTokens(l, p.system, p.user);
    const contextSize = l.context.contextSize;
    if (prompt.length >= contextSize - 1) {
      throw new EngineError('INTERNAL', `The prompt is too long for the context: ${prompt.length} tokens, context size ${contextSize}. Select less text or use a larger context size (cptWriter.contextSize, --context-size).`);
    }
    // Evaluate all but the last prompt token here (cancellable, see ensurePrefix); LlamaChat then finds them
    // resident, evaluates the last one and generates. What was kept is exactly what was reused.
    const reused = await ensurePrefix(l, prompt.slice(0, -1), signal);
    const batch = tokenBatcher(id);
    let firstAt: number | undefined;
    let outputTokens = 0;
    let streamed = '';
    let res: { responseText: string; stopReason: string } | undefined;
    try {
      if (!signal.aborted) res = await session.promptWithMeta(p.user, {
        maxTokens: Math.min(p.maxTokens, contextSize - prompt.length),
        temperature: p.temperature,
        ...(p.seed !== undefined ? { seed: p.seed } : {}),
        ...(grammar ? { grammar } : {}),
        signal,
        stopOnAbortSignal: true,
        onToken: (tokens) => { outputTokens += tokens.length; },
        onTextChunk: (text) => { firstAt ??= performance.now(); streamed += text; batch.push(text); },
      });
    } catch (err) {
      // stopOnAbortSignal covers generation; an abort while the prompt is still being evaluated throws.
      if (!signal.aborted) throw err;
    }
    batch.flush();
    const end = performance.now();
    const decodeMs = firstAt === undefined ? 0 : end - firstAt;
    return {
      text: res ? res.responseText : streamed,
      stopReason: !res || res.stopReason === 'abort' || signal.aborted ? 'aborted' : res.stopReason === 'maxTokens' ? 'maxTokens' : 'eos',
      promptTokens: prompt.length,
      reusedPromptTokens: reused,
      outputTokens,
      timeToFirstTokenMs: firstAt === undefined ? 0 : firstAt - t0,
      // Decode speed after the first token; the first one's cost is prompt evaluation, in timeToFirstTokenMs.
      tokensPerSecond: outputTokens > 1 && decodeMs > 0 ? (outputTokens - 1) / (decodeMs / 1000) : 0,
      totalMs: end - t0,
    };
  } finally {
    session.dispose({ disposeSequence: false });
  }
}

async function info(): Promise<EngineInfo> {
  const llama = await getLlama();
  const backend = backendOf(llama);
  let vram: EngineInfo['vram'];
  if (backend !== 'cpu') {
    const v = await llama.getVramState();
    vram = { usedBytes: v.used, totalBytes: v.total };
  }
  const fallback = [llamaFallback, loadFallback].filter(Boolean).join(' ');
  return {
    backend,
    gpuLayers: loaded?.model.gpuLayers ?? 0,
    totalLayers: loaded?.model.fileInsights.totalLayers ?? 0,
    ...(vram ? { vram } : {}),
    contextSize: loaded?.context.contextSize ?? 0,
    threads: threads(),
    ...(loaded ? { model: loaded.info } : {}),
    ...(fallback ? { gpuFallback: fallback } : {}),
  };
}

type Handler<M extends Method> = (id: number, params: CallMap[M]['params'], signal: AbortSignal) => Promise<CallMap[M]['result']>;
const handlers: { [M in Method]: Handler<M> } = {
  load: (id, p, signal) => load(id, p, signal),
  generate: (id, p, signal) => generate(id, p, signal),
  prewarm: (_id, p) => prewarm(p),
  info: () => info(),
};

function toWireError(err: unknown): { code: EngineError['code']; message: string } {
  if (err instanceof EngineError) return { code: err.code, message: err.message };
  return { code: 'INTERNAL', message: errorMessage(err) };
}

function handleCall(msg: Extract<ClientToEngine, { type: 'call' }>): void {
  const controller = new AbortController();
  controllers.set(msg.id, controller);
  const run = async () => {
    // info only reads state, so it need not wait behind a long rewrite.
    const handler = handlers[msg.method] as Handler<Method>;
    return handler(msg.id, msg.params, controller.signal);
  };
  const task = msg.method === 'info' ? run() : (queue = queue.then(run, run));
  task.then(
    (value) => send({ type: 'result', id: msg.id, value }),
    (err: unknown) => send({ type: 'error', id: msg.id, ...toWireError(err) }),
  ).finally(() => controllers.delete(msg.id));
}

async function shutdown(): Promise<void> {
  for (const c of controllers.values()) c.abort();
  await unload().catch(() => undefined);
  if (llamaPromise) await (await llamaPromise.catch(() => undefined))?.dispose().catch(() => undefined);
  process.exit(0);
}

process.on('message', (raw: unknown) => {
  if (!isClientToEngine(raw)) {
    log('error', `engine process: ignored a malformed message: ${JSON.stringify(raw)?.slice(0, 200)}`);
    const id = (raw as { id?: unknown } | null)?.id;
    if (typeof id === 'number') send({ type: 'error', id, code: 'INTERNAL', message: 'Malformed engine request.' });
    return;
  }
  switch (raw.type) {
    case 'init': settings = raw.settings; break;
    case 'call': handleCall(raw); break;
    case 'cancel': controllers.get(raw.id)?.abort(); break;
    case 'shutdown': void shutdown(); break;
  }
});
// The editor went away without saying goodbye: do not linger holding gigabytes of model memory.
process.on('disconnect', () => { void shutdown(); });
