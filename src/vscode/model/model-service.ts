// Owns the engine: starts it on first use (never at activation), loads the configured model with
// cancellable progress, restarts it after engine settings change or a crash, and publishes a status.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isTestModel } from '../../core/engine';
import type { Backend, EngineClientOptions, LoadProgress, ModelInfo } from '../../core/engine';
import type { Logger } from '../../core/log';
import { engineSettings, readConfig } from '../common/config';
import type { Engine, EngineFactory } from './engine-factory';
import { engineErrorCode, realEngineFactory } from './engine-factory';
import { errorMessage } from '../common/log';
import type { Notifier } from '../common/notify';

export type ModelStatus =
  | { state: 'none' }
  | { state: 'unloaded'; spec: string; name: string }
  | { state: 'loading'; spec: string; name: string; phase: LoadProgress['phase']; fraction: number }
  | { state: 'ready'; spec: string; name: string; model: ModelInfo; backend: Backend; gpuLayers: number; totalLayers: number; vram?: { usedBytes: number; totalBytes: number }; testModel: boolean; gpuFallback?: string }
  | { state: 'error'; spec: string; name: string; message: string };

export interface ReadyEngine { engine: Engine; model: ModelInfo; status: Extract<ModelStatus, { state: 'ready' }> }

export interface ModelServiceOptions {
  logger: Logger;
  notifier: Notifier;
  /** Where downloads go when cptWriter.modelsDirectory is empty. */
  defaultModelsDir: string;
  /** dist/engine-process.js of this extension. */
  processEntry: string;
  /** Select Model… (model/select-model.ts), offered when a load fails or the model is a test model. */
  selectModel(): unknown;
}

/** A short display name for a model spec before its GGUF metadata is known. */
export function specDisplayName(spec: string): string {
  if (spec.startsWith('hf:')) {
    const rest = spec.slice(3);
    return rest.split('/').slice(1).join('/') || rest;
  }
  if (/^https?:/i.test(spec)) {
    try { return decodeURIComponent(new URL(spec).pathname.split('/').pop() || spec); } catch { return spec; }
  }
  return path.basename(spec);
}

export class ModelService implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ModelStatus>();
  readonly onDidChange = this.changed.event;
  private current: ModelStatus;
  private engine: Engine | undefined;
  private crashSub: { dispose(): void } | undefined;
  private loadedSpec: string | undefined;
  private loadedModel: ModelInfo | undefined;
  private loading: Promise<ReadyEngine | undefined> | undefined;
  /** The engine settings the running engine was started with; a difference means restart before the next rewrite. */
  private engineSnapshot: string | undefined;
  private factory: EngineFactory = realEngineFactory;
  private readonly warnedTestModels = new Set<string>();

  constructor(private readonly opts: ModelServiceOptions) {
    const spec = readConfig().model;
    this.current = spec ? { state: 'unloaded', spec, name: specDisplayName(spec) } : { state: 'none' };
  }

  get status(): ModelStatus { return this.current; }

  private set(status: ModelStatus): void {
    this.current = status;
    this.changed.fire(status);
  }

  /** Where engines come from (the real one, or the test double): the judge's second model uses it too. */
  get engineFactory(): EngineFactory { return this.factory; }

  /** Test seam: the next engine comes from `factory` (the running one is stopped). */
  async setEngineFactory(factory: EngineFactory | undefined): Promise<void> {
    this.factory = factory ?? realEngineFactory;
    await this.stopEngine();
    this.resetStatusFromConfig();
  }

  /** Called when engine settings change: the new values apply on next use. */
  settingsChanged(): void {
    if (!this.loading) this.resetStatusFromConfig();
  }

  private currentSnapshot(): string {
    return JSON.stringify(engineSettings(readConfig(), this.opts.defaultModelsDir));
  }

  /** True when engine settings changed since the running engine started. */
  private get stale(): boolean {
    return this.engine !== undefined && this.engineSnapshot !== this.currentSnapshot();
  }

  private resetStatusFromConfig(): void {
    const spec = readConfig().model;
    if (!spec) { this.set({ state: 'none' }); return; }
    if (this.current.state === 'ready' && this.current.spec === spec && !this.stale) return;
    this.set({ state: 'unloaded', spec, name: specDisplayName(spec) });
  }

  /** The loaded engine, loading the configured model first if needed; undefined when there is none or the load failed. */
  async ensureReady(): Promise<ReadyEngine | undefined> {
    const spec = readConfig().model;
    if (!spec) { this.set({ state: 'none' }); return undefined; }
    if (this.loading) {
      // Join the load in flight; if it failed, its caller already told the writer: do not retry at once.
      const pending = await this.loading;
      if (!pending) return undefined;
      if (pending.status.spec === spec && !this.stale) return pending;
    }
    if (this.engine && !this.stale && this.loadedSpec === spec && this.loadedModel && this.current.state === 'ready') {
      return { engine: this.engine, model: this.loadedModel, status: this.current };
    }
    this.loading = this.load(spec).finally(() => { this.loading = undefined; });
    return this.loading;
  }

  private createEngine(): Engine {
    const cfg = readConfig();
    const options: EngineClientOptions = {
      ...engineSettings(cfg, this.opts.defaultModelsDir),
      logger: this.opts.logger,
      processEntry: this.opts.processEntry,
      // Desktop VS Code runs the extension host under Electron: the forked engine must run as plain Node.
      env: { ELECTRON_RUN_AS_NODE: '1' },
    };
    const engine = this.factory(options);
    this.engineSnapshot = this.currentSnapshot();
    this.crashSub = engine.onCrash((reason) => this.crashed(engine, reason));
    return engine;
  }

  private crashed(engine: Engine, reason: string): void {
    if (engine !== this.engine) return;
    this.opts.logger.error(`engine process stopped unexpectedly: ${reason}`);
    this.dropEngine();
    const spec = readConfig().model;
    this.set({ state: 'error', spec, name: specDisplayName(spec), message: `The engine stopped: ${reason}` });
    this.opts.notifier.error(`CPT Writer's engine stopped unexpectedly (${reason}). Your text is unchanged; the engine restarts on the next rewrite.`);
  }

  private dropEngine(): Engine | undefined {
    const engine = this.engine;
    this.crashSub?.dispose();
    this.crashSub = undefined;
    this.engine = undefined;
    this.loadedSpec = undefined;
    this.loadedModel = undefined;
    return engine;
  }

  private async stopEngine(): Promise<void> {
    const engine = this.dropEngine();
    if (engine) {
      try { await engine.dispose(); } catch (err) { this.opts.logger.warn(`engine dispose failed: ${errorMessage(err)}`); }
    }
  }

  private async load(spec: string): Promise<ReadyEngine | undefined> {
    if (this.stale || (this.engine && this.loadedSpec !== spec)) await this.stopEngine();
    const name = specDisplayName(spec);
    this.set({ state: 'loading', spec, name, phase: 'load', fraction: 0 });
    this.opts.logger.info(`loading model ${spec}`);
    const engine = this.engine ?? (this.engine = this.createEngine());
    try {
      const model = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `CPT Writer: loading ${name}`, cancellable: true },
        async (progress, token) => {
          const abort = new AbortController();
          const sub = token.onCancellationRequested(() => abort.abort());
          let reported = 0;
          try {
            return await engine.load(spec, {
              signal: abort.signal,
              onProgress: (p) => {
                const percent = Math.max(0, Math.min(100, Math.round(p.fraction * 100)));
                const verb = p.phase === 'download' ? 'Downloading' : 'Loading';
                const size = p.phase === 'download' && p.totalBytes ? ` of ${formatBytes(p.totalBytes)}` : '';
                progress.report({ message: `${verb} ${percent}%${size}`, increment: Math.max(0, percent - reported) });
                reported = Math.max(reported, percent);
                this.set({ state: 'loading', spec, name, phase: p.phase, fraction: p.fraction });
              },
            });
          } finally {
            sub.dispose();
          }
        },
      );
      if (engine !== this.engine) return undefined; // replaced (settings change or test seam) while loading
      const info = await engine.info().catch((err) => {
        this.opts.logger.warn(`engine info failed: ${errorMessage(err)}`);
        return undefined;
      });
      this.loadedSpec = spec;
      this.loadedModel = model;
      const testModel = isTestModel(model);
      const status: Extract<ModelStatus, { state: 'ready' }> = {
        state: 'ready', spec, name: model.name || name, model, backend: info?.backend ?? 'cpu', gpuLayers: info?.gpuLayers ?? 0, totalLayers: info?.totalLayers ?? 0, vram: info?.vram, testModel, gpuFallback: info?.gpuFallback,
      };
      this.opts.logger.info(`model ready: ${model.name} (${model.file}) on ${status.backend}${info ? `, ${info.gpuLayers}/${info.totalLayers} layers on GPU, context ${info.contextSize}, ${info.threads} threads` : ''}`);
      if (info?.gpuFallback) this.opts.logger.warn(`GPU fallback: ${info.gpuFallback}`);
      this.set(status);
      if (testModel && !this.warnedTestModels.has(model.file)) {
        this.warnedTestModels.add(model.file);
        this.opts.notifier.warn(`"${model.name}" is a random-weight test model: its rewrites are gibberish. Choose a real model for writing.`,
          { title: 'Select Model…', run: () => this.opts.selectModel() });
      }
      return { engine, model, status };
    } catch (err) {
      const cancelled = engineErrorCode(err) === 'CANCELLED';
      if (engine === this.engine) await this.stopEngine();
      if (cancelled) {
        this.opts.logger.info(`loading ${spec} was cancelled`);
        this.set({ state: 'unloaded', spec, name });
        return undefined;
      }
      const message = loadFailureMessage(spec, err);
      this.opts.logger.error(message);
      this.set({ state: 'error', spec, name, message });
      this.opts.notifier.error(message, { title: 'Select Model…', run: () => this.opts.selectModel() });
      return undefined;
    }
  }

  /** Stops the engine process (deactivate, or before a restart). */
  async shutdown(): Promise<void> {
    await this.stopEngine();
  }

  dispose(): void {
    void this.stopEngine();
    this.changed.dispose();
  }
}

export function loadFailureMessage(spec: string, err: unknown): string {
  const detail = errorMessage(err);
  switch (engineErrorCode(err)) {
    // The engine's message names the resolved file ("Model file not found: /abs/path").
    case 'MODEL_NOT_FOUND': return `CPT Writer could not load the model: ${detail}`;
    case 'NOT_GGUF': return `CPT Writer could not load the model: ${detail}. Is it a complete .gguf download?`;
    case 'DOWNLOAD_FAILED': return `CPT Writer could not download ${spec}: ${detail}`;
    default: break;
  }
  return `CPT Writer could not load the model ${spec}: ${detail}`;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${Math.round(bytes / 1e6)} MB`;
  return `${Math.round(bytes / 1e3)} kB`;
}
