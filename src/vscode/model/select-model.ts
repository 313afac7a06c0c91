// cptWriter.selectModel: a model already on this computer (the models folder, Ollama, LM Studio, the
// Hugging Face and llama.cpp caches: core/models), a local GGUF file, a URL / hf: URI, or one of a few
// recommended models. The choice is saved to cptWriter.model, machine-scoped: in a remote window (Remote-SSH,
// WSL, Dev Containers, Codespaces, code-server) that is the Remote settings, where the extension host
// reads it; the writer is told which file holds it. A model on disk is used in place (no copy, no download).
import * as vscode from 'vscode';
import { MODEL_CATALOG, catalogEntryProblem, catalogSpec, modelSpecProblem, splitSha256 } from '../../core/engine';
import type { Logger } from '../../core/log';
import { findLocalModels, humanSize, type LocalModelScan } from '../../core/models';
import { SECTION, readConfig } from '../common/config';
import type { Notifier } from '../common/notify';
import type { ApiKeys } from './api-keys';
import type { ModelService } from './model-service';
import { type ServerPick, serverItems, useServer } from './server-choice';

/** Each recommended model's note, in the writer's language (by the catalog entry's id). */
function catalogNote(id: string): string {
  switch (id) {
    case 'qwen2.5-1.5b':
      return vscode.l10n.t('fast on a CPU');
    case 'qwen2.5-3b':
      return vscode.l10n.t('better prose, still CPU-friendly');
    case 'llama3.2-3b':
      return vscode.l10n.t('good English style control');
    case 'gemma2-2b':
      return vscode.l10n.t('compact, fluent');
    case 'phi3.5-mini':
      return vscode.l10n.t('3.8B, strongest of these on reasoning');
    default:
      return '';
  }
}

/** Returns an error message for a spec a writer typed, or undefined when it looks usable. */
export function validateModelSpec(value: string): string | undefined {
  const v = value.trim();
  if (!v) return vscode.l10n.t('Enter an https: URL or an hf: URI');
  if (v.startsWith('hf:')) {
    const { spec } = splitSha256Safe(v);
    if (!/^hf:[\w.-]+\/[\w.-]+(?::[\w.-]+|\/.+\.gguf(?:#[\w.-]+)?)$/i.test(spec)) {
      return vscode.l10n.t('An hf: URI looks like hf:owner/repo:Q4_K_M or hf:owner/repo/file.gguf');
    }
    // The engine's own words for anything else it would refuse (a malformed #sha256= pin).
    return modelSpecProblem(v);
  }
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(v) && !/^file:/i.test(v)) {
    try {
      new URL(v);
    } catch {
      return vscode.l10n.t('That URL is not valid');
    }
    // Plain http:, other schemes, a malformed pin: refused in the same words as everywhere else.
    return modelSpecProblem(v);
  }
  return vscode.l10n.t('Enter an https: URL or an hf: URI (use "Choose a local GGUF file…" for files)');
}

/** splitSha256 without throwing: a malformed pin is reported by modelSpecProblem instead. */
function splitSha256Safe(v: string): { spec: string } {
  try {
    return splitSha256(v);
  } catch {
    return { spec: v.replace(/#sha256=[^#]*$/i, '') };
  }
}

type Choice = vscode.QuickPickItem & { run: () => Promise<string | ServerPick | undefined> };
type PickItem = Choice | vscode.QuickPickItem;

/**
 * The models on disk as picker items: one separator per source (in the scan's order), then each model with
 * its quantization and size, its path as the detail; an entry for the files that could not be used.
 */
export function onDiskItems(scan: LocalModelScan, current: string, showProblems: () => void): PickItem[] {
  const items: PickItem[] = [];
  let group = '';
  for (const m of scan.models) {
    if (m.sourceLabel !== group) {
      group = m.sourceLabel;
      items.push({ label: vscode.l10n.t('On this computer: {0}', group), kind: vscode.QuickPickItemKind.Separator });
    }
    const facts = [m.quantization, humanSize(m.sizeBytes)].filter(Boolean).join(' · ');
    items.push({
      label: `${m.path === current ? '$(check) ' : ''}${m.name}`,
      description: facts,
      detail: m.path,
      run: async () => m.path,
    } satisfies Choice);
  }
  if (scan.problems.length) {
    items.push({
      label: `$(warning) ${vscode.l10n.t('{0} model files on this computer could not be used', scan.problems.length)}`,
      detail: scan.problems[0].message,
      run: async () => {
        showProblems();
        return undefined;
      },
    } satisfies Choice);
  }
  return items;
}

/** What the picker needs besides the current spec: where models on disk are looked for, and where to report. */
export interface PickContext {
  /** CPT Writer's own models folder (cptWriter.modelsDirectory, or the downloads folder in storage). */
  modelsDirectory: string;
  logger: Logger;
  notifier: Notifier;
  apiKeys?: ApiKeys;
  setApiKey?(): unknown;
}

/** Asks for a model; returns its spec, or undefined when the writer cancels. */
export async function pickModelSpec(current: string, ctx: PickContext): Promise<string | ServerPick | undefined> {
  const servers = serverItems(ctx);
  const local = findLocalModels({ modelsDirectory: ctx.modelsDirectory, logger: ctx.logger }).then(
    (scan) => {
      ctx.logger.info(
        `Select Model: ${scan.models.length} models on disk, ${scan.problems.length} problems; looked in ` +
          scan.roots.map((r) => `${r.root} (${r.state})`).join(', '),
      );
      return pickItems(current, scan, ctx);
    },
    (err: unknown) => {
      ctx.logger.error(`Select Model: looking for models on disk failed: ${String(err)}`);
      return pickItems(current, { models: [], problems: [], roots: [] }, ctx);
    },
  );
  // The servers are probed while the disk is searched; they come after the models on disk.
  const items = Promise.all([local, servers]).then(([a, b]) => [...a, ...b]);
  const picked = await showPick(items, current);
  return picked?.run();
}

/**
 * The picker opens at once, busy and empty, and fills when the models on disk are known; Enter does
 * nothing until then (so it never takes an entry the list is about to move), Escape cancels.
 */
function showPick(items: Promise<PickItem[]>, current: string): Promise<Choice | undefined> {
  const qp = vscode.window.createQuickPick<PickItem>();
  qp.title = vscode.l10n.t('CPT Writer: Select Model');
  qp.placeholder = vscode.l10n.t('Looking for models on this computer…');
  qp.matchOnDetail = true;
  qp.matchOnDescription = true;
  qp.busy = true;
  return new Promise((resolve) => {
    let done = false;
    const finish = (choice: Choice | undefined) => {
      if (done) return;
      done = true;
      resolve(choice);
      qp.dispose();
    };
    qp.onDidAccept(() => {
      const picked = qp.activeItems[0];
      if (picked && 'run' in picked) finish(picked);
    });
    qp.onDidHide(() => finish(undefined));
    qp.show();
    void items.then((list) => {
      if (done) return;
      qp.items = list;
      // The first entry (the first model on disk, when there is one) is the one Enter takes.
      const first = list.find((i) => 'run' in i);
      if (first && !qp.value) qp.activeItems = [first];
      qp.busy = false;
      qp.placeholder = current ? vscode.l10n.t('Current: {0}', current) : vscode.l10n.t('No model selected yet');
    });
  });
}

/** Every entry of the picker: the models on disk by source, then the other ways to name a model. */
function pickItems(current: string, scan: LocalModelScan, ctx: PickContext): PickItem[] {
  const onDisk = onDiskItems(scan, current, () =>
    ctx.notifier.error(
      vscode.l10n.t(
        '{0} model files on this computer could not be used; the log names each. First: {1}',
        scan.problems.length,
        `${scan.problems[0]?.path}: ${scan.problems[0]?.message}`,
      ),
    ),
  );
  // Models already here come first: using one costs nothing. The other ways follow under their own heading.
  return [
    ...onDisk,
    ...(onDisk.length
      ? [{ label: vscode.l10n.t('Other models'), kind: vscode.QuickPickItemKind.Separator } as vscode.QuickPickItem]
      : []),
    {
      label: `$(file) ${vscode.l10n.t('Choose a local GGUF file…')}`,
      run: async () => {
        const picked = await vscode.window.showOpenDialog({
          canSelectFiles: true,
          canSelectFolders: false,
          canSelectMany: false,
          filters: { [vscode.l10n.t('GGUF models')]: ['gguf'] },
          title: vscode.l10n.t('Choose a GGUF model'),
        });
        return picked?.[0]?.fsPath;
      },
    },
    {
      label: `$(link) ${vscode.l10n.t('Enter a URL or hf: URI…')}`,
      run: async () =>
        vscode.window
          .showInputBox({
            title: vscode.l10n.t('Model URL or Hugging Face URI'),
            prompt: vscode.l10n.t(
              'An https: URL of a .gguf file, or hf:owner/repo:QUANT (e.g. hf:Qwen/Qwen2.5-1.5B-Instruct-GGUF:Q4_K_M)',
            ),
            value: /^(hf:|https:)/.test(current) ? current : '',
            ignoreFocusOut: true,
            validateInput: validateModelSpec,
          })
          .then((v) => v?.trim()),
    },
    {
      label: vscode.l10n.t('Recommended (downloaded once, sizes approximate)'),
      kind: vscode.QuickPickItemKind.Separator,
    },
    ...MODEL_CATALOG.map((m): Choice => {
      const spec = catalogSpec(m);
      const problem = catalogEntryProblem(m);
      return {
        label: `${problem ? '$(error) ' : spec === current ? '$(check) ' : ''}${m.label}`,
        description: m.cptTuned ? vscode.l10n.t('{0} · CPT-tuned (directive mode)', m.approxSize) : m.approxSize,
        detail:
          problem ??
          `${catalogNote(m.id)} — ` + `${m.spec}${m.sha256 ? ' · SHA-256 ' + m.sha256.slice(0, 12) + '…' : ''}`,
        run: async () => {
          if (!problem) return spec;
          void vscode.window.showErrorMessage(problem);
          return undefined;
        },
      };
    }),
  ];
}

/**
 * Which settings file a machine-scoped setting saved with ConfigurationTarget.Global lands in: VS Code puts
 * it in the Remote settings in a remote window (that is where the extension host reads it; a value in the
 * local User settings is ignored there), in the User settings otherwise.
 */
export function settingsTargetName(remoteName: string | undefined): string {
  return remoteName ? vscode.l10n.t('Remote settings ({0})', remoteName) : vscode.l10n.t('User settings');
}

/** Saves the spec to cptWriter.model where it takes effect, says where, and loads it. */
export async function useModel(models: ModelService, spec: string): Promise<boolean> {
  await vscode.workspace.getConfiguration(SECTION).update('model', spec, vscode.ConfigurationTarget.Global);
  const where = settingsTargetName(vscode.env.remoteName);
  models.context.logger.info(`cptWriter.model saved in ${where}: ${spec}`);
  models.context.notifier.info(vscode.l10n.t('Model saved as cptWriter.model in {0}: {1}', where, spec));
  models.settingsChanged();
  return (await models.ensureReady()) !== undefined;
}

/**
 * Select Model…: `spec` when given (tests, keybindings), otherwise the writer's pick; saved and loaded.
 * True once the model is ready; false when the writer cancelled or the load failed (they were told why).
 */
export async function selectModel(models: ModelService, spec?: unknown): Promise<boolean> {
  const current = models.status.state === 'none' ? '' : models.status.spec;
  const { logger, notifier, dirs, apiKeys, setApiKey } = models.context;
  const pick = serverArg(spec);
  if (pick) return useServer(models, pick, settingsTargetName(vscode.env.remoteName));
  const chosen =
    typeof spec === 'string' && spec.trim()
      ? spec.trim()
      : await pickModelSpec(current, {
          modelsDirectory: readConfig().modelsDirectory || dirs.models,
          logger,
          notifier,
          apiKeys,
          setApiKey,
        });
  if (!chosen) return false;
  if (typeof chosen !== 'string') return useServer(models, chosen, settingsTargetName(vscode.env.remoteName));
  return useModel(models, chosen);
}

/** `{ server, model }` (tests, tasks): a server and the model it serves, without the pickers. */
function serverArg(arg: unknown): ServerPick | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  const { server, model } = arg as { server?: unknown; model?: unknown };
  return typeof server === 'string' && typeof model === 'string' ? { server, model } : undefined;
}
