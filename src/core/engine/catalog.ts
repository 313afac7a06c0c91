// The recommended models Select Model… offers. Each spec goes through the same parsing (and refusals) as
// a spec a writer types. An entry may pin the file's SHA-256 (`sha256`); it is only set from a hash read
// off the publisher's own file listing for that exact file, never guessed.
import { parseModelSpec, withSha256 } from './model-spec';

export interface CatalogEntry {
  /** Stable key (the editor localises each entry's note by it). */
  id: string;
  label: string;
  /** An hf: URI or https: URL. */
  spec: string;
  /** Lower-case hex SHA-256 of the file, verified after download when set. */
  sha256?: string;
  /** Approximate download size of the Q4_K_M file, as a writer reads it. */
  approxSize: string;
  cptTuned: boolean;
}

/**
 * Small instruct models that run on a laptop CPU. Sizes are approximate Q4_K_M file sizes from the
 * publishers' listings, not measured here. The paper's CPT-tuned checkpoints (configurable-preference-*)
 * are only published as safetensors as far as we could check, so none is listed; a GGUF build of one
 * can be loaded by URI and is recognised as CPT-tuned by its name (directive prompts). No entry pins a
 * hash yet: these hf: URIs name a quantisation, and the file behind one can be republished.
 */
export const MODEL_CATALOG: readonly CatalogEntry[] = [
  {
    id: 'qwen2.5-1.5b',
    label: 'Qwen2.5 1.5B Instruct',
    spec: 'hf:Qwen/Qwen2.5-1.5B-Instruct-GGUF:Q4_K_M',
    approxSize: '≈1.1 GB',
    cptTuned: false,
  },
  {
    id: 'qwen2.5-3b',
    label: 'Qwen2.5 3B Instruct',
    spec: 'hf:Qwen/Qwen2.5-3B-Instruct-GGUF:Q4_K_M',
    approxSize: '≈2.1 GB',
    cptTuned: false,
  },
  {
    id: 'llama3.2-3b',
    label: 'Llama 3.2 3B Instruct',
    spec: 'hf:bartowski/Llama-3.2-3B-Instruct-GGUF:Q4_K_M',
    approxSize: '≈2.0 GB',
    cptTuned: false,
  },
  {
    id: 'gemma2-2b',
    label: 'Gemma 2 2B it',
    spec: 'hf:bartowski/gemma-2-2b-it-GGUF:Q4_K_M',
    approxSize: '≈1.7 GB',
    cptTuned: false,
  },
  {
    id: 'phi3.5-mini',
    label: 'Phi-3.5 mini Instruct',
    spec: 'hf:bartowski/Phi-3.5-mini-instruct-GGUF:Q4_K_M',
    approxSize: '≈2.4 GB',
    cptTuned: false,
  },
];

/** The spec saved to the setting for an entry: its URI, with the #sha256= pin when it has one. */
export function catalogSpec(entry: CatalogEntry): string {
  return withSha256(entry.spec, entry.sha256);
}

/**
 * Why an entry cannot be offered (a plain http: URL, a malformed hash), in the same words the input box
 * and the engine use; undefined when it is fine.
 */
export function catalogEntryProblem(entry: CatalogEntry): string | undefined {
  try {
    const spec = parseModelSpec(catalogSpec(entry));
    if (spec.kind === 'file')
      return `${entry.label}: a catalog entry must be an hf: URI or an https: URL, not a file path`;
    return undefined;
  } catch (err) {
    return `${entry.label}: ${(err as Error).message}`;
  }
}
