// Counting the model's use, for the idle unload: every model call handed out (generate, a batch, prewarm)
// is counted while it runs, and the idle period (cptWriter.unloadAfterMinutes) starts again when the last
// one ends, so the model is never freed under a call.
import type { Logger } from '../../core/log';
import { readConfig } from '../common/config';
import type { Engine } from './engine-factory';

export class ModelUsage {
  /** Model calls (generate, prewarm) in flight: never unload under them. */
  private active = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  /**
   * @param canIdle whether the idle period may run now (a model is ready).
   * @param unloadIdle frees the model when the period ran out; 'unloaded' when it did.
   */
  constructor(
    private readonly canIdle: () => boolean,
    private readonly unloadIdle: () => Promise<string>,
    private readonly logger: Logger,
  ) {}

  /** Whether a model call runs now. */
  get busy(): boolean {
    return this.active > 0;
  }

  /** Whether an idle unload is due (a timer runs): with cptWriter.unloadAfterMinutes 0 it never is. */
  get idleUnloadScheduled(): boolean {
    return this.idleTimer !== undefined;
  }

  cancelIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  /** (Re)starts the idle period: after cptWriter.unloadAfterMinutes without model calls, onIdle runs. */
  scheduleIdle(): void {
    this.cancelIdle();
    const minutes = readConfig().unloadAfterMinutes;
    if (!minutes || !this.canIdle() || this.active > 0) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      void this.unloadIdle().then((r) => {
        if (r === 'unloaded')
          this.logger.info(
            `model unloaded after ${minutes} minute${minutes === 1 ? '' : 's'} without use ` +
              `(cptWriter.unloadAfterMinutes); the next rewrite loads it again`,
          );
      });
    }, minutes * 60_000);
  }

  /** Runs `call` as a counted model call, after `before` (which may load the model again). */
  async run<T>(before: () => Promise<void>, call: () => Promise<T>): Promise<T> {
    this.active++;
    this.cancelIdle();
    try {
      await before();
      return await call();
    } finally {
      this.active--;
      this.scheduleIdle();
    }
  }
}

/**
 * `engine` as handed out: its model calls (generate, generateBatch, prewarm) go through `busy`, the rest
 * straight to the engine.
 */
export function trackedEngine(engine: Engine, busy: <T>(call: () => Promise<T>) => Promise<T>): Engine {
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
