// The engine process: owns node-llama-cpp (one Llama and at most one LoadedModel) and answers
// EngineClient's calls over IPC. It runs apart from the editor so a native crash or an out-of-memory
// abort takes down only this process; the client notices and starts a fresh one.
import type * as NodeLlamaCpp from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import type { Llama } from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import { backendAvailability } from './backends/availability';
import { nodeLlamaCppVersion } from './backends/cuda-install';
import { BACKENDS_DIR_ENV, registerBackendsFromEnv } from './backends/resolve-hook';
import { backendRoots } from './backends/own-folder';
import { resolveModelSpecToFile } from './download';
import { LoadedModel } from './loaded-model';
import { generateOnSequence } from './sequence-generation';
import { generateBatch } from './batch-generation';
import { precheckGguf } from './gguf-precheck';
import { parseModelSpec } from './model-spec';
import { watchParent } from './parent-watch';
import { physicalCores } from './physical-cores';
import {
  type CallMap,
  type CallMessage,
  type EngineToClient,
  type GenerateBatchParams,
  type GenerateBatchResult,
  type GenerateParams,
  type LoadParams,
  type LogMessage,
  type Method,
  type PrewarmParams,
  type PrewarmResult,
  type PromptTokensParams,
  type PromptTokensResult,
  type UnloadResult,
  type WireError,
  type WireSettings,
  isClientToEngine,
} from './protocol';
import {
  type Backend,
  type BackendAvailability,
  type EngineInfo,
  EngineError,
  type GenerateResult,
  type ModelInfo,
} from './types';
import { TooLongError, errorMessage } from '../errors';

type Nlc = typeof NodeLlamaCpp;

/** Everything the process holds between calls besides the loaded model's own objects. */
const engine: {
  settings?: WireSettings;
  nlc?: Promise<Nlc>;
  llama?: Promise<Llama>;
  /** Why the requested GPU backend is not the one in use, when it is not. */
  llamaFallback?: string;
  loaded?: LoadedModel;
  /** Model work runs one call at a time: there is one sequence, and a load replaces what a rewrite uses. */
  queue: Promise<unknown>;
  /** Abort controllers of the calls in flight, by call id. */
  calls: Map<number, AbortController>;
  /** llama.cpp's recent error lines (they carry the reason an adapter was refused). */
  llamaErrors: string[];
  /** Grammars by schema text: building one parses the schema and compiles GBNF, so it is done once per schema. */
  grammars: Map<string, Promise<NodeLlamaCpp.LlamaGrammar>>;
  /**
   * The backends this install and machine have (looked up once: packages and drivers do not change while the process
   * runs).
   */
  backends?: Promise<BackendAvailability[] | undefined>;
} = { queue: Promise.resolve(), calls: new Map(), llamaErrors: [], grammars: new Map() };

function send(msg: EngineToClient): void {
  if (process.connected) process.send?.(msg);
}
function log(level: LogMessage['level'], message: string): void {
  send({ type: 'log', level, message });
}

const nlc = (): Promise<Nlc> =>
  (engine.nlc ??= timed('import node-llama-cpp', () => {
    // Backend packages installed outside node_modules (the CUDA one, in the extension's storage).
    registerBackendsFromEnv(log);
    return import('node-llama-cpp');
  }));
const threads = (): number => (engine.settings?.threads ? engine.settings.threads : physicalCores());

function requireSettings(): WireSettings {
  if (!engine.settings) throw new EngineError('INTERNAL', 'The engine process got a call before its settings.');
  return engine.settings;
}

function getLlama(): Promise<Llama> {
  return (engine.llama ??= timed('getLlama', createLlama));
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
    if (level === LlamaLogLevel.fatal || level === LlamaLogLevel.error) {
      engine.llamaErrors.push(text);
      if (engine.llamaErrors.length > 20) engine.llamaErrors.shift();
      log('error', text);
    } else if (level === LlamaLogLevel.warn) log('warn', text);
    else if (level === LlamaLogLevel.debug) log('trace', text);
    else log('debug', text); // llama.cpp's info lines are many and only matter when debugging
  };
  // build 'never': outside Electron the default builds llama.cpp from source (minutes) when a binary test fails.
  const base = {
    build: 'never' as const,
    maxThreads: threads(),
    logLevel: s.logLevel as NodeLlamaCpp.LlamaLogLevel,
    logger: forward,
  };
  try {
    if (s.gpu === 'off') return await get({ ...base, gpu: false });
    if (s.gpu === 'auto') return await get({ ...base, gpu: 'auto' });
    return await get({ ...base, gpu: s.gpu });
  } catch (err) {
    if (s.gpu === 'off')
      throw new EngineError('MODEL_LOAD_FAILED', `Could not start llama.cpp on the CPU: ${errorMessage(err)}`);
    engine.llamaFallback =
      `GPU '${s.gpu}' was requested but cannot be used here ` +
      `(${errorMessage(err).split('\n')[0]}); running on the CPU.`;
    log('warn', engine.llamaFallback);
    try {
      return await get({ ...base, gpu: false });
    } catch (err2) {
      throw new EngineError('MODEL_LOAD_FAILED', `Could not start llama.cpp: ${errorMessage(err2)}`);
    }
  }
}

const backendOf = (llama: Llama): Backend => (llama.gpu === false ? 'cpu' : llama.gpu);

/** Releases the loaded model, if any; true when there was one. */
async function unloadModel(): Promise<boolean> {
  const old = engine.loaded;
  engine.loaded = undefined;
  await old?.dispose();
  return !!old;
}

const cancelled = () => new EngineError('CANCELLED', 'Model load was cancelled.');

async function load(id: number, p: LoadParams, signal: AbortSignal): Promise<ModelInfo> {
  const s = requireSettings();
  const step = (what: string) => {
    if (signal.aborted) throw cancelled();
    send({ type: 'step', id, step: what });
  };
  const spec = parseModelSpec(p.spec);
  const file =
    spec.kind === 'file' && !spec.sha256
      ? spec.path
      : await resolveModelSpecToFile(
          await nlc(),
          spec,
          s.modelsDirectory,
          (progress) => send({ type: 'progress', id, progress }),
          signal,
        );
  step('checking the GGUF header');
  // Before any parser that trusts the header's counts sees the file (see gguf-precheck.ts).
  const header = await precheckGguf(file);
  log(
    'debug',
    `${file}: GGUF v${header.version}, ${header.tensorCount} tensors, ${header.metadataCount} metadata entries, ` +
      `${header.fileSize} bytes`,
  );
  step('starting llama.cpp');
  const llama = await getLlama();
  step('loading the model');
  await unloadModel();
  try {
    engine.loaded = await LoadedModel.load(
      {
        nlc: await nlc(),
        llama,
        settings: s,
        threads: threads(),
        log,
        timed,
        signal,
        step,
        takeLlamaErrors: () => engine.llamaErrors.splice(0),
        onProgress: (fraction) => send({ type: 'progress', id, progress: { phase: 'load', fraction } }),
      },
      file,
      header.fileSize,
    );
  } catch (err) {
    if (signal.aborted) throw cancelled();
    throw err;
  }
  return engine.loaded.info;
}

function requireLoaded(): LoadedModel {
  if (!engine.loaded) throw new EngineError('NOT_LOADED', 'No model is loaded.');
  return engine.loaded;
}

async function prewarm(p: PrewarmParams): Promise<PrewarmResult> {
  const l = requireLoaded();
  const t0 = performance.now();
  const prefix = l.prefixTokens(p.system, p.userPrefix);
  const { restored } = await l.makeResident(prefix, { cacheUpTo: prefix.length });
  return { tokens: prefix.length, ms: performance.now() - t0, restoredTokens: restored };
}

function promptTokens(p: PromptTokensParams): PromptTokensResult {
  const l = requireLoaded();
  return { tokens: l.promptTokens(p.system, p.user).length, contextSize: l.context.contextSize };
}

/** Coalesces the text chunks produced in one turn of the event loop into one IPC message, in order. */
function tokenBatcher(id: number, job?: number): { push(text: string): void; flush(): void } {
  let pending = '';
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending) {
      send({ type: 'token', id, text: pending, ...(job !== undefined ? { job } : {}) });
      pending = '';
    }
  };
  return {
    push(text) {
      pending += text;
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}

function jsonGrammar(schema: GenerateParams['jsonSchema'] & object): Promise<NodeLlamaCpp.LlamaGrammar> {
  const key = JSON.stringify(schema);
  let grammar = engine.grammars.get(key);
  if (!grammar) {
    grammar = getLlama().then((llama) => llama.createGrammarForJsonSchema(schema as never));
    grammar.catch(() => engine.grammars.delete(key));
    engine.grammars.set(key, grammar);
  }
  return grammar.catch((err: unknown) => {
    throw new EngineError('INTERNAL', `The JSON schema for constrained output is not usable: ${errorMessage(err)}`);
  });
}

/** Where the reusable part of a prompt ends: the system prompt and the shared start of the user message. */
function cacheablePrefix(l: LoadedModel, p: GenerateParams, prompt: readonly number[]): number {
  const userPrefix = p.userPrefix !== undefined && p.user.startsWith(p.userPrefix) ? p.userPrefix : '';
  const prefix = l.prefixTokens(p.system, userPrefix);
  let n = 0;
  while (n < prefix.length && n < prompt.length - 1 && prefix[n] === prompt[n]) n++;
  return n;
}

async function generate(id: number, p: GenerateParams, signal: AbortSignal, job?: number): Promise<GenerateResult> {
  const l = requireLoaded();
  const grammar = p.jsonSchema ? await jsonGrammar(p.jsonSchema) : undefined;
  const t0 = performance.now();
  const prompt = l.promptTokens(p.system, p.user);
  const contextSize = l.context.contextSize;
  if (prompt.length >= contextSize - 1) {
    throw new TooLongError(
      prompt.length,
      contextSize,
      `The prompt is too long for the context: ${prompt.length} tokens, context size ${contextSize}. ` +
        'Select less text or use a larger context size (cptWriter.contextSize, --context-size).',
    );
  }
  // Evaluate all but the last prompt token here (cancellable, see makeResident); LlamaChat then finds them
  // resident, evaluates the last one and generates. What was kept or restored is exactly what was reused.
  const { reused, restored } = await l.makeResident(prompt.slice(0, -1), {
    signal,
    ...(l.hasPromptCache ? { cacheUpTo: cacheablePrefix(l, p, prompt) } : {}),
  });
  const batch = tokenBatcher(id, job);
  try {
    return await generateOnSequence({
      nlc: await nlc(),
      sequence: l.sequence,
      chatWrapper: l.chatWrapper,
      params: p,
      prompt,
      contextSize,
      ...(grammar ? { grammar } : {}),
      signal,
      onText: (text) => batch.push(text),
      startedAt: t0,
      reused,
      restored,
    });
  } finally {
    batch.flush();
  }
}

async function generateJobs(id: number, p: GenerateBatchParams, signal: AbortSignal): Promise<GenerateBatchResult> {
  const batchers = p.jobs.map((_, job) => tokenBatcher(id, job));
  try {
    const r = await generateBatch(
      {
        nlc: await nlc(),
        loaded: requireLoaded(),
        grammar: jsonGrammar,
        single: (job, params, s) => generate(id, params, s, job),
        onText: (job, text) => batchers[job]?.push(text),
      },
      p.jobs,
      signal,
    );
    if (r.parallel > 1) log('debug', `generateBatch: ${p.jobs.length} jobs, ${r.parallel} sequences at once`);
    return r;
  } finally {
    for (const b of batchers) b.flush();
  }
}

/** What backends could run here; undefined (and a log line) if node-llama-cpp's lookup itself fails. */
function backends(): Promise<BackendAvailability[] | undefined> {
  return (engine.backends ??= (async () => {
    const { getLlamaGpuTypes } = await nlc();
    // Only what this install's own folder (or the installed-backends folder) holds: see own-folder.ts.
    const roots = backendRoots(process.env[BACKENDS_DIR_ENV] || undefined);
    const supported = await getLlamaGpuTypes('supported');
    const found = await backendAvailability(nodeLlamaCppVersion(), supported, undefined, undefined, undefined, roots);
    log(
      'debug',
      `backends: ${found
        .map(
          (b) =>
            `${b.backend} (binary ${b.binary ? 'installed' : 'missing'}, ` +
            `drivers ${b.drivers ? 'found' : 'not found'})`,
        )
        .join(', ')}`,
    );
    return found;
  })().catch((err: unknown) => {
    log('warn', `could not list the available backends: ${errorMessage(err)}`);
    return undefined;
  }));
}

async function info(): Promise<EngineInfo> {
  const llama = await getLlama();
  const available = await backends();
  const backend = backendOf(llama);
  const l = engine.loaded;
  const s = requireSettings();
  let vram: EngineInfo['vram'];
  if (backend !== 'cpu') {
    const v = await llama.getVramState();
    vram = { usedBytes: v.used, totalBytes: v.total };
  }
  const fallback = [engine.llamaFallback, l?.gpuFallback].filter(Boolean).join(' ');
  return {
    backend,
    gpuLayers: l?.model.gpuLayers ?? 0,
    totalLayers: l?.model.fileInsights.totalLayers ?? 0,
    ...(vram ? { vram } : {}),
    contextSize: l?.context.contextSize ?? 0,
    threads: threads(),
    ...(l ? { model: l.info, adapters: l.adapters } : {}),
    ...(fallback ? { gpuFallback: fallback } : {}),
    ...(s.promptCache.enabled
      ? { promptCache: { directory: s.promptCache.directory, maxMB: s.promptCache.maxMB } }
      : {}),
    ...(available ? { backends: available } : {}),
  };
}

async function unload(): Promise<UnloadResult> {
  return { unloaded: await unloadModel() };
}

type Handler<M extends Method> = (
  id: number,
  params: CallMap[M]['params'],
  signal: AbortSignal,
) => Promise<CallMap[M]['result']>;
const handlers: { [M in Method]: Handler<M> } = {
  load: (id, p, signal) => load(id, p, signal),
  generate: (id, p, signal) => generate(id, p, signal),
  generateBatch: (id, p, signal) => generateJobs(id, p, signal),
  prewarm: (_id, p) => prewarm(p),
  promptTokens: async (_id, p) => promptTokens(p),
  info: () => info(),
  unload: () => unload(),
};

function toWireError(err: unknown): WireError {
  // The numbers travel as fields, so the client rebuilds the same TooLongError without reading the message.
  if (err instanceof TooLongError)
    return { code: 'TOO_LONG', message: err.message, tokens: err.tokens, contextSize: err.contextSize };
  if (err instanceof EngineError) return { code: err.code, message: err.message };
  return { code: 'INTERNAL', message: errorMessage(err) };
}

function handleCall(msg: CallMessage): void {
  const controller = new AbortController();
  engine.calls.set(msg.id, controller);
  const run = async () => {
    const handler = handlers[msg.method] as Handler<Method>;
    return handler(msg.id, msg.params, controller.signal);
  };
  // info only reads state, so it need not wait behind a long rewrite.
  const task = msg.method === 'info' ? run() : (engine.queue = engine.queue.then(run, run));
  task
    .then(
      (value) => send({ type: 'result', id: msg.id, value }),
      (err: unknown) => send({ type: 'error', id: msg.id, ...toWireError(err) }),
    )
    .finally(() => engine.calls.delete(msg.id));
}

/** How long an orderly shutdown may take before the process just exits (a load stuck in native code never ends). */
const SHUTDOWN_DEADLINE_MS = 3000;

async function shutdown(): Promise<void> {
  setTimeout(() => process.exit(0), SHUTDOWN_DEADLINE_MS);
  for (const c of engine.calls.values()) c.abort();
  await unloadModel().catch(() => undefined);
  if (engine.llama) await (await engine.llama.catch(() => undefined))?.dispose().catch(() => undefined);
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
    case 'init':
      engine.settings = raw.settings;
      break;
    case 'call':
      handleCall(raw);
      break;
    case 'cancel':
      engine.calls.get(raw.id)?.abort();
      break;
    case 'shutdown':
      void shutdown();
      break;
  }
});
// The editor or the CLI went away without saying goodbye: do not linger holding gigabytes of model memory.
process.on('disconnect', () => {
  void shutdown();
});
// ...and if this thread is too busy to hear that, a watcher thread ends the process.
watchParent();
// A Ctrl+C in a terminal is the CLI's to handle (it cancels the generation, keeps the partial text and
// shuts the engine down); dying here mid-stream would turn it into a crash report. The CLI starts the
// engine in its own process group, so this matters only for a parent that did not.
process.on('SIGINT', () => log('debug', 'engine process: ignored SIGINT; the client cancels and shuts down'));
