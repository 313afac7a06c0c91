// What activate() returns. Every install gets `{ version: 1 }` and nothing else: no function, no
// service object, so no other extension can swap the engine or read the service graph. Only when VS
// Code runs the extension for its own integration tests (ExtensionMode.Test: a development host
// started with --extensionTestsPath, as test/host/run-integration.mjs does) is `testing` added, with the
// seams the in-host tests use: a scripted engine double, what the writer was told, the services.
import * as vscode from 'vscode';
import type { FeedbackUi } from './feedback';
import type { ShownMessage } from './common/notify';
import type { EngineFactory } from './model/engine-factory';
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
  /** Only in ExtensionMode.Test. */
  readonly testing?: CptWriterTesting;
}

/** The API as the in-host tests see it (test/integration/helpers.ts checks `testing` is there). */
export type CptWriterTestApi = CptWriterApi & { readonly testing: CptWriterTesting };

/**
 * The API for an extension running in `mode`. `testing` is called, and its seams exist, only in
 * ExtensionMode.Test; Production (an installed VSIX, `npm start`) and Development (F5) get the version.
 */
export function extensionApi(mode: vscode.ExtensionMode, testing: () => CptWriterTesting): CptWriterApi {
  if (mode === vscode.ExtensionMode.Test) return { version: 1, testing: testing() };
  return Object.freeze({ version: 1 as const });
}
