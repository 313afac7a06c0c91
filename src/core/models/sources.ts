// Where each program keeps the models it downloaded, per platform and environment. Each root may be
// absent (the program was never installed): the scan skips it without a word.
import path from 'node:path';

export type ModelSourceId = 'models-directory' | 'ollama' | 'lm-studio' | 'huggingface' | 'llama.cpp';

/** How a source's folder is laid out. */
export type SourceLayout = 'files' | 'ollama' | 'hf-hub';

export interface SourceRoot {
  source: ModelSourceId;
  root: string;
  layout: SourceLayout;
}

/** Readable names, in the order the sources are listed. */
export const SOURCE_LABELS: Record<ModelSourceId, string> = {
  'models-directory': 'Models directory',
  ollama: 'Ollama',
  'lm-studio': 'LM Studio',
  huggingface: 'Hugging Face cache',
  'llama.cpp': 'llama.cpp cache',
};

export interface SourceEnvironment {
  env: Record<string, string | undefined>;
  home: string;
  platform: NodeJS.Platform;
  /** CPT Writer's own models folder (cptWriter.modelsDirectory, or the default downloads folder). */
  modelsDirectory?: string;
}

const set = (v: string | undefined) => (v && v.trim() ? v.trim() : undefined);

/** The Hugging Face hub cache: HF_HUB_CACHE, else HF_HOME/hub, else the XDG cache's huggingface/hub. */
export function huggingFaceHubCache({ env, home }: SourceEnvironment): string {
  const hub = set(env.HF_HUB_CACHE) ?? set(env.HUGGINGFACE_HUB_CACHE);
  if (hub) return hub;
  const hfHome = set(env.HF_HOME) ?? path.join(set(env.XDG_CACHE_HOME) ?? path.join(home, '.cache'), 'huggingface');
  return path.join(hfHome, 'hub');
}

/**
 * llama.cpp's download cache for `-hf`: LLAMA_CACHE, else the platform's cache folder + llama.cpp
 * (~/.cache/llama.cpp or $XDG_CACHE_HOME/llama.cpp, ~/Library/Caches/llama.cpp, %LOCALAPPDATA%\llama.cpp).
 */
export function llamaCppCache({ env, home, platform }: SourceEnvironment): string {
  const explicit = set(env.LLAMA_CACHE);
  if (explicit) return explicit;
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches', 'llama.cpp');
  if (platform === 'win32') return path.join(set(env.LOCALAPPDATA) ?? path.join(home, 'AppData', 'Local'), 'llama.cpp');
  return path.join(set(env.XDG_CACHE_HOME) ?? path.join(home, '.cache'), 'llama.cpp');
}

/** Every root to look in, in listing order; the same folder named twice is looked in once. */
export function sourceRoots(e: SourceEnvironment): SourceRoot[] {
  const roots: SourceRoot[] = [];
  if (e.modelsDirectory) roots.push({ source: 'models-directory', root: e.modelsDirectory, layout: 'files' });
  roots.push({
    source: 'ollama',
    root: set(e.env.OLLAMA_MODELS) ?? path.join(e.home, '.ollama', 'models'),
    layout: 'ollama',
  });
  roots.push({ source: 'lm-studio', root: path.join(e.home, '.lmstudio', 'models'), layout: 'files' });
  roots.push({ source: 'lm-studio', root: path.join(e.home, '.cache', 'lm-studio', 'models'), layout: 'files' });
  roots.push({ source: 'huggingface', root: huggingFaceHubCache(e), layout: 'hf-hub' });
  // Newer llama.cpp builds keep -hf downloads in the hub layout inside this folder; older ones flat.
  roots.push({ source: 'llama.cpp', root: llamaCppCache(e), layout: 'files' });
  const seen = new Set<string>();
  return roots.filter((r) => {
    const key = path.resolve(r.root);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
