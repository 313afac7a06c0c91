// What a loaded local model is, for every number it makes: a readable label, the content fingerprint of its
// GGUF, and the adapters applied to it (each with its own fingerprint and scale). An adapter that was asked
// for and not applied is an error (in the engine, and again here), never a silent base-model run.
import path from 'node:path';
import { fingerprintFile } from './fingerprint';
import { EngineError, type EngineInfo, type LoraAdapter, type ModelInfo } from './types';

export interface AdapterIdentity {
  /** The path as given (command line or settings). */
  label: string;
  fingerprint: string;
  scale: number;
}

export interface ModelIdentity {
  /** The path as given, or the label the user chose; with adapters, their labels and scales follow. */
  label: string;
  fingerprint: string;
  adapters: AdapterIdentity[];
}

/** "base.gguf + tuned-lora.gguf×0.5": how a row names a model with adapters. */
export function identityLabel(modelLabel: string, adapters: ReadonlyArray<Pick<AdapterIdentity, 'label' | 'scale'>>) {
  return [modelLabel, ...adapters.map((a) => `${a.label}${a.scale === 1 ? '' : `×${a.scale}`}`)].join(' + ');
}

/**
 * The identity of `model` loaded with `asked` adapters (labels as given). The engine already fails a load
 * whose adapter does not fit; this still throws ADAPTER_FAILED, naming the adapter and the model file, when
 * `info` lists fewer adapters than were asked for (an engine double, or an engine started without them).
 */
export async function identifyLoaded(
  model: Pick<ModelInfo, 'file'>,
  info: Pick<EngineInfo, 'adapters'>,
  asked: ReadonlyArray<LoraAdapter & { label?: string }>,
  label: string,
): Promise<ModelIdentity> {
  const applied = info.adapters ?? [];
  if (applied.length !== asked.length) {
    const missing = asked.find((a) => !applied.some((x) => x.path === a.path)) ?? asked[0];
    throw new EngineError(
      'ADAPTER_FAILED',
      `LoRA adapter ${missing?.path ?? '?'} is not applied to the model ${model.file}: ` +
        `${asked.length} adapter(s) asked for, ${applied.length} applied.`,
    );
  }
  const adapters: AdapterIdentity[] = [];
  for (const a of asked)
    adapters.push({
      label: a.label ?? a.path,
      fingerprint: (await fingerprintFile(path.resolve(a.path))).fingerprint,
      scale: a.scale,
    });
  return {
    label: identityLabel(label, adapters),
    fingerprint: (await fingerprintFile(model.file)).fingerprint,
    adapters,
  };
}
