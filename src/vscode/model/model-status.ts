// What the model service publishes: its status (none, unloaded, loading, ready, error), the names a model
// is shown by before and after its GGUF metadata is known, and the ready status built from what the
// engine reports. Kept apart from the service so the status bar, the sidebar and the endpoint path read
// the shapes without the engine's lifecycle.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { filePathFromUrl, isTestModel, splitSha256 } from '../../core/engine';
import type {
  Backend,
  BackendAvailability,
  EngineInfo,
  LoadProgress,
  LoadedAdapter,
  ModelInfo,
} from '../../core/engine';
import { isEndpointSpec } from '../../core/endpoint';
import type { Logger } from '../../core/log';
import { readConfig } from '../common/config';
import { cpuReason } from './backend-summary';
import { endpointStatusName } from './endpoint-model';
import type { Engine } from './engine-factory';

/** Why a model that was loaded is not any more: freed after a while without use, or by Unload Model. */
export type UnloadReason = 'idle' | 'command';

export type ModelStatus =
  | { state: 'none' }
  /** Chosen but not in memory: not loaded yet, or (with `unloaded`) freed; the next rewrite loads it. */
  | { state: 'unloaded'; spec: string; name: string; unloaded?: UnloadReason }
  | { state: 'loading'; spec: string; name: string; phase: LoadProgress['phase']; fraction: number }
  | {
      state: 'ready';
      spec: string;
      name: string;
      model: ModelInfo;
      backend: Backend;
      gpuLayers: number;
      totalLayers: number;
      vram?: { usedBytes: number; totalBytes: number };
      testModel: boolean;
      gpuFallback?: string;
      /** LoRA adapters applied (one that does not fit fails the load instead). */
      adapters?: LoadedAdapter[];
      /** The backends this install and machine have, and why the CPU when a GPU was allowed. */
      backends?: BackendAvailability[];
      cpuReason?: string;
      /** Where evaluated prompts are kept between sessions, when the prompt cache is on. */
      promptCache?: { directory: string; maxMB: number };
      /** Set when the model is served by an OpenAI-compatible server: no engine, prewarm or prompt cache here. */
      endpoint?: { server: string; model: string };
    }
  | { state: 'error'; spec: string; name: string; message: string };

export type ReadyStatus = Extract<ModelStatus, { state: 'ready' }>;

export interface ReadyEngine {
  engine: Engine;
  model: ModelInfo;
  status: ReadyStatus;
}

/** What Unload Model did. */
export type UnloadResult = 'unloaded' | 'busy' | 'not-loaded';

/** A short display name for a model spec before its GGUF metadata is known. */
export function specDisplayName(spec: string): string {
  let s = spec.trim();
  try {
    s = splitSha256(s).spec;
  } catch {
    /* a malformed pin: the load says what is wrong with it */
  }
  if (s.startsWith('hf:')) {
    const rest = s.slice(3);
    return rest.split('/').slice(1).join('/') || rest;
  }
  if (/^https?:/i.test(s)) {
    try {
      return decodeURIComponent(new URL(s).pathname.split('/').pop() || s);
    } catch {
      return s;
    }
  }
  if (/^file:/i.test(s)) {
    try {
      return path.basename(filePathFromUrl(s));
    } catch {
      return s;
    }
  }
  return path.basename(s);
}

/** The status bar name of a chosen model: a served model's name, or the GGUF's. */
export function statusName(spec: string): string {
  return isEndpointSpec(spec) ? endpointStatusName(spec, readConfig().endpointModel) : specDisplayName(spec);
}

/** The ready status of a loaded model, from what the engine reports about itself (when it could say). */
export function readyStatus(spec: string, name: string, model: ModelInfo, info: EngineInfo | undefined): ReadyStatus {
  const backend = info?.backend ?? 'cpu';
  const reason = cpuReason(readConfig().gpu, backend, info?.backends, vscode.l10n.t);
  return {
    state: 'ready',
    spec,
    name: model.name || name,
    model,
    backend,
    gpuLayers: info?.gpuLayers ?? 0,
    totalLayers: info?.totalLayers ?? 0,
    vram: info?.vram,
    testModel: isTestModel(model),
    gpuFallback: info?.gpuFallback,
    adapters: info?.adapters ?? [],
    ...(info?.backends ? { backends: info.backends } : {}),
    ...(reason ? { cpuReason: reason } : {}),
    ...(info?.promptCache ? { promptCache: info.promptCache } : {}),
  };
}

/** The output channel's account of a ready model: where it runs, fallbacks, backends, adapters, prompt cache. */
export function logReady(log: Logger, s: ReadyStatus, info: EngineInfo | undefined): void {
  const model = s.model;
  log.info(
    `model ready: ${model.name} (${model.file}) on ` +
      s.backend +
      (info
        ? `, ${info.gpuLayers}/${info.totalLayers} layers on GPU, context ${info.contextSize}, ${info.threads} threads`
        : ''),
  );
  if (s.gpuFallback) log.warn(`GPU fallback: ${s.gpuFallback}`);
  if (s.backends) {
    log.info(
      `backends: ${s.backends
        .map(
          (b) =>
            `${b.backend} (binary ${b.binary ? `in ${b.binsDir ?? 'this install'}` : 'not installed'}, ` +
            `drivers ${b.drivers ? 'found' : 'not found'})`,
        )
        .join(', ')}`,
    );
  }
  if (s.cpuReason) log.info(s.cpuReason);
  for (const a of s.adapters ?? []) log.info(`LoRA adapter ${a.name} (scale ${a.scale}): ${a.path}`);
  log.info(
    s.promptCache ? `prompt cache: ${s.promptCache.directory} (up to ${s.promptCache.maxMB} MB)` : 'prompt cache: off',
  );
}
