// Who judged, for the check's cache: a judgement is reused only for the same judge model. Today a local
// GGUF is known by its file name, size and modification time; the engine's content fingerprint can replace
// that here, in this one function, without touching the cache or its callers.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { LoraAdapter } from '../engine/types';

/** The identity of a local model file (and the adapters applied to it), for cache keys. */
export async function modelFileIdentity(file: string, adapters: readonly LoraAdapter[] = []): Promise<string> {
  const one = async (f: string) => {
    const s = await stat(f);
    return `${path.basename(f)}:${s.size}:${Math.round(s.mtimeMs)}`;
  };
  const parts = [await one(file)];
  for (const a of adapters) parts.push(`lora ${await one(a.path)}×${a.scale}`);
  return parts.join(' + ');
}

/** The identity of a model behind an OpenAI-compatible endpoint: its name and where it is served. */
export function endpointIdentity(name: string): string {
  return `endpoint ${name}`;
}
