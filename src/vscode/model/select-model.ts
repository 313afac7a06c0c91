// cptWriter.selectModel: a local GGUF file, a URL / hf: URI, or one of a few recommended models; the
// choice is saved to cptWriter.model (machine scope, so the user-level settings) and loaded at once.
import * as vscode from 'vscode';
import { SECTION } from '../common/config';
import type { ModelService } from './model-service';

export interface CatalogEntry {
  label: string;
  spec: string;
  /** Approximate download size of the Q4_K_M file, as a writer reads it. */
  approxSize: string;
  note: string;
  cptTuned: boolean;
}

/**
 * Small instruct models that run on a laptop CPU. Sizes are approximate Q4_K_M file sizes from the
 * publishers' listings, not measured here. The paper's CPT-tuned checkpoints (configurable-preference-*)
 * are only published as safetensors as far as we could check, so none is listed; a GGUF build of one
 * can be loaded by URI and is recognised as CPT-tuned by its name (directive prompts).
 */
export const MODEL_CATALOG: readonly CatalogEntry[] = [
  { label: 'Qwen2.5 1.5B Instruct', spec: 'hf:Qwen/Qwen2.5-1.5B-Instruct-GGUF:Q4_K_M', approxSize: '≈1.1 GB', note: vscode.l10n.t('fast on a CPU'), cptTuned: false },
  { label: 'Qwen2.5 3B Instruct', spec: 'hf:Qwen/Qwen2.5-3B-Instruct-GGUF:Q4_K_M', approxSize: '≈2.1 GB', note: vscode.l10n.t('better prose, still CPU-friendly'), cptTuned: false },
  { label: 'Llama 3.2 3B Instruct', spec: 'hf:bartowski/Llama-3.2-3B-Instruct-GGUF:Q4_K_M', approxSize: '≈2.0 GB', note: vscode.l10n.t('good English style control'), cptTuned: false },
  { label: 'Gemma 2 2B it', spec: 'hf:bartowski/gemma-2-2b-it-GGUF:Q4_K_M', approxSize: '≈1.7 GB', note: vscode.l10n.t('compact, fluent'), cptTuned: false },
  { label: 'Phi-3.5 mini Instruct', spec: 'hf:bartowski/Phi-3.5-mini-instruct-GGUF:Q4_K_M', approxSize: '≈2.4 GB', note: vscode.l10n.t('3.8B, strongest of these on reasoning'), cptTuned: false },
];

/** Returns an error message for a spec a writer typed, or undefined when it looks usable. */
export function validateModelSpec(value: string): string | undefined {
  const v = value.trim();
  if (!v) return vscode.l10n.t('Enter an https: URL or an hf: URI');
  if (v.startsWith('hf:')) {
    return /^hf:[\w.-]+\/[\w.-]+(?::[\w.-]+|\/.+\.gguf)$/i.test(v)
      ? undefined
      : vscode.l10n.t('An hf: URI looks like hf:owner/repo:Q4_K_M or hf:owner/repo/file.gguf');
  }
  if (/^https?:\/\//i.test(v)) {
    try { new URL(v); return undefined; } catch { return vscode.l10n.t('That URL is not valid'); }
  }
  return vscode.l10n.t('Enter an https: URL or an hf: URI (use "Choose a local GGUF file…" for files)');
}

type Choice = vscode.QuickPickItem & { run: () => Promise<string | undefined> };

/** Asks for a model; returns its spec, or undefined when the writer cancels. */
export async function pickModelSpec(current: string): Promise<string | undefined> {
  const items: (Choice | vscode.QuickPickItem)[] = [
    {
      label: `$(file) ${vscode.l10n.t('Choose a local GGUF file…')}`,
      run: async () => {
        const picked = await vscode.window.showOpenDialog({
          canSelectFiles: true, canSelectFolders: false, canSelectMany: false,
          filters: { [vscode.l10n.t('GGUF models')]: ['gguf'] }, title: vscode.l10n.t('Choose a GGUF model'),
        });
        return picked?.[0]?.fsPath;
      },
    },
    {
      label: `$(link) ${vscode.l10n.t('Enter a URL or hf: URI…')}`,
      run: async () => vscode.window.showInputBox({
        title: vscode.l10n.t('Model URL or Hugging Face URI'),
        prompt: vscode.l10n.t('An https: URL of a .gguf file, or hf:owner/repo:QUANT (e.g. hf:Qwen/Qwen2.5-1.5B-Instruct-GGUF:Q4_K_M)'),
        value: /^(hf:|https?:)/.test(current) ? current : '',
        ignoreFocusOut: true,
        validateInput: validateModelSpec,
      }).then((v) => v?.trim()),
    },
    { label: vscode.l10n.t('Recommended (downloaded once, sizes approximate)'), kind: vscode.QuickPickItemKind.Separator },
    ...MODEL_CATALOG.map((m): Choice => ({
      label: `${m.spec === current ? '$(check) ' : ''}${m.label}`,
      description: m.cptTuned ? vscode.l10n.t('{0} · CPT-tuned (directive mode)', m.approxSize) : m.approxSize,
      detail: `${m.note} — ${m.spec}`,
      run: async () => m.spec,
    })),
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('CPT Writer: Select Model'),
    placeHolder: current ? vscode.l10n.t('Current: {0}', current) : vscode.l10n.t('No model selected yet'),
    matchOnDetail: true,
  });
  if (!picked || !('run' in picked)) return undefined;
  return picked.run();
}

/** Saves the spec to the user-level setting (cptWriter.model is machine-scoped) and loads it. */
export async function useModel(models: ModelService, spec: string): Promise<boolean> {
  await vscode.workspace.getConfiguration(SECTION).update('model', spec, vscode.ConfigurationTarget.Global);
  models.settingsChanged();
  return (await models.ensureReady()) !== undefined;
}

/**
 * Select Model…: `spec` when given (tests, keybindings), otherwise the writer's pick; saved and loaded.
 * True once the model is ready; false when the writer cancelled or the load failed (they were told why).
 */
export async function selectModel(models: ModelService, spec?: unknown): Promise<boolean> {
  const current = models.status.state === 'none' ? '' : models.status.spec;
  const chosen = typeof spec === 'string' && spec.trim() ? spec.trim() : await pickModelSpec(current);
  if (!chosen) return false;
  return useModel(models, chosen);
}
