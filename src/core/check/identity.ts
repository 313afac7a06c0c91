// Who judged, for the check's cache: a judgement is reused only for the same judge model. A local GGUF (and
// each adapter) is known by its content fingerprint (src/core/engine/fingerprint.ts), so a checkpoint saved
// over the old file, or a copy under another name, is told apart by its weights, not its name or time.
import { fingerprintFile } from '../engine/fingerprint';
import type { LoraAdapter } from '../engine/types';

/**
 * The identity of a local model file and the adapters applied to it (each with its scale), for cache keys:
 * "gguf <fingerprint> + lora <fingerprint>×0.5". No names or paths: a renamed or moved model keeps its
 * judgements, and a file overwritten with other weights loses them.
 */
export async function modelFileIdentity(file: string, adapters: readonly LoraAdapter[] = []): Promise<string> {
  const one = async (f: string) => (await fingerprintFile(f)).fingerprint;
  const parts = [`gguf ${await one(file)}`];
  for (const a of adapters) parts.push(`lora ${await one(a.path)}×${a.scale}`);
  return parts.join(' + ');
}

/** The identity of a model behind an OpenAI-compatible endpoint: its name and where it is served. */
export function endpointIdentity(name: string): string {
  return `endpoint ${name}`;
}
