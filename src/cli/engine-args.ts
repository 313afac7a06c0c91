// The engine flags every model-running command shares (--threads, --gpu, ...), and loading the model
// with download progress on stderr.
import { EngineClient, GPU_SETTINGS, isTestModel, type EngineClientOptions, type LoadProgress, type ModelInfo } from '../core/engine';
import { stderrLogger } from '../core/log';
import { oneOf, wholeNumber } from './args';

/** parseArgs option specs for the engine flags. */
export const ENGINE_FLAGS = {
  threads: { type: 'string' }, gpu: { type: 'string' }, 'gpu-layers': { type: 'string' },
  'context-size': { type: 'string' }, 'models-dir': { type: 'string' }, verbose: { type: 'boolean' },
} as const;

/** The engine flags' lines for a command's usage text. */
export const ENGINE_USAGE = `  --threads N        CPU threads (default: physical cores)
  --gpu G            auto (default), cuda, vulkan, metal or off
  --gpu-layers L     auto (default) or a number of layers to offload
  --context-size N   context tokens (default: min(model's, 8192))
  --models-dir DIR   where downloaded models go
  --verbose          print the backend, layers offloaded, VRAM and stats to stderr`;

export interface EngineFlagValues {
  threads?: string; gpu?: string; 'gpu-layers'?: string; 'context-size'?: string; 'models-dir'?: string; verbose?: boolean;
}

/** EngineClient options from the flags (UsageError on a bad value). */
export function engineOptionsFrom(values: EngineFlagValues): EngineClientOptions {
  const layers = values['gpu-layers'];
  return {
    gpu: oneOf('gpu', values.gpu, GPU_SETTINGS) ?? 'auto',
    gpuLayers: layers === undefined || layers === 'auto' ? 'auto' : wholeNumber('gpu-layers', layers) ?? 'auto',
    threads: wholeNumber('threads', values.threads) ?? 0,
    contextSize: wholeNumber('context-size', values['context-size'], 64) ?? 'auto',
    ...(values['models-dir'] ? { modelsDirectory: values['models-dir'] } : {}),
    logger: stderrLogger(values.verbose ?? false),
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
  process.stderr.write(`backend: ${info.backend}; layers offloaded: ${info.gpuLayers}/${info.totalLayers}`
    + `${info.vram ? `; VRAM used: ${mib(info.vram.usedBytes)} of ${mib(info.vram.totalBytes)}` : ''}`
    + `; context: ${info.contextSize}; threads: ${info.threads}${extra}\n`);
  if (info.gpuFallback) process.stderr.write(`gpu fallback: ${info.gpuFallback}\n`);
}

/**
 * Runs `fn` with a signal that Ctrl+C aborts, and an engine from `options` that is disposed afterwards.
 * What was written before Ctrl+C stays written.
 */
export async function withEngine<T>(options: EngineClientOptions, fn: (engine: EngineClient, signal: AbortSignal) => Promise<T>): Promise<T> {
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
