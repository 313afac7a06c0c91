// The engine process's lifecycle for the model service: the options it starts with (settings, the
// storage folders, the CUDA backend's environment), starting it, telling when the settings or the
// environment it was started with are stale (restart before the next rewrite), and stopping it.
import { EngineError, type EngineClientOptions } from '../../core/engine';
import type { Logger } from '../../core/log';
import { type StorageDirs, engineSettings, readConfig } from '../common/config';
import { errorMessage } from '../common/log';
import { type Engine, type EngineFactory, realEngineFactory } from './engine-factory';

export interface EngineHostOptions {
  logger: Logger;
  /** Folders in the extension's storage: downloads (when cptWriter.modelsDirectory is empty) and the prompt cache. */
  dirs: StorageDirs;
  /** dist/engine-process.js of this extension. */
  processEntry: string;
  /**
   * Extra environment for the next engine process (the CUDA backend installed into the storage folder,
   * model/cuda-backend.ts); awaited before each engine start. A change of what it returns restarts the
   * engine on next use, as a settings change does.
   */
  engineEnv?(): Promise<NodeJS.ProcessEnv>;
}

export class EngineHost {
  /** The running engine, if one was started and not stopped or crashed since. */
  engine: Engine | undefined;
  factory: EngineFactory = realEngineFactory;
  private crashSub: { dispose(): void } | undefined;
  /** The engine settings the running engine was started with; a difference means restart before the next rewrite. */
  private engineSnapshot: string | undefined;
  /** The environment the running engine was started with (JSON), part of what makes it stale. */
  private engineEnvSnapshot = '{}';
  private lastEnv: NodeJS.ProcessEnv = {};

  constructor(private readonly opts: EngineHostOptions) {}

  private currentSnapshot(): string {
    return JSON.stringify(engineSettings(readConfig(), this.opts.dirs));
  }

  /** True when engine settings (or the engine's environment) changed since the running engine started. */
  get stale(): boolean {
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

  /** Reads the engine's environment again (a GPU backend installed or removed): a change makes it stale. */
  async refreshEnv(): Promise<void> {
    this.lastEnv = await this.readEngineEnv();
  }

  /**
   * The options an engine process of this extension starts with, from the settings: also for a second
   * engine (a teacher GGUF in Generate Preference Data) so it runs as the writer configured.
   */
  async options(): Promise<EngineClientOptions> {
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

  /** Starts an engine (it becomes `engine`); `onCrash` hears of its unexpected end. */
  async create(onCrash: (engine: Engine, reason: string) => void): Promise<Engine> {
    // An adapter entry that cannot be read would leave the model running as the base: refuse instead.
    const problems = readConfig().loraProblems;
    if (problems.length) throw new EngineError('ADAPTER_FAILED', problems.join('; '));
    const options = await this.options();
    const engine = this.factory(options);
    this.engineSnapshot = this.currentSnapshot();
    this.engineEnvSnapshot = JSON.stringify(this.lastEnv);
    this.crashSub = engine.onCrash((reason) => onCrash(engine, reason));
    return (this.engine = engine);
  }

  /** Forgets the running engine (without stopping it) and returns it. */
  drop(): Engine | undefined {
    const engine = this.engine;
    this.crashSub?.dispose();
    this.crashSub = undefined;
    this.engine = undefined;
    return engine;
  }

  /** Disposes `engine` (one just dropped), logging a failure instead of throwing it. */
  async stop(engine: Engine | undefined): Promise<void> {
    if (engine) {
      try {
        await engine.dispose();
      } catch (err) {
        this.opts.logger.warn(`engine dispose failed: ${errorMessage(err)}`);
      }
    }
  }
}
