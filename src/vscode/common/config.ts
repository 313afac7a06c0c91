// Typed access to the `cptWriter.*` settings, read fresh on every call so a change applies at once.
import * as vscode from 'vscode';
import type { EngineSettings, GpuSetting, LoraAdapter } from '../../core/engine';
import { type AdapterProblem, parseAdapterList, parseFolderList } from '../../core/schema/settings';
import type { Level } from '../../core/rubrics';
import type { PromptModeSetting } from '../../core/prompts';
import { DEFAULT_CONTRAST_CAP } from '../../core/pairs/contrast';
import type { ContrastCap } from '../../core/pairs/types';

export const SECTION = 'cptWriter';

/** Settings whose change needs a fresh engine process (or model load) before the next rewrite. */
export const ENGINE_KEYS = [
  'model',
  'endpointModel',
  'modelsDirectory',
  'gpu',
  'gpuLayers',
  'contextSize',
  'threads',
  'loraAdapters',
  'promptCache',
] as const;

export interface WriterConfig {
  model: string;
  /** The model a server serves, when `model` is an OpenAI-compatible API root. */
  endpointModel: string;
  modelsDirectory: string;
  gpu: GpuSetting;
  gpuLayers: 'auto' | number;
  contextSize: number;
  threads: number;
  promptMode: PromptModeSetting;
  rubricDirectories: string[];
  defaultRubric: string;
  defaultLevel: Level;
  maxTokens: number;
  temperature: number;
  feedbackEnabled: boolean;
  feedbackPath: string;
  /** Build Preference Pairs: the most contrast pairs per original text and rubric, and per two levels. */
  pairsContrastCap: ContrastCap;
  /** Most tokens of read-only context on each side of a rewritten text (0 = none). */
  contextMaxTokens: number;
  /** The usable entries of cptWriter.loraAdapters, paths made absolute (`~` expanded). */
  loraAdapters: LoraAdapter[];
  /** What is wrong with entries of cptWriter.loraAdapters; any one fails the model load (model-service). */
  loraProblems: string[];
  promptCacheEnabled: boolean;
  promptCacheMaxMB: number;
  /** Minutes without model activity before the model is unloaded; 0 = never. Fractions are allowed. */
  unloadAfterMinutes: number;
}

/** Bounds of cptWriter.promptCache.maxMB: room for one prefix of a small model, and 64 GiB. */
export const PROMPT_CACHE_MB = { min: 64, max: 65536, default: 1024 } as const;
/** Bounds of cptWriter.unloadAfterMinutes: a day at most. */
export const UNLOAD_MINUTES = { max: 1440, default: 15 } as const;

const GPU_VALUES: readonly GpuSetting[] = ['auto', 'cuda', 'vulkan', 'metal', 'off'];
const MODE_VALUES: readonly PromptModeSetting[] = ['auto', 'directive', 'rubric'];

function clampInt(value: unknown, min: number, max: number, fallback: number): number {
  const n = typeof value === 'number' && Number.isFinite(value) ? Math.round(value) : fallback;
  return Math.min(max, Math.max(min, n));
}

/** A hand-edited settings.json can hold anything; every value is checked and falls back to the default. */
export function readConfig(): WriterConfig {
  const c = vscode.workspace.getConfiguration(SECTION);
  const gpu = c.get<string>('gpu', 'auto');
  const mode = c.get<string>('promptMode', 'auto');
  const layers = c.get<unknown>('gpuLayers', 'auto');
  const level = clampInt(c.get('defaultLevel', 3), 1, 5, 3) as Level;
  const temperature = c.get<unknown>('temperature', 0.7);
  return {
    model: (c.get<string>('model', '') ?? '').trim(),
    endpointModel: String(c.get<unknown>('endpointModel', '') ?? '').trim(),
    modelsDirectory: (c.get<string>('modelsDirectory', '') ?? '').trim(),
    gpu: (GPU_VALUES as readonly string[]).includes(gpu) ? (gpu as GpuSetting) : 'auto',
    gpuLayers: typeof layers === 'number' && layers >= 0 ? Math.round(layers) : 'auto',
    contextSize: clampInt(c.get('contextSize', 4096), 512, 131072, 4096),
    threads: clampInt(c.get('threads', 0), 0, 256, 0),
    promptMode: (MODE_VALUES as readonly string[]).includes(mode) ? (mode as PromptModeSetting) : 'auto',
    rubricDirectories: parseFolderList(c.get<unknown>('rubricDirectories', []), `${SECTION}.rubricDirectories`).folders,
    defaultRubric: c.get<string>('defaultRubric', 'formality') || 'formality',
    defaultLevel: level,
    maxTokens: clampInt(c.get('maxTokens', 1024), 16, 16384, 1024),
    temperature: typeof temperature === 'number' && temperature >= 0 && temperature <= 2 ? temperature : 0.7,
    feedbackEnabled: c.get<boolean>('feedback.enabled', true) !== false,
    feedbackPath: (c.get<string>('feedback.path', '') ?? '').trim(),
    pairsContrastCap: {
      perGroup: clampInt(
        c.get('pairs.maxContrastPerText', DEFAULT_CONTRAST_CAP.perGroup),
        0,
        100000,
        DEFAULT_CONTRAST_CAP.perGroup,
      ),
      perLevelPair: clampInt(
        c.get('pairs.maxContrastPerLevelPair', DEFAULT_CONTRAST_CAP.perLevelPair),
        0,
        100000,
        DEFAULT_CONTRAST_CAP.perLevelPair,
      ),
    },
    contextMaxTokens: clampInt(c.get('context.maxTokens', 256), 0, 8192, 256),
    ...readLoraAdapters(c.get<unknown>('loraAdapters', [])),
    promptCacheEnabled: c.get<boolean>('promptCache.enabled', true) !== false,
    promptCacheMaxMB: clampInt(
      c.get('promptCache.maxMB', PROMPT_CACHE_MB.default),
      PROMPT_CACHE_MB.min,
      PROMPT_CACHE_MB.max,
      PROMPT_CACHE_MB.default,
    ),
    unloadAfterMinutes: unloadMinutes(c.get<unknown>('unloadAfterMinutes', UNLOAD_MINUTES.default)),
  };
}

function unloadMinutes(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return UNLOAD_MINUTES.default;
  return Math.min(UNLOAD_MINUTES.max, value);
}

/**
 * cptWriter.loraAdapters (or another adapter list of the same shape, named by `key`), checked by
 * core/schema/settings' schema: each entry needs an absolute path (or one starting with ~) and a finite
 * scale (1 when left out). The setting is machine-wide, so a relative path has nothing sensible to be
 * relative to; such entries are left out and reported (and fail the model load) instead of being guessed at.
 */
export function readLoraAdapters(
  value: unknown,
  key = 'loraAdapters',
): { loraAdapters: LoraAdapter[]; loraProblems: string[] } {
  const { adapters, problems } = parseAdapterList(value);
  return { loraAdapters: adapters, loraProblems: problems.map((p) => adapterProblemMessage(`${SECTION}.${key}`, p)) };
}

/** An adapter list problem in words, naming the setting and the entry. */
function adapterProblemMessage(setting: string, p: AdapterProblem): string {
  if (p.kind === 'list') return vscode.l10n.t('{0} must be a list of {1} entries', setting, '{ "path", "scale" }');
  const where = `${setting}[${p.index}]`;
  switch (p.kind) {
    case 'entry':
      return vscode.l10n.t('{0} is not a {1} entry', where, '{ "path", "scale" }');
    case 'path':
      return vscode.l10n.t('{0} has no "path"', where);
    case 'url':
      return `${where}: ${p.detail}`;
    case 'relative':
      return vscode.l10n.t('{0}: "{1}" is not an absolute path', where, p.path);
    case 'scale':
      return vscode.l10n.t('{0}: "scale" must be a number', where);
  }
}

/** Folders in the extension's storage that engine settings fall back to. */
export interface StorageDirs {
  /** Downloads, when cptWriter.modelsDirectory is empty. */
  models: string;
  /** The persistent prompt cache. */
  promptCache: string;
}

/** Settings the engine process is started with; `modelsDirectory` falls back to the global storage folder. */
export function engineSettings(cfg: WriterConfig, dirs: StorageDirs): EngineSettings {
  return {
    gpu: cfg.gpu,
    gpuLayers: cfg.gpuLayers,
    contextSize: cfg.contextSize,
    threads: cfg.threads,
    modelsDirectory: cfg.modelsDirectory || dirs.models,
    lora: cfg.loraAdapters,
    promptCache: { enabled: cfg.promptCacheEnabled, directory: dirs.promptCache, maxMB: cfg.promptCacheMaxMB },
  };
}

/**
 * The rubric folders the writer configured, split by where they were set: workspace-level entries are
 * only honoured in a trusted workspace (a cloned repo must not make us read arbitrary folders). Entries
 * that are not folder paths are left out, each with a problem naming the setting, its scope and index.
 */
export function configuredRubricDirectories(): { user: string[]; workspace: string[]; problems: string[] } {
  const inspected = vscode.workspace.getConfiguration(SECTION).inspect<unknown>('rubricDirectories');
  const setting = `${SECTION}.rubricDirectories`;
  const user = parseFolderList(inspected?.globalValue, setting);
  const workspace = parseFolderList(inspected?.workspaceValue, setting);
  const folder = parseFolderList(inspected?.workspaceFolderValue, setting);
  return {
    user: user.folders,
    workspace: [...workspace.folders, ...folder.folders],
    problems: [
      ...user.problems.map((p) => `user settings: ${p}`),
      ...workspace.problems.map((p) => `workspace settings: ${p}`),
      ...folder.problems.map((p) => `folder settings: ${p}`),
    ],
  };
}

export interface ConfigChange {
  /** True when a setting in ENGINE_KEYS changed. */
  engine: boolean;
  rubrics: boolean;
  style: boolean;
  feedback: boolean;
  affects(key: string): boolean;
}

/** Fires only for changes under `cptWriter.`, with flags saying which area changed. */
export function onDidChangeConfig(listener: (change: ConfigChange) => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (!e.affectsConfiguration(SECTION)) return;
    const affects = (key: string) => e.affectsConfiguration(`${SECTION}.${key}`);
    listener({
      engine: ENGINE_KEYS.some(affects),
      rubrics: affects('rubricDirectories'),
      style: affects('defaultRubric') || affects('defaultLevel'),
      feedback: affects('feedback'),
      affects,
    });
  });
}
