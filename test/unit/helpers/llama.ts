// One in-process node-llama-cpp Llama (CPU, 1 thread) shared by every unit test file that needs one.
// llama.cpp's log callback is process-wide: a second getLlama after the first is disposed no longer gets
// llama.cpp's messages, so tests share this one and read what it logged from `llamaLogs`.
import type * as NodeLlamaCpp from 'node-llama-cpp' with { 'resolution-mode': 'import' };

/** Every message llama.cpp logged (error level and above) through the shared Llama. */
export const llamaLogs: string[] = [];
let shared: Promise<{ nlc: typeof NodeLlamaCpp; llama: NodeLlamaCpp.Llama }> | undefined;

export function inProcessLlama(): Promise<{ nlc: typeof NodeLlamaCpp; llama: NodeLlamaCpp.Llama }> {
  shared ??= (async () => {
    const nlc = await import('node-llama-cpp');
    const llama = await nlc.getLlama({
      gpu: false,
      build: 'never',
      maxThreads: 1,
      logLevel: nlc.LlamaLogLevel.error,
      logger: (_level, m) => llamaLogs.push(m),
    });
    return { nlc, llama };
  })();
  return shared;
}
