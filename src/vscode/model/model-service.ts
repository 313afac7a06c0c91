// Owns the engine: starts it on first use (never at activation), loads the configured model with
// cancellable progress, restarts it after engine settings change or a crash, unloads the model after a
// while without use (or on request), and publishes a status. The parts live beside it: the engine process
// (engine-host.ts), the status and names (model-status.ts), the load's notification and failure messages
// (model-load.ts), the count of calls for the idle unload (model-usage.ts), a server (endpoint-ready.ts).
import * as vscode from 'vscode';
import type { EngineClientOptions, ModelInfo } from '../../core/engine';
import { isCancelled } from '../../core/errors';
import { type StorageDirs, readConfig } from '../common/config';
import type { Engine, EngineFactory } from './engine-factory';
import { realEngineFactory } from './engine-factory';
import { errorMessage } from '../common/log';
import type { Notifier } from '../common/notify';
import { isEndpointSpec } from '../../core/endpoint';
import type { ApiKeys } from './api-keys';
import { EndpointReady } from './endpoint-ready';
import { EngineHost, type EngineHostOptions } from './engine-host';
import {
  loadFailureAction,
  loadFailureMessage,
  loadWithProgress,
  notifyEngineStopped,
  warnDemoModel,
} from './model-load';
import {
  type ModelStatus,
  type ReadyEngine,
  type UnloadReason,
  type UnloadResult,
  logReady,
  readyStatus,
  specDisplayName,
  statusName,
} from './model-status';
import { ModelUsage, trackedEngine } from './model-usage';

// The shapes and helpers other files import from here, now in their own files.
export { formatBytes, loadFailureMessage } from './model-load';
export { specDisplayName } from './model-status';
export type { ModelStatus, ReadyEngine, UnloadReason, UnloadResult } from './model-status';

/** What the engine process needs (EngineHostOptions), and what the service tells and offers a person. */
export interface ModelServiceOptions extends EngineHostOptions {
  notifier: Notifier;
  /** Select Model… (model/select-model.ts), offered when a load fails or the model is a test model. */
  selectModel(): unknown;
  /** API keys of servers (SecretStorage), for cptWriter.model set to a server. */
  apiKeys?: ApiKeys;
  /** Set API Key… (model/api-keys.ts), offered when a server wants a key. */
  setApiKey?(): unknown;
}

export class ModelService implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ModelStatus>();
  readonly onDidChange = this.changed.event;
  private current: ModelStatus;
  /** The engine process: its options, start, staleness after a settings change, and stop. */
  private readonly host: EngineHost;
  /** cptWriter.model set to a server: connected once per address, model and key. */
  private readonly endpoint: EndpointReady;
  private loadedSpec: string | undefined;
  private loadedModel: ModelInfo | undefined;
  private loading: Promise<ReadyEngine | undefined> | undefined;
  private readonly warnedTestModels = new Set<string>();
  /** Model calls in flight and the idle unload after cptWriter.unloadAfterMinutes without them. */
  private readonly usage: ModelUsage;
  private unloading: Promise<unknown> | undefined;
  /** The file a freed model came from, so loading it again skips resolving (and maybe downloading) its spec. */
  private freed: { spec: string; file: string } | undefined;

  constructor(private readonly opts: ModelServiceOptions) {
    this.host = new EngineHost(opts);
    this.usage = new ModelUsage(
      () => this.current.state === 'ready',
      () => this.unload('idle'),
      opts.logger,
    );
    this.endpoint = new EndpointReady({
      opts,
      status: () => this.current,
      set: (status) => this.set(status),
      hasEngine: () => this.engine !== undefined,
      stopEngine: () => this.stopEngine(),
    });
    const spec = readConfig().model;
    this.current = spec ? { state: 'unloaded', spec, name: statusName(spec) } : { state: 'none' };
  }

  /** The log, the notifications, the storage folders and API keys, for Select Model… (model/select-model.ts). */
  get context(): Pick<ModelServiceOptions, 'logger' | 'notifier' | 'dirs' | 'apiKeys' | 'setApiKey'> {
    return this.opts;
  }

  /** Whether the idle unload is due to run (cptWriter.unloadAfterMinutes); tests read it instead of waiting. */
  get idleUnloadScheduled(): boolean {
    return this.usage.idleUnloadScheduled;
  }
  get status(): ModelStatus {
    return this.current;
  }

  private set(status: ModelStatus): void {
    this.current = status;
    this.changed.fire(status);
    if (status.state !== 'ready') this.usage.cancelIdle();
  }

  /** Where engines come from (the real one, or the test double): the judge's second model uses it too. */
  get engineFactory(): EngineFactory {
    return this.host.factory;
  }

  /** The storage folders engines start with (downloads, prompt cache): a second engine (the judge) shares them. */
  get storageDirs(): StorageDirs {
    return this.opts.dirs;
  }

  /** Test seam: the next engine comes from `factory` (the running one is stopped). */
  async setEngineFactory(factory: EngineFactory | undefined): Promise<void> {
    this.host.factory = factory ?? realEngineFactory;
    await this.stopEngine();
    this.resetStatusFromConfig();
  }

  /** Called when engine settings change: the new values apply on next use. */
  settingsChanged(): void {
    if (!this.loading) this.resetStatusFromConfig();
  }

  /** After a GPU backend was installed or removed: the engine restarts on next use, as after a settings change. */
  async engineEnvChanged(): Promise<void> {
    await this.host.refreshEnv();
    this.settingsChanged();
  }

  /** Called when cptWriter.unloadAfterMinutes changes: the idle period starts again with the new length. */
  idleSettingChanged(): void {
    this.usage.scheduleIdle();
  }

  /** The running engine, if any. */
  private get engine(): Engine | undefined {
    return this.host.engine;
  }

  /** True when engine settings (or the engine's environment) changed since the running engine started. */
  private get stale(): boolean {
    return this.host.stale;
  }

  /**
   * The options an engine process of this extension starts with, from the settings: also for a second
   * engine (a teacher GGUF in Generate Preference Data) so it runs as the writer configured.
   */
  engineOptions(): Promise<EngineClientOptions> {
    return this.host.options();
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

  /** The loaded engine, loading the configured model first if needed; undefined when none or the load failed. */
  async ensureReady(): Promise<ReadyEngine | undefined> {
    const spec = readConfig().model;
    if (!spec) {
      this.set({ state: 'none' });
      return undefined;
    }
    if (this.unloading) await this.unloading;
    if (isEndpointSpec(spec)) return this.endpoint.ensure(spec);
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

  /** Called when a server's API key was set or removed: the next rewrite connects with the new one. */
  apiKeyChanged(): void {
    this.endpoint.forget();
    const spec = readConfig().model;
    if (spec && isEndpointSpec(spec) && this.current.state !== 'loading')
      this.set({ state: 'unloaded', spec, name: statusName(spec) });
  }

  /**
   * The engine as handed out: its model calls are counted, so the idle unload never runs under one, and
   * a call after the model was freed loads it again through this service (status and progress shown)
   * instead of behind its back.
   */
  private tracked(engine: Engine): Engine {
    return trackedEngine(engine, (call) =>
      this.usage.run(async () => {
        if (this.unloading) await this.unloading;
        if (engine === this.engine && this.current.state === 'unloaded' && this.current.unloaded)
          await this.ensureReady();
      }, call),
    );
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
    if (this.loading || this.usage.busy) return 'busy';
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
    notifyEngineStopped(this.opts.notifier, reason);
  }

  private dropEngine(): Engine | undefined {
    this.loadedSpec = undefined;
    this.loadedModel = undefined;
    return this.host.drop();
  }

  private async stopEngine(): Promise<void> {
    await this.host.stop(this.dropEngine());
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
      engine = this.engine ?? (await this.host.create((e, reason) => this.crashed(e, reason)));
    } catch (err) {
      return this.loadFailed(spec, name, err);
    }
    try {
      const model = await loadWithProgress(engine, target, name, (p) =>
        this.set({ state: 'loading', spec, name, phase: p.phase, fraction: p.fraction }),
      );
      if (engine !== this.engine) return undefined; // replaced (settings change or test seam) while loading
      const info = await engine.info().catch((err) => {
        this.opts.logger.warn(`engine info failed: ${errorMessage(err)}`);
        return undefined;
      });
      this.loadedSpec = spec;
      this.loadedModel = model;
      const status = readyStatus(spec, name, model, info);
      logReady(this.opts.logger, status, info);
      this.set(status);
      this.usage.scheduleIdle();
      if (status.testModel && !this.warnedTestModels.has(model.file)) {
        this.warnedTestModels.add(model.file);
        warnDemoModel(this.opts.notifier, model.file, () => this.opts.selectModel());
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
      return this.loadFailed(spec, name, err);
    }
  }

  /** A failed load: logged, shown in the status, and told with its next step. */
  private loadFailed(spec: string, name: string, err: unknown): undefined {
    const message = loadFailureMessage(spec, err);
    this.opts.logger.error(message);
    this.set({ state: 'error', spec, name, message });
    this.opts.notifier.error(
      message,
      loadFailureAction(err, () => this.opts.selectModel()),
    );
    return undefined;
  }

  /** Stops the engine process (deactivate, or before a restart, or before its backend files are removed). */
  async shutdown(): Promise<void> {
    await this.stopEngine();
    this.freed = undefined;
    const s = this.current;
    if (s.state === 'ready') this.set({ state: 'unloaded', spec: s.spec, name: s.name });
  }

  dispose(): void {
    this.usage.cancelIdle();
    void this.stopEngine();
    this.changed.dispose();
  }
}
