// A judge (or any model) that is loaded the first time it is asked something: a second engine process
// costs its model's memory (see README "The judge"), so it is started only when a judgement is needed.
import type { GenerateRequest, GenerateResult, TextGenerator } from '../engine/types';

/** What `open` resolves to: generatorFromSpec's SpecGenerator fits. */
export interface OpenedGenerator {
  generator: TextGenerator;
  /** How the model is named in samples and reports. */
  name: string;
  dispose(): Promise<void>;
}

export class LazyGenerator implements TextGenerator {
  private opening: Promise<OpenedGenerator> | undefined;
  private opened: OpenedGenerator | undefined;
  private disposed = false;

  /** `open` runs on the first generate(); if it fails, that call fails and the next one tries again. */
  constructor(private readonly open: () => Promise<OpenedGenerator>) {}

  /** True once the model is loaded. */
  get loaded(): boolean {
    return this.opened !== undefined;
  }

  /** The loaded model's name, once loaded. */
  get name(): string | undefined {
    return this.opened?.name;
  }

  /** Loads the model now if it is not loaded yet. */
  async ready(): Promise<OpenedGenerator> {
    if (this.disposed) throw new Error('this model was disposed');
    if (this.opened) return this.opened;
    this.opening ??= this.open().then(
      (g) => {
        if (this.disposed) {
          void g.dispose();
          throw new Error('this model was disposed while it loaded');
        }
        this.opened = g;
        return g;
      },
      (err: unknown) => {
        this.opening = undefined;
        throw err;
      },
    );
    return this.opening;
  }

  async generate(req: GenerateRequest): Promise<GenerateResult> {
    return (await this.ready()).generator.generate(req);
  }

  /** Stops the model if it was loaded (a load in flight is stopped when it finishes). */
  async dispose(): Promise<void> {
    this.disposed = true;
    const g = this.opened;
    this.opened = undefined;
    this.opening = undefined;
    await g?.dispose();
  }
}
