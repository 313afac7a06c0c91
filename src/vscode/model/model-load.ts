// Loading a model in the editor, the part a person sees: the cancellable progress notification (download,
// then load), what a failed load says and offers as the next step, the demo model's warning, and the
// notice of an engine that stopped.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LoadProgress, ModelInfo } from '../../core/engine';
import { errorMessage } from '../common/log';
import type { Notifier } from '../common/notify';
import { engineErrorCode, type Engine } from './engine-factory';

/**
 * Loads `target` on `engine` under a cancellable progress notification titled with `name`; each progress
 * step also goes to `onProgress` (the status). Cancelling rejects with the engine's CANCELLED error.
 */
export function loadWithProgress(
  engine: Engine,
  target: string,
  name: string,
  onProgress: (p: LoadProgress) => void,
): Thenable<ModelInfo> {
  return vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: vscode.l10n.t('CPT Writer: loading {0}', name),
      cancellable: true,
    },
    async (progress, token) => {
      const abort = new AbortController();
      const sub = token.onCancellationRequested(() => abort.abort());
      let reported = 0;
      try {
        return await engine.load(target, {
          signal: abort.signal,
          onProgress: (p) => {
            const percent = Math.max(0, Math.min(100, Math.round(p.fraction * 100)));
            const message =
              p.phase === 'download'
                ? p.totalBytes
                  ? vscode.l10n.t('Downloading {0}% of {1}', percent, formatBytes(p.totalBytes))
                  : vscode.l10n.t('Downloading {0}%', percent)
                : vscode.l10n.t('Loading {0}%', percent);
            progress.report({ message, increment: Math.max(0, percent - reported) });
            reported = Math.max(reported, percent);
            onProgress(p);
          },
        });
      } finally {
        sub.dispose();
      }
    },
  );
}

/** What a failed load offers: the adapters setting when an adapter is the cause, else Select Model…. */
export function loadFailureAction(err: unknown, selectModel: () => unknown): { title: string; run(): unknown } {
  if (engineErrorCode(err) === 'ADAPTER_FAILED')
    return {
      title: vscode.l10n.t('Open Settings'),
      // VS Code's own command (not one of ours): the Settings editor filtered to the adapters setting.
      run: () => vscode.commands.executeCommand('workbench.action.openSettings', 'cptWriter.loraAdapters'),
    };
  return { title: vscode.l10n.t('Select Model…'), run: () => selectModel() };
}

export function loadFailureMessage(spec: string, err: unknown): string {
  const detail = errorMessage(err);
  switch (engineErrorCode(err)) {
    // The engine's message names the resolved file ("Model file not found: /abs/path").
    case 'MODEL_NOT_FOUND':
      return vscode.l10n.t('CPT Writer could not load the model: {0}', detail);
    case 'NOT_GGUF':
      return vscode.l10n.t('CPT Writer could not load the model: {0}. Is it a complete .gguf download?', detail);
    case 'DOWNLOAD_FAILED':
      return vscode.l10n.t('CPT Writer could not download {0}: {1}', spec, detail);
    // The engine's message names the adapter file, the model file and why they do not fit.
    case 'ADAPTER_FAILED':
      return vscode.l10n.t(
        'CPT Writer did not load the model {0}: an adapter in cptWriter.loraAdapters does not apply. {1}',
        spec,
        detail,
      );
    default:
      break;
  }
  return vscode.l10n.t('CPT Writer could not load the model {0}: {1}', spec, detail);
}

/** Warns that the demo model writes gibberish, offering Select Model…. */
export function warnDemoModel(notifier: Notifier, file: string, selectModel: () => unknown): void {
  notifier.warn(
    vscode.l10n.t(
      'CPT Writer: {0} is the demo model, with random weights, so its rewrites are gibberish. ' +
        'Choose a real model for writing.',
      path.basename(file),
    ),
    { title: vscode.l10n.t('Select Model…'), run: () => selectModel() },
  );
}

/** Tells that the engine process ended unexpectedly; the next rewrite starts it again. */
export function notifyEngineStopped(notifier: Notifier, reason: string): void {
  notifier.error(
    vscode.l10n.t(
      "CPT Writer's engine stopped unexpectedly ({0}). Your text is unchanged; the engine restarts on the next " +
        'rewrite.',
      reason,
    ),
  );
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${Math.round(bytes / 1e6)} MB`;
  return `${Math.round(bytes / 1e3)} kB`;
}
