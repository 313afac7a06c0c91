// Owns the engine: starts it on first use (never at activation), loads the configured model with
// cancellable progress, restarts it after engine settings change or a crash, unloads the model after a
// while without use (or on request), and publishes a status.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { filePathFromUrl, isTestModel, splitSha256 } from '../../core/engine';
import {
  EngineError,
  type Backend,
  type BackendAvailability,
  type EngineClientOptions,
  type EngineInfo,
  type LoadProgress,
  type LoadedAdapter,
  type ModelInfo,
} from '../../core/engine';
import { isCancelled } from '../../core/errors';
import type { Logger } from '../../core/log';
import { type StorageDirs, engineSettings, readConfig } from '../common/config';
import type { Engine, EngineFactory } from './engine-factory';
import { engineErrorCode, realEngineFactory } from './engine-factory';
import { errorMessage } from '../common/log';
import type { Notifier } from '../common/notify';
import { cpuReason } from './backend-summary';
import { isEndpointSpec } from '../../core/endpoint';
import type { ApiKeys } from './api-keys';
import { endpointStatusName, readyEndpoint } from './endpoint-model';

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

export interface ReadyEngine {
  engine: Engine;
  model: ModelInfo;
  status: Extract<ModelStatus, { state: 'ready' }>;
}

export interface ModelServiceOptions {
  logger: Logger;
  notifier: Notifier;
  /** Folders in the extension's storage: downloads (when cptWriter.modelsDirectory is empty) and the prompt cache. */
  dirs: StorageDirs;
  /** dist/engine-process.js of this extension. */
  processEntry: string;
  /** Select Model… (model/select-model.ts), offered when a load fails or the model is a test model. */
  selectModel(): unknown;
  /**
   * Extra environment for the next engine process (the CUDA backend installed into the storage folder,
   * model/cuda-backend.ts); awaited before each engine start. A change of what it returns restarts the
   * engine on next use, as a settings change does.
   */
  engineEnv?(): Promise<NodeJS.ProcessEnv>;
  /** API keys of servers (SecretStorage), for cptWriter.model set to a server. */
  apiKeys?: ApiKeys;
  /** Set API Key… (model/api-keys.ts), offered when a server wants a key. */
  setApiKey?(): unknown;
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
  /** The environment the running engine was started with (JSON), part of what makes it stale. */
  private engineEnvSnapshot = '{}';
  private lastEnv: NodeJS.ProcessEnv = {};
  /** Model calls (generate, prewarm) in flight: never unload under them. */
  private active = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private unloading: Promise<unknown> | undefined;
  /** The file a freed model came from, so loading it again skips resolving (and maybe downloading) its spec. */
  private freed: { spec: string; file: string } | undefined;

  constructor(private readonly opts: ModelServiceOptions) {
    const spec = readConfig().model;
    this.current = spec ? { state: 'unloaded', spec, name: statusName(spec) } : { state: 'none' };
  }

  /** The log, the notifications, the storage folders and API keys, for Select Model… (model/select-model.ts). */
  get context(): Pick<ModelServiceOptions, 'logger' | 'notifier' | 'dirs' | 'apiKeys' | 'setApiKey'> {
    return this.opts;
  }

  get status(): ModelStatus {
    return this.current;
  }

  private set(status: ModelStatus): void {
    this.current = status;
    this.changed.fire(status);
    if (status.state !== 'ready') this.cancelIdle();
  }

  /** Where engines come from (the real one, or the test double): the judge's second model uses it too. */
  get engineFactory(): EngineFactory {
    return this.factory;
  }

  /** The storage folders engines are started with (downloads, prompt cache): a second engine (the judge) shares them. */
  get storageDirs(): StorageDirs {
    return this.opts.dirs;
  }

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

  /**
   * Called when what engineEnv() returns may have changed (a GPU backend installed or removed): the
   * running engine is restarted on next use, as after a settings change.
   */
  async engineEnvChanged(): Promise<void> {
    this.lastEnv = await this.readEngineEnv();
    this.settingsChanged();
  }

  /** Called when cptWriter.unloadAfterMinutes changes: the idle period starts again with the new length. */
  idleSettingChanged(): void {
    this.scheduleIdle();
  }

  private currentSnapshot(): string {
    return JSON.stringify(engineSettings(readConfig(), this.opts.dirs));
  }

  /** True when engine settings (or the engine's environment) changed since the running engine started. */
  private get stale(): boolean {
    return (
      this.engine !== undefined &&
      (this.engineSnapshot !== this.currentSnapshot() || this.engineEnvSnapshot !== JSON.stringify(this.lastEnv))
    );
  }

  private async readEngineEnv(): Promise<NodeJS.ProcessEnv> {
    if (!this.opts.engineEnv) return {};
    try {
      return await this.opts.engineEnv();
    } catch (err) {
      this.opts.logger.warn(`engine environment: ${errorMessage(err)}`);
      return {};
    }
  }

  /**
   * The options an engine process of this extension starts with, from the settings: also for a second
   * engine (a teacher GGUF in Generate Preference Data) so it runs as the writer configured.
   */
  async engineOptions(): Promise<EngineClientOptions> {
    const env = await this.readEngineEnv();
    this.lastEnv = env;
    return {
      ...engineSettings(readConfig(), this.opts.dirs),
      logger: this.opts.logger,
      processEntry: this.opts.processEntry,
      // Desktop VS Code runs the extension host under Electron: the forked engine must run as plain Node.
      env: { ELECTRON_RUN_AS_NODE: '1', ...env },
    };
  }

  private resetStatusFromConfig(): void {
    const spec = readConfig().model;
    if (!spec) {
      this.set({ state: 'none' });
      return;
    }
    if (this.current.state === 'ready' && this.current.spec === spec && !this.stale) {
      // A server: the same address with another model name (or key) connects again.
      if (!this.current.endpoint || this.current.endpoint.model === readConfig().endpointModel) return;
    }
    if (this.current.state === 'unloaded' && this.current.spec === spec && this.current.unloaded && !this.stale) return;
    this.set({ state: 'unloaded', spec, name: statusName(spec) });
  }

  /** The loaded engine, loading the configured model first if needed; undefined when there is none or the load failed. */
  async ensureReady(): Promise<ReadyEngine | undefined> {
    const spec = readConfig().model;
    if (!spec) {
      this.set({ state: 'none' });
      return undefined;
    }
    if (this.unloading) await this.unloading;
    if (isEndpointSpec(spec)) return this.ensureEndpoint(spec);
    if (this.loading) {
      // Join the load in flight; if it failed, its caller already told the writer: do not retry at once.
      const pending = await this.loading;
      if (!pending) return undefined;
      if (pending.status.spec === spec && !this.stale) return pending;
    }
    if (this.engine && !this.stale && this.loadedSpec === spec && this.loadedModel && this.current.state === 'ready') {
      return { engine: this.tracked(this.engine), model: this.loadedModel, status: this.current };
    }
    this.loading = this.load(spec).finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private endpointReady: { key: string; ready: ReadyEngine } | undefined;
  private endpointLoading: { key: string; ready: Promise<ReadyEngine | undefined> } | undefined;

  /** cptWriter.model is a server: no engine runs (a running one is stopped to free its memory). */
  private async ensureEndpoint(spec: string): Promise<ReadyEngine | undefined> {
    const servedModel = readConfig().endpointModel;
    const apiKey = await this.opts.apiKeys?.get(spec).catch(() => undefined);
    const key = JSON.stringify([spec, servedModel, apiKey ?? '']);
    const cached = this.endpointReady;
    if (cached?.key === key && this.current.state === 'ready' && this.current.spec === spec) return cached.ready;
    if (this.endpointLoading?.key === key) return this.endpointLoading.ready;
    if (this.engine) await this.stopEngine();
    this.endpointReady = undefined;
    const ready = readyEndpoint(
      { spec, servedModel, apiKey, logger: this.opts.logger, notifier: this.opts.notifier },
      {
        set: (status) => this.set(status),
        selectModel: () => this.opts.selectModel(),
        setApiKey: () => this.opts.setApiKey?.(),
      },
    ).then((r) => {
      if (r && JSON.stringify([readConfig().model, readConfig().endpointModel, apiKey ?? '']) === key)
        this.endpointReady = { key, ready: r };
      return r;
    });
    this.endpointLoading = { key, ready };
    try {
      return await ready;
    } finally {
      if (this.endpointLoading?.ready === ready) this.endpointLoading = undefined;
    }
  }

  /** Called when a server's API key was set or removed: the next rewrite connects with the new one. */
  apiKeyChanged(): void {
    this.endpointReady = undefined;
    const spec = readConfig().model;
    if (spec && isEndpointSpec(spec) && this.current.state !== 'loading')
      this.set({ state: 'unloaded', spec, name: statusName(spec) });
  }

  private async createEngine(): Promise<Engine> {
    // An adapter entry that cannot be read would leave the model running as the base: refuse instead.
    const problems = readConfig().loraProblems;
    if (problems.length) throw new EngineError('ADAPTER_FAILED', problems.join('; '));
    const options = await this.engineOptions();
    const engine = this.factory(options);
    this.engineSnapshot = this.currentSnapshot();
    this.engineEnvSnapshot = JSON.stringify(this.lastEnv);
    this.crashSub = engine.onCrash((reason) => this.crashed(engine, reason));
    return engine;
  }

  /** What a failed load offers: the adapters setting when an adapter is the cause, else Select Model…. */
  private failureAction(err: unknown): { title: string; run(): unknown } {
    if (engineErrorCode(err) === 'ADAPTER_FAILED')
      return {
        title: vscode.l10n.t('Open Settings'),
        // VS Code's own command (not one of ours): the Settings editor filtered to the adapters setting.
        run: () => vscode.commands.executeCommand('workbench.action.openSettings', 'cptWriter.loraAdapters'),
      };
    return { title: vscode.l10n.t('Select Model…'), run: () => this.opts.selectModel() };
  }

  /**
   * The engine as handed out: its model calls are counted, so the idle unload never runs under one, and
   * a call after the model was freed loads it again through this service (status and progress shown)
   * instead of behind its back.
   */
  private tracked(engine: Engine): Engine {
    const busy = async <T>(call: () => Promise<T>): Promise<T> => {
      this.active++;
      this.cancelIdle();
      try {
        if (this.unloading) await this.unloading;
        if (engine === this.engine && this.current.state === 'unloaded' && this.current.unloaded)
          await this.ensureReady();
        return await call();
      } finally {
        this.active--;
        this.scheduleIdle();
      }
    };
    const batch: Engine['generateBatch'] =
      engine.generateBatch && ((reqs, opts) => busy(() => engine.generateBatch!(reqs, opts)));
    return {
      load: (spec, opts) => engine.load(spec, opts),
      generate: (req) => busy(() => engine.generate(req)),
      // Kept when the engine has it: best-of's candidates and judgements run as parallel sequences.
      ...(batch ? { generateBatch: batch } : {}),
      prewarm: (system, options) => busy(() => engine.prewarm(system, options)),
      info: () => engine.info(),
      unload: () => engine.unload(),
      get isLoaded() {
        return engine.isLoaded;
      },
      onCrash: (listener) => engine.onCrash(listener),
      dispose: () => engine.dispose(),
    };
  }

  private cancelIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  /** (Re)starts the idle period: after cptWriter.unloadAfterMinutes without model calls, the model is freed. */
  private scheduleIdle(): void {
    this.cancelIdle();
    const minutes = readConfig().unloadAfterMinutes;
    if (!minutes || this.current.state !== 'ready' || this.active > 0) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      void this.unload('idle').then((r) => {
        if (r === 'unloaded')
          this.opts.logger.info(
            `model unloaded after ${minutes} minute${minutes === 1 ? '' : 's'} without use (cptWriter.unloadAfterMinutes); the next rewrite loads it again`,
          );
      });
    }, minutes * 60_000);
  }

  /**
   * Frees the loaded model's memory (the engine process stays, holding no model); the next rewrite loads
   * it again, with the prompt cache making its first prompt cheap. Never while a rewrite, prewarm or other
   * model call runs, or while a model loads: then 'busy'.
   */
  async unload(reason: UnloadReason): Promise<UnloadResult> {
    if (this.unloading) {
      await this.unloading;
      return 'not-loaded';
    }
    if (this.loading || this.active > 0) return 'busy';
    const engine = this.engine;
    const status = this.current;
    if (!engine || status.state !== 'ready' || !this.loadedModel) return 'not-loaded';
    this.freed = { spec: status.spec, file: this.loadedModel.file };
    this.loadedModel = undefined;
    this.set({ state: 'unloaded', spec: status.spec, name: status.name, unloaded: reason });
    this.opts.logger.info(`unloading ${status.name} (${reason === 'idle' ? 'idle' : 'Unload Model'})`);
    const done = engine.unload().then(
      () => undefined,
      // A failed unload leaves a process that may still hold the model: stop it, so memory is freed either way.
      async (err) => {
        this.opts.logger.warn(`unload failed (${errorMessage(err)}); stopping the engine process instead`);
        if (engine === this.engine) await this.stopEngine();
      },
    );
    this.unloading = done.finally(() => {
      this.unloading = undefined;
    });
    await this.unloading;
    return 'unloaded';
  }

  private crashed(engine: Engine, reason: string): void {
    if (engine !== this.engine) return;
    this.freed = undefined;
    this.opts.logger.error(`engine process stopped unexpectedly: ${reason}`);
    this.dropEngine();
    const spec = readConfig().model;
    this.set({
      state: 'error',
      spec,
      name: statusName(spec),
      message: vscode.l10n.t('The engine stopped: {0}', reason),
    });
    this.opts.notifier.error(
      vscode.l10n.t(
        "CPT Writer's engine stopped unexpectedly ({0}). Your text is unchanged; the engine restarts on the next rewrite.",
        reason,
      ),
    );
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
      try {
        await engine.dispose();
      } catch (err) {
        this.opts.logger.warn(`engine dispose failed: ${errorMessage(err)}`);
      }
    }
  }

  private async load(spec: string): Promise<ReadyEngine | undefined> {
    if (this.stale || (this.engine && this.loadedSpec !== spec)) await this.stopEngine();
    const name = specDisplayName(spec);
    // A freed model loads from the file it was resolved to (an hf: or https: spec is not looked up again).
    const target = this.freed?.spec === spec && this.engine ? this.freed.file : spec;
    this.freed = undefined;
    this.set({ state: 'loading', spec, name, phase: 'load', fraction: 0 });
    this.opts.logger.info(target === spec ? `loading model ${spec}` : `loading model ${spec} again (${target})`);
    let engine: Engine;
    try {
      engine = this.engine ?? (this.engine = await this.createEngine());
    } catch (err) {
      const message = loadFailureMessage(spec, err);
      this.opts.logger.error(message);
      this.set({ state: 'error', spec, name, message });
      this.opts.notifier.error(message, this.failureAction(err));
      return undefined;
    }
    try {
      const model = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: vscode.l10n.t('CPT Writer: loading {0}', name),
          cancellable: true,
        },
        async (progress, token) => {
          const abort = new AbortController();
          const sub = token.onCancellationRequested(() => abort.abort());
          let reported = 0;
          try {
            return await engine.load(target, {
              signal: abort.signal,
              onProgress: (p) => {
                const percent = Math.max(0, Math.min(100, Math.round(p.fraction * 100)));
                const message =
                  p.phase === 'download'
                    ? p.totalBytes
                      ? vscode.l10n.t('Downloading {0}% of {1}', percent, formatBytes(p.totalBytes))
                      : vscode.l10n.t('Downloading {0}%', percent)
                    : vscode.l10n.t('Loading {0}%', percent);
                progress.report({ message, increment: Math.max(0, percent - reported) });
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
      const status = this.readyStatus(spec, name, model, info);
      this.opts.logger.info(
        `model ready: ${model.name} (${model.file}) on ${status.backend}${info ? `, ${info.gpuLayers}/${info.totalLayers} layers on GPU, context ${info.contextSize}, ${info.threads} threads` : ''}`,
      );
      this.logDetails(status);
      this.set(status);
      this.scheduleIdle();
      if (status.testModel && !this.warnedTestModels.has(model.file)) {
        this.warnedTestModels.add(model.file);
        this.opts.notifier.warn(
          vscode.l10n.t(
            'CPT Writer: {0} is the demo model, with random weights, so its rewrites are gibberish. ' +
              'Choose a real model for writing.',
            path.basename(model.file),
          ),
          { title: vscode.l10n.t('Select Model…'), run: () => this.opts.selectModel() },
        );
      }
      return { engine: this.tracked(engine), model, status };
    } catch (err) {
      const cancelled = isCancelled(err);
      if (engine === this.engine) await this.stopEngine();
      if (cancelled) {
        this.opts.logger.info(`loading ${spec} was cancelled`);
        this.set({ state: 'unloaded', spec, name });
        return undefined;
      }
      const message = loadFailureMessage(spec, err);
      this.opts.logger.error(message);
      this.set({ state: 'error', spec, name, message });
      this.opts.notifier.error(message, this.failureAction(err));
      return undefined;
    }
  }

  private readyStatus(
    spec: string,
    name: string,
    model: ModelInfo,
    info: EngineInfo | undefined,
  ): Extract<ModelStatus, { state: 'ready' }> {
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

  private logDetails(s: Extract<ModelStatus, { state: 'ready' }>): void {
    const log = this.opts.logger;
    if (s.gpuFallback) log.warn(`GPU fallback: ${s.gpuFallback}`);
    if (s.backends) {
      log.info(
        `backends: ${s.backends.map((b) => `${b.backend} (binary ${b.binary ? `in ${b.binsDir ?? 'this install'}` : 'not installed'}, drivers ${b.drivers ? 'found' : 'not found'})`).join(', ')}`,
      );
    }
    if (s.cpuReason) log.info(s.cpuReason);
    for (const a of s.adapters ?? []) log.info(`LoRA adapter ${a.name} (scale ${a.scale}): ${a.path}`);
    log.info(
      s.promptCache
        ? `prompt cache: ${s.promptCache.directory} (up to ${s.promptCache.maxMB} MB)`
        : 'prompt cache: off',
    );
  }

  /** Stops the engine process (deactivate, or before a restart, or before its backend files are removed). */
  async shutdown(): Promise<void> {
    await this.stopEngine();
    this.freed = undefined;
    const s = this.current;
    if (s.state === 'ready') this.set({ state: 'unloaded', spec: s.spec, name: s.name });
  }

  dispose(): void {
    this.cancelIdle();
    void this.stopEngine();
    this.changed.dispose();
  }
}

/** The status bar name of a chosen model: a served model's name, or the GGUF's. */
function statusName(spec: string): string {
  return isEndpointSpec(spec) ? endpointStatusName(spec, readConfig().endpointModel) : specDisplayName(spec);
}

export function loadFailureMessage(spec: string, err: unknown): string {
  const detail = errorMessage(err);
  switch (engineErrorCode(err)) {
    // The engine's message names the resolved file ("Model file not found: /abs/path").
    case 'MODEL_NOT_FOUND':
      return vscode.l10n.t('CPT Writer could not load the model: {0}', detail);
    case 'NOT_GGUF':
      return vscode.l10n.t('CPT Writer could not load the model: {0}. Is it a complete .gguf download?', detail);
    case 'DOWNLOAD_FAILED':
      return vscode.l10n.t('CPT Writer could not download {0}: {1}', spec, detail);
    // The engine's message names the adapter file, the model file and why they do not fit.
    case 'ADAPTER_FAILED':
      return vscode.l10n.t(
        'CPT Writer did not load the model {0}: an adapter in cptWriter.loraAdapters does not apply. {1}',
        spec,
        detail,
      );
    default:
      break;
  }
  return vscode.l10n.t('CPT Writer could not load the model {0}: {1}', spec, detail);
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${Math.round(bytes / 1e6)} MB`;
  return `${Math.round(bytes / 1e3)} kB`;
}
