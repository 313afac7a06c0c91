// The engine flags every model-running command shares (--threads, --gpu, --lora, --prompt-cache, ...), and
// loading the model with download progress on stderr.
import {
  EngineClient,
  GPU_SETTINGS,
  filePathFromUrl,
  isTestModel,
  type EngineClientOptions,
  type LoadProgress,
  type LoraAdapter,
  type ModelInfo,
  DEFAULT_LOAD_TIMEOUT_MS,
  DEFAULT_PROMPT_CACHE_MAX_MB,
} from '../core/engine';
import { errorMessage } from '../core/errors';
import { stderrLogger } from '../core/log';
import { decimal, oneOf, wholeNumber } from './args';
import { UsageError } from './command';

/** parseArgs option specs for the engine flags. */
export const ENGINE_FLAGS = {
  threads: { type: 'string' },
  gpu: { type: 'string' },
  'gpu-layers': { type: 'string' },
  'context-size': { type: 'string' },
  'models-dir': { type: 'string' },
  lora: { type: 'string', multiple: true },
  'prompt-cache': { type: 'string' },
  'no-prompt-cache': { type: 'boolean' },
  'prompt-cache-max-mb': { type: 'string' },
  'load-timeout': { type: 'string' },
  verbose: { type: 'boolean' },
} as const;

/** The engine flags' lines for a command's usage text. */
export const ENGINE_USAGE = `  --threads N        CPU threads (default: physical cores)
  --gpu G            auto (default), cuda, vulkan, metal or off
  --gpu-layers L     auto (default) or a number of layers to offload
  --context-size N   context tokens (default: min(model's, 8192))
  --models-dir DIR   where downloaded models go
  --lora PATH[:S]    apply a LoRA adapter GGUF at scale S (default 1); repeatable
  --prompt-cache DIR where evaluated prompt prefixes are kept between runs
                     (default ~/.cache/cpt-writer/prompt-cache)
  --prompt-cache-max-mb N
                     the prompt cache's size cap in MiB (default ${DEFAULT_PROMPT_CACHE_MAX_MB})
  --no-prompt-cache  neither read nor write the prompt cache
  --load-timeout S   seconds a model load may go without progress before it is
                     stopped (default ${DEFAULT_LOAD_TIMEOUT_MS / 1000}; 0 = no limit)
  --verbose          print the backend, layers offloaded, VRAM, adapters and stats to stderr`;

export interface EngineFlagValues {
  threads?: string;
  gpu?: string;
  'gpu-layers'?: string;
  'context-size'?: string;
  'models-dir'?: string;
  lora?: string[];
  'prompt-cache'?: string;
  'no-prompt-cache'?: boolean;
  'prompt-cache-max-mb'?: string;
  'load-timeout'?: string;
  verbose?: boolean;
}

/**
 * One --lora value: PATH, or PATH:SCALE when what follows the last colon is a number. What follows it in
 * C:\adapters\a.gguf or my:adapter.gguf holds a separator or a dot, so those stay paths.
 */
export function loraArg(value: string, flag = '--lora'): LoraAdapter {
  const colon = value.lastIndexOf(':');
  const tail = colon > 0 ? value.slice(colon + 1) : undefined;
  if (tail !== undefined && tail.trim() !== '' && Number.isFinite(Number(tail)))
    return { path: adapterPath(value.slice(0, colon)), scale: Number(tail) };
  if (tail !== undefined && !/[\\/.]/.test(tail))
    throw new UsageError(`${flag} takes PATH or PATH:SCALE with a number for SCALE, got '${value}'`);
  if (!value) throw new UsageError(`${flag} needs the path of a LoRA adapter GGUF`);
  return { path: adapterPath(value), scale: 1 };
}

/**
 * `--model PATH=LABEL`: the label a report row shows instead of the path. Split at the last '=' only when
 * what is before it ends in .gguf or names an existing file, and what follows holds no path separator, so a
 * URL's query (`?download=true`) stays part of the spec.
 */
export function modelLabelArg(value: string, exists: (p: string) => boolean): { spec: string; label: string } {
  const eq = value.lastIndexOf('=');
  if (eq > 0) {
    const spec = value.slice(0, eq);
    const label = value.slice(eq + 1).trim();
    if (label && !/[\\/]/.test(label) && (/\.gguf$/i.test(spec) || exists(spec))) return { spec, label };
  }
  return { spec: value, label: value };
}

/** EngineClient options from the flags (UsageError on a bad value). */
export function engineOptionsFrom(values: EngineFlagValues): EngineClientOptions {
  const layers = values['gpu-layers'];
  return {
    gpu: oneOf('gpu', values.gpu, GPU_SETTINGS) ?? 'auto',
    gpuLayers: layers === undefined || layers === 'auto' ? 'auto' : (wholeNumber('gpu-layers', layers) ?? 'auto'),
    threads: wholeNumber('threads', values.threads) ?? 0,
    contextSize: wholeNumber('context-size', values['context-size'], 64) ?? 'auto',
    ...(values['models-dir'] ? { modelsDirectory: values['models-dir'] } : {}),
    lora: (values.lora ?? []).map((v) => loraArg(v)),
    promptCache: promptCacheFrom(values),
    ...loadTimeoutFrom(values['load-timeout']),
    // Ctrl+C in the terminal then reaches only this process, which cancels and keeps the partial text.
    detached: true,
    logger: stderrLogger(values.verbose ?? false),
  };
}

function loadTimeoutFrom(value: string | undefined): { loadTimeoutMs?: number } {
  const seconds = decimal('load-timeout', value);
  if (seconds === undefined) return {};
  return { loadTimeoutMs: Math.round(seconds * 1000) };
}

function promptCacheFrom(values: EngineFlagValues): EngineClientOptions['promptCache'] {
  if (values['no-prompt-cache'] && values['prompt-cache'] !== undefined)
    throw new UsageError('--prompt-cache and --no-prompt-cache contradict each other');
  if (values['prompt-cache'] === '') throw new UsageError('--prompt-cache needs a directory');
  const maxMB = decimal('prompt-cache-max-mb', values['prompt-cache-max-mb']);
  return {
    enabled: !values['no-prompt-cache'],
    ...(values['prompt-cache'] !== undefined ? { directory: values['prompt-cache'] } : {}),
    ...(maxMB !== undefined ? { maxMB } : {}),
  };
}

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MiB`;

/** Loads `spec`, printing download progress every 10% and a note for random-weight test models to stderr. */
export async function loadModel(engine: EngineClient, spec: string, signal: AbortSignal): Promise<ModelInfo> {
  let lastPct = -1;
  const onProgress = (p: LoadProgress) => {
    if (p.phase !== 'download') return;
    const pct = Math.floor(p.fraction * 100);
    if (pct !== lastPct && pct % 10 === 0) {
      lastPct = pct;
      process.stderr.write(`downloading: ${pct}%${p.totalBytes ? ` of ${mib(p.totalBytes)}` : ''}\n`);
    }
  };
  const model = await engine.load(spec, { onProgress, signal });
  if (isTestModel(model)) process.stderr.write(`note: ${model.name} has random weights; it writes gibberish.\n`);
  return model;
}

/** --verbose: the model, backend, offload and context on stderr. */
export async function describeEngine(engine: EngineClient, model: ModelInfo, extra = ''): Promise<void> {
  const info = await engine.info();
  process.stderr.write(`model: ${model.name} (${model.file}, ${mib(model.sizeBytes)})\n`);
  process.stderr.write(
    `backend: ${info.backend}; layers offloaded: ${info.gpuLayers}/${info.totalLayers}` +
      `${info.vram ? `; VRAM used: ${mib(info.vram.usedBytes)} of ${mib(info.vram.totalBytes)}` : ''}` +
      `; context: ${info.contextSize}; threads: ${info.threads}${extra}\n`,
  );
  if (info.gpuFallback) process.stderr.write(`gpu fallback: ${info.gpuFallback}\n`);
  for (const a of info.adapters ?? []) process.stderr.write(`lora: ${a.name} (${a.path}), scale ${a.scale}\n`);
  process.stderr.write(
    `prompt cache: ` +
      (info.promptCache ? `${info.promptCache.directory} (up to ${info.promptCache.maxMB} MiB)` : 'off') +
      `\n`,
  );
}

/**
 * Runs `fn` with a signal that Ctrl+C aborts, and an engine from `options` that is disposed afterwards.
 * What was written before Ctrl+C stays written.
 */
export async function withEngine<T>(
  options: EngineClientOptions,
  fn: (engine: EngineClient, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const engine = new EngineClient(options);
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  try {
    return await fn(engine, ac.signal);
  } finally {
    process.removeListener('SIGINT', onSigint);
    await engine.dispose();
  }
}

/** A file: URL becomes the path it names (decoded as model specs are); any other value stays as typed. */
function adapterPath(p: string): string {
  if (!/^file:/i.test(p)) return p;
  try {
    return filePathFromUrl(p);
  } catch (err) {
    throw new UsageError(`--lora: ${errorMessage(err)}`);
  }
}
