// What a loaded local model is, for every number it makes: a readable label, the content fingerprint of its
// GGUF, and the adapters applied to it (each with its own fingerprint and scale). An adapter that was asked
// for and not applied is an error here, never a silent base-model run.
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
 * The identity of `model` loaded with `asked` adapters (labels as given). Throws ADAPTER_FAILED naming the
 * adapter and the model file when `info` says one was not applied.
 */
export async function identifyLoaded(
  model: Pick<ModelInfo, 'file'>,
  info: Pick<EngineInfo, 'adapters' | 'adapterErrors'>,
  asked: ReadonlyArray<LoraAdapter & { label?: string }>,
  label: string,
): Promise<ModelIdentity> {
  const errors = info.adapterErrors ?? [];
  if (errors.length || (info.adapters?.length ?? 0) !== asked.length) {
    const why = errors.length
      ? errors.map((e) => e.message).join(' ')
      : `${asked.length} adapter(s) asked for, ${info.adapters?.length ?? 0} applied`;
    throw new EngineError(
      'ADAPTER_FAILED',
      `LoRA adapter ${(errors[0]?.path ?? asked[0]?.path) || '?'} does not fit the model ${model.file}: ${why}`,
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
