// The client half of the engine: forks the engine process on first use, speaks the typed protocol, and
// turns a dead process into ENGINE_CRASHED for pending calls, then into a fresh process (with the last
// model reloaded) on the next call.
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { TooLongError } from '../errors';
import { type Logger, silentLogger } from '../log';
import { DEFAULT_PROMPT_CACHE_MAX_MB, defaultPromptCacheDirectory } from './prompt-cache';
import {
  type CallMap,
  type ClientToEngine,
  type EngineToClient,
  type GenerateParams,
  MAX_BATCH_JOBS,
  type Method,
  type WireSettings,
  RESULT_CHECKS,
  isEngineToClient,
  engineProtocolProblem,
} from './protocol';
import {
  type BatchOptions,
  type Engine,
  EngineError,
  type EngineClientOptions,
  type EngineInfo,
  type LoadProgress,
  type ModelInfo,
  type GenerateRequest,
  type GenerateResult,
} from './types';

interface Pending {
  method: Method;
  /** The process the call went to: only its own death fails the call. */
  child: ChildProcess;
  resolve(value: unknown): void;
  reject(err: Error): void;
  onToken?: (text: string, job?: number) => void;
  onProgress?: (p: LoadProgress) => void;
  /** A sign that the call is getting somewhere (a load's progress or next step): restarts its timeout. */
  onAlive?: () => void;
}

interface Running {
  child: ChildProcess;
  /** Resolves once the process has exited (for dispose). */
  exited: Promise<void>;
}

/** The default of EngineClientOptions.loadTimeoutMs: ten minutes without any progress. */
export const DEFAULT_LOAD_TIMEOUT_MS = 10 * 60_000;
/**
 * How long a cancelled load may take to stop by itself. llama.cpp checks for the abort between tensors;
 * a load that does not stop by then is stuck where nothing checks, and its process is killed.
 */
export const LOAD_CANCEL_GRACE_MS = 3000;

/** Where downloads go when no modelsDirectory is configured. */
export function defaultModelsDirectory(): string {
  return path.join(os.homedir(), '.cache', 'cpt-writer', 'models');
}

/** An absolute path for a setting that may start with ~ or be relative (to the current directory). */
function resolvePath(p: string): string {
  if (p === '~' || p.startsWith('~/') || p.startsWith('~\\')) return path.join(os.homedir(), p.slice(1));
  return path.resolve(p);
}

const DEFAULT_MAX_TOKENS = 1024;
const DEFAULT_TEMPERATURE = 0.7;

export class EngineClient implements Engine {
  private readonly logger: Logger;
  private running: Running | undefined;
  private starting: Promise<Running> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly crashListeners = new Set<(reason: string) => void>();
  /** The resolved file of the last successful load, reloaded into a fresh process after a crash. */
  private lastModelFile: string | undefined;
  /** Set by unload(): the next generate or prewarm loads lastModelFile again first. */
  private unloaded = false;
  private reloading: Promise<unknown> | undefined;
  private disposed = false;
  /** Processes the client killed on purpose (a load timed out or would not stop), and why: their exit is no crash. */
  private readonly stopped = new WeakMap<ChildProcess, EngineError>();

  constructor(readonly options: EngineClientOptions = {}) {
    this.logger = options.logger ?? silentLogger;
  }

  /** The engine process's pid while it runs (tests kill it to check crash recovery). */
  get pid(): number | undefined {
    return this.running?.child.pid;
  }

  /** Resolves a model spec (file path, https: URL, hf: URI; downloads with resume), then loads it. */
  async load(
    spec: string,
    opts: { onProgress?: (p: LoadProgress) => void; signal?: AbortSignal } = {},
  ): Promise<ModelInfo> {
    if (opts.signal?.aborted) throw new EngineError('CANCELLED', 'Model load was cancelled.');
    // A crashed process gets a fresh one here, but there is no point reloading the old model first.
    const info = await this.call('load', { spec }, { onProgress: opts.onProgress, signal: opts.signal, reload: false });
    this.lastModelFile = info.file;
    this.unloaded = false;
    return info;
  }

  /**
   * Frees the model and its context (the memory a loaded model holds) but keeps the engine process, so
   * the next generate or prewarm loads the same model again by itself, as after a crash; the prompt cache
   * makes that reload's first prompt cheap. info() meanwhile reports no model. Resolves false when no
   * model was loaded.
   */
  async unload(): Promise<boolean> {
    if (this.disposed) throw new EngineError('INTERNAL', 'The engine client has been disposed.');
    if (this.lastModelFile) this.unloaded = true;
    // A process that is not running holds no model: do not start one just to unload it.
    const running = this.running ?? (await this.starting?.catch(() => undefined));
    if (!running) return false;
    const { unloaded } = await this.sendCall(running.child, 'unload', {}, {});
    return unloaded;
  }

  /** Whether a model is loaded (or will be reloaded by the next call after a crash); false after unload(). */
  get isLoaded(): boolean {
    return !!this.lastModelFile && !this.unloaded;
  }

  /** After unload(): loads the last model again, once for any number of callers. */
  private async reloadIfUnloaded(): Promise<void> {
    if (!this.unloaded || !this.lastModelFile) return;
    const file = this.lastModelFile;
    this.reloading ??= (async () => {
      this.logger.info(`engine: loading ${file} again after it was unloaded`);
      await this.load(file);
    })().finally(() => {
      this.reloading = undefined;
    });
    await this.reloading;
  }

  /** Streams a rewrite; an aborted signal resolves with stopReason 'aborted' and the partial text. */
  async generate(req: GenerateRequest): Promise<GenerateResult> {
    if (req.signal?.aborted) return abortedResult();
    const params = generateParams(req);
    await this.reloadIfUnloaded();
    return this.call('generate', params, { onToken: req.onToken, signal: req.signal });
  }

  /**
   * Runs `reqs` together as parallel sequences of one context (as many at once as memory allows, the rest
   * after them), each streaming to its own onToken and keeping its own seed and sampling; results in order.
   * `opts.signal` stops every job (each resolves with stopReason 'aborted' and its partial text); the jobs'
   * own signals are not watched one by one.
   */
  async generateBatch(reqs: readonly GenerateRequest[], opts: BatchOptions = {}): Promise<GenerateResult[]> {
    if (reqs.length === 0) return [];
    if (reqs.length > MAX_BATCH_JOBS) {
      throw new EngineError('INTERNAL', `At most ${MAX_BATCH_JOBS} jobs run in one batch, got ${reqs.length}.`);
    }
    if (opts.signal?.aborted) return reqs.map(() => abortedResult());
    const jobs = reqs.map(generateParams);
    await this.reloadIfUnloaded();
    const r = await this.call(
      'generateBatch',
      { jobs },
      { onToken: (text, job) => (job !== undefined ? reqs[job]?.onToken?.(text) : undefined), signal: opts.signal },
    );
    if (r.results.length !== reqs.length) {
      throw new EngineError('INTERNAL', `The engine answered ${r.results.length} of ${reqs.length} batch jobs.`);
    }
    opts.onParallel?.(r.parallel);
    return r.results;
  }

  /**
   * Evaluates a system prompt now so the next rewrite with it reuses its KV prefix. `userPrefix` is the
   * start that every user message will share (the rewrite instruction), evaluated along with it.
   */
  async prewarm(
    system: string,
    options: { userPrefix?: string } = {},
  ): Promise<{ tokens: number; ms: number; restoredTokens: number }> {
    await this.reloadIfUnloaded();
    return this.call(
      'prewarm',
      options.userPrefix === undefined ? { system } : { system, userPrefix: options.userPrefix },
      {},
    );
  }

  /**
   * How many tokens `system` + `user` take as a generate would evaluate them (the chat template and the
   * model's tokenizer), and the context's size: evaluation and generation skip what cannot fit up front.
   */
  async promptTokens(system: string, user: string): Promise<{ tokens: number; contextSize: number }> {
    await this.reloadIfUnloaded();
    return this.call('promptTokens', { system, user }, {});
  }

  async info(): Promise<EngineInfo> {
    return this.call('info', {}, {});
  }

  /** Fires when the engine process dies unexpectedly (the next call starts a fresh one). */
  onCrash(listener: (reason: string) => void): { dispose(): void } {
    this.crashListeners.add(listener);
    return {
      dispose: () => {
        this.crashListeners.delete(listener);
      },
    };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const running = this.running ?? (await this.starting?.catch(() => undefined));
    this.running = undefined;
    this.starting = undefined;
    if (!running) return;
    this.send(running.child, { type: 'shutdown' });
    const killTimer = setTimeout(() => running.child.kill('SIGKILL'), 5000);
    await running.exited;
    clearTimeout(killTimer);
    this.failPending(running.child, new EngineError('CANCELLED', 'The engine was shut down.'));
  }

  private settings(): WireSettings {
    const o = this.options;
    for (const a of o.lora ?? []) {
      if (typeof a?.path !== 'string' || !a.path.trim() || typeof a.scale !== 'number' || !Number.isFinite(a.scale)) {
        throw new EngineError(
          'ADAPTER_FAILED',
          `A LoRA adapter needs a path and a numeric scale, got ${JSON.stringify(a)}.`,
        );
      }
    }
    const maxMB = o.promptCache?.maxMB;
    if (maxMB !== undefined && !(typeof maxMB === 'number' && Number.isFinite(maxMB) && maxMB >= 0)) {
      throw new EngineError(
        'INTERNAL',
        `The prompt cache's size cap must be a number of MiB of at least 0, got ${String(maxMB)}.`,
      );
    }
    return {
      gpu: o.gpu ?? 'auto',
      gpuLayers: o.gpuLayers ?? 'auto',
      contextSize: o.contextSize ?? 'auto',
      threads: o.threads ?? 0,
      modelsDirectory: o.modelsDirectory || defaultModelsDirectory(),
      lora: (o.lora ?? []).map((a) => ({ path: resolvePath(a.path), scale: a.scale })),
      promptCache: {
        enabled: o.promptCache?.enabled ?? false,
        directory: resolvePath(o.promptCache?.directory || defaultPromptCacheDirectory()),
        maxMB: o.promptCache?.maxMB ?? DEFAULT_PROMPT_CACHE_MAX_MB,
      },
      ...(o.parallelMemoryMB !== undefined ? { parallelMemoryMB: o.parallelMemoryMB } : {}),
      logLevel: o.llamaLogLevel ?? 'warn',
    };
  }

  private async call<M extends Method>(
    method: M,
    params: CallMap[M]['params'],
    opts: {
      onToken?: (t: string, job?: number) => void;
      onProgress?: (p: LoadProgress) => void;
      signal?: AbortSignal;
      reload?: boolean;
    },
  ): Promise<CallMap[M]['result']> {
    if (this.disposed) throw new EngineError('INTERNAL', 'The engine client has been disposed.');
    const { child } = await this.ensureProcess(opts.reload ?? true);
    return this.sendCall(child, method, params, opts);
  }

  private sendCall<M extends Method>(
    child: ChildProcess,
    method: M,
    params: CallMap[M]['params'],
    opts: { onToken?: (t: string, job?: number) => void; onProgress?: (p: LoadProgress) => void; signal?: AbortSignal },
  ): Promise<CallMap[M]['result']> {
    const id = this.nextId++;
    // A load runs native code that may never return (a file llama.cpp's parser chokes on, a stuck disk):
    // it gets a timeout and a cancel that end the process when the engine does not end the load itself.
    const guarded = method === 'load';
    const timeoutMs = this.options.loadTimeoutMs ?? DEFAULT_LOAD_TIMEOUT_MS;
    return new Promise<CallMap[M]['result']>((resolve, reject) => {
      let stall: NodeJS.Timeout | undefined;
      let grace: NodeJS.Timeout | undefined;
      const spec = (params as { spec?: string }).spec ?? '';
      const stopWith = (err: EngineError) => {
        if (!this.pending.has(id)) return;
        this.pending.get(id)?.reject(err);
        this.pending.delete(id);
        this.stopProcess(child, err);
      };
      const armStall = () => {
        if (!guarded || !(timeoutMs > 0)) return;
        clearTimeout(stall);
        stall = setTimeout(
          () =>
            stopWith(
              new EngineError(
                'MODEL_LOAD_FAILED',
                `Loading ${spec} got nowhere for ${formatMs(timeoutMs)} (no progress from the download or from ` +
                  `llama.cpp), so the engine was stopped. ` +
                  'The file may be damaged, or the disk very slow; a longer load timeout (--load-timeout) gives ' +
                  'it more time.',
              ),
            ),
          timeoutMs,
        );
      };
      const onAbort = () => {
        this.send(child, { type: 'cancel', id });
        if (guarded && !grace) {
          grace = setTimeout(
            () =>
              stopWith(
                new EngineError(
                  'CANCELLED',
                  'Model load was cancelled (the engine was stopped: the load did not stop by itself).',
                ),
              ),
            LOAD_CANCEL_GRACE_MS,
          );
        }
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => {
        opts.signal?.removeEventListener('abort', onAbort);
        clearTimeout(stall);
        clearTimeout(grace);
      };
      this.pending.set(id, {
        method,
        child,
        resolve: (v) => {
          done();
          resolve(v as CallMap[M]['result']);
        },
        reject: (e) => {
          done();
          reject(e);
        },
        onToken: opts.onToken,
        onProgress: opts.onProgress,
        onAlive: armStall,
      });
      armStall();
      this.send(child, { type: 'call', id, method, params } as ClientToEngine);
      // Aborted while the process was starting: the listener came too late to hear it.
      if (opts.signal?.aborted) onAbort();
    });
  }

  /**
   * Kills the engine process on purpose: its calls fail with `why` instead of ENGINE_CRASHED, no crash is
   * reported, and the next call starts a fresh process (reloading the last model that loaded).
   */
  private stopProcess(child: ChildProcess, why: EngineError): void {
    this.stopped.set(child, why);
    // Calls from now on go to a fresh process, not to this one while it dies.
    if (this.running?.child === child) this.running = undefined;
    this.logger.warn(`engine: stopping process ${child.pid}: ${why.message}`);
    child.kill('SIGKILL');
  }

  private async ensureProcess(reload: boolean): Promise<Running> {
    if (this.running) return this.running;
    if (!this.starting) {
      this.starting = this.start(reload).finally(() => {
        this.starting = undefined;
      });
    }
    return this.starting;
  }

  private async start(reload: boolean): Promise<Running> {
    const entry = this.options.processEntry ?? path.join(__dirname, 'engine-process.js');
    if (!existsSync(entry))
      throw new EngineError('INTERNAL', `The engine process file is missing: ${entry} (is the extension built?)`);
    const settings = this.settings();
    this.logger.debug(`engine: starting ${entry}`);
    const child = fork(entry, [], {
      execPath: this.options.execPath ?? process.execPath,
      detached: this.options.detached ?? false,
      // The parent's flags (--inspect, loaders) must not leak into the engine; node-llama-cpp's own binary
      // test forks again with them and fails.
      execArgv: [],
      // Under Electron (the VS Code extension host) this makes the binary behave as plain Node; harmless in Node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', ...this.options.env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    // Native code prints straight to stdout/stderr; read it (an unread pipe would block the child) and log it.
    for (const stream of [child.stdout, child.stderr]) {
      if (stream)
        createInterface({ input: stream }).on('line', (line) => {
          if (line.trim()) this.logger.debug(`engine: ${line}`);
        });
    }
    let exitReason = '';
    const exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        exitReason = signal
          ? `the engine process was killed by ${signal}`
          : `the engine process exited with code ${code}`;
        resolve();
      });
    });
    child.on('error', (err) => this.logger.error(`engine: process error: ${err.message}`));
    this.logger.debug(`engine: started process ${child.pid}`);
    child.on('message', (m: unknown) => this.onMessage(m));
    const running: Running = { child, exited };
    void exited.then(() => this.onExit(running, exitReason));
    this.send(child, { type: 'init', settings });
    this.running = running;
    if (reload && this.lastModelFile && !this.unloaded) {
      this.logger.info(`engine: reloading ${this.lastModelFile} in a fresh engine process`);
      await this.sendCall(child, 'load', { spec: this.lastModelFile }, {});
    }
    return running;
  }

  private onExit(running: Running, reason: string): void {
    if (this.running === running) this.running = undefined;
    if (this.disposed) return;
    const stopped = this.stopped.get(running.child);
    if (stopped) {
      this.failPending(
        running.child,
        new EngineError('CANCELLED', `The engine was stopped (${stopped.message}); the next request starts it again.`),
      );
      return;
    }
    this.logger.error(`engine: ${reason}`);
    this.failPending(
      running.child,
      new EngineError(
        'ENGINE_CRASHED',
        `The engine stopped unexpectedly (${reason}); the next request starts it again.`,
      ),
    );
    for (const l of [...this.crashListeners]) {
      try {
        l(reason);
      } catch (err) {
        this.logger.error(`engine: crash listener failed: ${String(err)}`);
      }
    }
  }

  /** Fails the calls that went to `child` (a process that is gone); calls to a newer process go on. */
  private failPending(child: ChildProcess, err: EngineError): void {
    for (const [id, p] of [...this.pending]) {
      if (p.child !== child) continue;
      this.pending.delete(id);
      p.reject(err);
    }
  }

  private send(child: ChildProcess, msg: ClientToEngine): void {
    if (!child.connected) return;
    child.send(msg, (err) => {
      if (err) this.logger.debug(`engine: send failed: ${err.message}`);
    });
  }

  private onMessage(m: unknown): void {
    if (!isEngineToClient(m)) {
      const why = engineProtocolProblem('engine', m);
      this.logger.error(`engine: ignored a malformed message (${why}): ${JSON.stringify(m)?.slice(0, 200)}`);
      return;
    }
    const msg: EngineToClient = m;
    if (msg.type === 'log') {
      this.logger[msg.level](`llama: ${msg.message}`);
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    switch (msg.type) {
      case 'token':
        p.onToken?.(msg.text, msg.job);
        break;
      case 'progress':
        p.onAlive?.();
        p.onProgress?.(msg.progress);
        break;
      case 'step':
        p.onAlive?.();
        this.logger.debug(`engine: ${p.method}: ${msg.step}`);
        break;
      case 'error':
        this.pending.delete(msg.id);
        p.reject(
          msg.code === 'TOO_LONG'
            ? new TooLongError(msg.tokens, msg.contextSize, msg.message)
            : new EngineError(msg.code, msg.message),
        );
        break;
      case 'result':
        this.pending.delete(msg.id);
        if (RESULT_CHECKS[p.method](msg.value)) p.resolve(msg.value);
        else {
          const why = engineProtocolProblem(p.method, msg.value);
          p.reject(new EngineError('INTERNAL', `The engine returned a malformed ${p.method} result (${why}).`));
        }
        break;
    }
  }
}

function formatMs(ms: number): string {
  return ms >= 60_000 && ms % 60_000 === 0
    ? `${ms / 60_000} min`
    : ms >= 1000
      ? `${(ms / 1000).toFixed(ms % 1000 ? 1 : 0)} s`
      : `${ms} ms`;
}

function abortedResult(): GenerateResult {
  return {
    text: '',
    stopReason: 'aborted',
    promptTokens: 0,
    reusedPromptTokens: 0,
    outputTokens: 0,
    timeToFirstTokenMs: 0,
    tokensPerSecond: 0,
    totalMs: 0,
  };
}

/** The wire form of a request, with the defaults filled in; throws on sampling values the engine cannot use. */
function generateParams(req: GenerateRequest): GenerateParams {
  if (req.maxTokens !== undefined && (!Number.isInteger(req.maxTokens) || req.maxTokens < 1)) {
    throw new EngineError('INTERNAL', `maxTokens must be a whole number of at least 1, got ${req.maxTokens}`);
  }
  if (req.temperature !== undefined && !(Number.isFinite(req.temperature) && req.temperature >= 0)) {
    throw new EngineError('INTERNAL', `temperature must be a number of at least 0, got ${req.temperature}`);
  }
  return {
    system: req.system,
    user: req.user,
    ...(req.userPrefix !== undefined ? { userPrefix: req.userPrefix } : {}),
    maxTokens: req.maxTokens ?? DEFAULT_MAX_TOKENS,
    temperature: req.temperature ?? DEFAULT_TEMPERATURE,
    ...(req.seed !== undefined ? { seed: req.seed } : {}),
    ...(req.jsonSchema !== undefined ? { jsonSchema: req.jsonSchema } : {}),
  };
}
