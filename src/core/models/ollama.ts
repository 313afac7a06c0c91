// Ollama's store: manifests/<registry>/<namespace>/<model>/<tag> are small JSON files (an OCI image
// manifest) whose layers name blobs/sha256-<hex> by digest and say what each is by its media type. The
// model layer is the GGUF; projector, adapter, template and license layers are not models.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { walkFiles, type WalkLimits } from './walk';

export const OLLAMA_MODEL_MEDIA_TYPE = 'application/vnd.ollama.image.model';
/** A manifest is a few hundred bytes; anything far larger is not one. */
const MAX_MANIFEST_BYTES = 1024 * 1024;
const DEFAULT_REGISTRY = 'registry.ollama.ai';

export interface OllamaModelRef {
  /** What `ollama run` takes: llama3.2:3b, someone/model:tag, host/ns/model:tag. */
  name: string;
  manifest: string;
  blob: string;
  /** The size the manifest gives the layer. */
  size?: number;
}

export interface OllamaScan {
  models: OllamaModelRef[];
  problems: Array<{ path: string; message: string }>;
}

/** The name Ollama shows for a manifest at manifests/<registry>/<namespace>/<model>/<tag>. */
export function ollamaName(manifestsDir: string, manifest: string): string {
  const parts = path.relative(manifestsDir, manifest).split(path.sep);
  if (parts.length !== 4) return parts.join('/');
  const [registry, namespace, model, tag] = parts;
  const repo =
    registry === DEFAULT_REGISTRY
      ? namespace === 'library'
        ? model
        : `${namespace}/${model}`
      : parts.slice(0, 3).join('/');
  return `${repo}:${tag}`;
}

/** The blob file for a layer digest ("sha256:<64 hex>"), or undefined for a malformed one. */
export function blobPath(root: string, digest: unknown): string | undefined {
  if (typeof digest !== 'string') return undefined;
  const m = /^sha256[:-]([0-9a-f]{64})$/i.exec(digest);
  return m ? path.join(root, 'blobs', `sha256-${m[1].toLowerCase()}`) : undefined;
}

/** The model layer of a parsed manifest, or a reason it has none. */
export function modelLayer(json: unknown): { digest: unknown; size?: number } | string {
  const layers = (json as { layers?: unknown })?.layers;
  if (!Array.isArray(layers)) return 'not an Ollama manifest (it has no "layers" list)';
  const model = layers.find(
    (l): l is { digest: unknown; size?: unknown } =>
      typeof l === 'object' && l !== null && (l as { mediaType?: unknown }).mediaType === OLLAMA_MODEL_MEDIA_TYPE,
  );
  if (!model) return `it has no ${OLLAMA_MODEL_MEDIA_TYPE} layer`;
  return { digest: model.digest, ...(typeof model.size === 'number' ? { size: model.size } : {}) };
}

/** Reads every manifest under root/manifests; each bad one is a problem naming it, never a stop. */
export async function scanOllama(root: string, limits: WalkLimits): Promise<OllamaScan> {
  const manifests = path.join(root, 'manifests');
  const walked = await walkFiles(manifests, () => true, { ...limits, maxDepth: Math.min(limits.maxDepth, 4) });
  const models: OllamaModelRef[] = [];
  const problems = [...walked.problems];
  for (const manifest of walked.files) {
    const name = ollamaName(manifests, manifest);
    const fail = (message: string) => problems.push({ path: manifest, message: `Ollama model ${name}: ${message}` });
    try {
      const st = await stat(manifest);
      if (st.size > MAX_MANIFEST_BYTES) {
        fail(`the manifest is ${st.size} bytes, too large to be one`);
        continue;
      }
      let json: unknown;
      try {
        json = JSON.parse(await readFile(manifest, 'utf8'));
      } catch (err) {
        if (err instanceof SyntaxError) {
          fail(`the manifest is not valid JSON (${err.message})`);
          continue;
        }
        throw err;
      }
      const layer = modelLayer(json);
      if (typeof layer === 'string') {
        fail(layer);
        continue;
      }
      const blob = blobPath(root, layer.digest);
      if (!blob) {
        fail(`the model layer's digest is not a sha256 digest: ${JSON.stringify(layer.digest)?.slice(0, 100)}`);
        continue;
      }
      const exists = await stat(blob).then(
        (s) => s.isFile(),
        () => false,
      );
      if (!exists) {
        fail(`the manifest names the model blob ${blob}, which is missing; \`ollama pull ${name}\` fetches it again`);
        continue;
      }
      models.push({ name, manifest, blob, ...(layer.size !== undefined ? { size: layer.size } : {}) });
    } catch (err) {
      fail((err as Error).message);
    }
  }
  return { models, problems };
}
