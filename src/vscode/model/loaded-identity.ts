// The content identity of the model the editor has loaded (core/engine/identity.ts): the spec as the
// writer gave it, the fingerprint of the GGUF's bytes, and each applied adapter (label, fingerprint,
// scale), so feedback events and evaluation samples name what wrote them by content, like the CLI's.
import { identifyLoaded, type ModelIdentity } from '../../core/engine';
import type { ModelService } from './model-service';

/**
 * The identity of `model` when it is the model `models` has ready (same file), else undefined. A file
 * that cannot be read any more gives undefined too: the event is still written, without the identity.
 */
export async function loadedModelIdentity(
  models: Pick<ModelService, 'status'>,
  model: { file: string },
): Promise<ModelIdentity | undefined> {
  const s = models.status;
  if (s.state !== 'ready' || s.model.file !== model.file) return undefined;
  const adapters = s.adapters ?? [];
  try {
    return await identifyLoaded(s.model, { adapters }, adapters, s.spec);
  } catch {
    return undefined;
  }
}
