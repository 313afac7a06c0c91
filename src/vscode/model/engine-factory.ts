// How the extension gets an engine: the real EngineClient (a child process running node-llama-cpp), or,
// in the in-host tests only, a scripted double installed through the test API.
import type { Engine, EngineClientOptions } from '../../core/engine';
import { EngineClient } from '../../core/engine';

export type { Engine };
export { engineErrorCode } from '../../core/engine';

export type EngineFactory = (options: EngineClientOptions) => Engine;

export const realEngineFactory: EngineFactory = (options) => new EngineClient(options);
