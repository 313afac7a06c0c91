// What activate() returns: a small API for other extensions and, under `testing`, the seams the
// in-host integration tests use (a scripted engine double, what the writer was told, the services).
import type { EngineFactory } from './model/engine-factory';
import type { FeedbackUi } from './feedback';
import type { ShownMessage } from './common/notify';
import type { Services } from './services';

export interface CptWriterTesting {
  /** Replaces the engine for the next use (undefined restores the real one); the running engine is stopped. */
  setEngineFactory(factory: EngineFactory | undefined): Promise<void>;
  /** Notifications shown so far, oldest first. */
  messages(): readonly ShownMessage[];
  readonly services: Services;
  /** Edit tracking after accepts (its quietMs can be shortened) and flushing pending edits. */
  readonly feedback: FeedbackUi;
}

export interface CptWriterApi {
  readonly version: 1;
  readonly testing: CptWriterTesting;
}
