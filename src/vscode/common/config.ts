// Typed access to the `cptWriter.*` settings, read fresh on every call so a change applies at once.
import * as vscode from 'vscode';
import type { EngineSettings, GpuSetting } from '../../core/engine';
import type { Level } from '../../core/rubrics';
import type { PromptModeSetting } from '../../core/prompts';

export const SECTION = 'cptWriter';

/** Settings whose change needs a fresh engine process (or model load) before the next rewrite. */
export const ENGINE_KEYS = ['model', 'modelsDirectory', 'gpu', 'gpuLayers', 'contextSize', 'threads'] as const;

export interface WriterConfig {
  model: string;
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
  /** Most tokens of read-only context on each side of a rewritten text (0 = none). */
  contextMaxTokens: number;
}

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
    modelsDirectory: (c.get<string>('modelsDirectory', '') ?? '').trim(),
    gpu: (GPU_VALUES as readonly string[]).includes(gpu) ? (gpu as GpuSetting) : 'auto',
    gpuLayers: typeof layers === 'number' && layers >= 0 ? Math.round(layers) : 'auto',
    contextSize: clampInt(c.get('contextSize', 4096), 512, 131072, 4096),
    threads: clampInt(c.get('threads', 0), 0, 256, 0),
    promptMode: (MODE_VALUES as readonly string[]).includes(mode) ? (mode as PromptModeSetting) : 'auto',
    rubricDirectories: (c.get<unknown[]>('rubricDirectories', []) ?? []).filter((d): d is string => typeof d === 'string' && d.trim() !== ''),
    defaultRubric: c.get<string>('defaultRubric', 'formality') || 'formality',
    defaultLevel: level,
    maxTokens: clampInt(c.get('maxTokens', 1024), 16, 16384, 1024),
    temperature: typeof temperature === 'number' && temperature >= 0 && temperature <= 2 ? temperature : 0.7,
    feedbackEnabled: c.get<boolean>('feedback.enabled', true) !== false,
    feedbackPath: (c.get<string>('feedback.path', '') ?? '').trim(),
    contextMaxTokens: clampInt(c.get('context.maxTokens', 256), 0, 8192, 256),
  };
}

/** Settings the engine process is started with; `modelsDirectory` falls back to the global storage folder. */
export function engineSettings(cfg: WriterConfig, defaultModelsDir: string): EngineSettings {
  return {
    gpu: cfg.gpu,
    gpuLayers: cfg.gpuLayers,
    contextSize: cfg.contextSize,
    threads: cfg.threads,
    modelsDirectory: cfg.modelsDirectory || defaultModelsDir,
  };
}

/**
 * The rubric folders the writer configured, split by where they were set: workspace-level entries are
 * only honoured in a trusted workspace (a cloned repo must not make us read arbitrary folders).
 */
export function configuredRubricDirectories(): { user: string[]; workspace: string[] } {
  const inspected = vscode.workspace.getConfiguration(SECTION).inspect<string[]>('rubricDirectories');
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((d): d is string => typeof d === 'string' && d.trim() !== '') : []);
  return {
    user: strings(inspected?.globalValue),
    workspace: [...strings(inspected?.workspaceValue), ...strings(inspected?.workspaceFolderValue)],
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
