// The status bar item that says which model is in use and whether it is ready; a click selects a model.
import * as vscode from 'vscode';
import { backendLabel, backendLines } from './backend-summary';
import type { RestrictedModeNotice } from '../common/trust';
import type { ModelService, ModelStatus } from './model-service';

/**
 * The model's status bar item; its tooltip ends with the Restricted Mode note while one applies. `item` is
 * returned so the in-host tests can read the tooltip the writer sees (VS Code has no API to read it back).
 */
export function createModelStatusBar(
  models: ModelService,
  restricted?: RestrictedModeNotice,
): vscode.Disposable & { readonly item: vscode.StatusBarItem } {
  const item = vscode.window.createStatusBarItem('cptWriter.model', vscode.StatusBarAlignment.Right, 100);
  item.name = vscode.l10n.t('CPT Writer Model');
  item.command = 'cptWriter.selectModel';
  const render = (s: ModelStatus) => {
    const view = statusView(s);
    item.text = view.text;
    const note = restricted?.note;
    item.tooltip = note ? `${view.tooltip}\n\n${note}` : view.tooltip;
    item.backgroundColor = view.background ? new vscode.ThemeColor(view.background) : undefined;
  };
  render(models.status);
  item.show();
  const sub = models.onDidChange(render);
  const trustSub = restricted?.onDidChange(() => render(models.status));
  const all = vscode.Disposable.from(item, sub, ...(restricted && trustSub ? [trustSub, restricted] : []));
  return { item, dispose: () => all.dispose() };
}

export function statusView(s: ModelStatus): { text: string; tooltip: string; background?: string } {
  switch (s.state) {
    case 'none':
      return {
        text: `$(circle-slash) ${vscode.l10n.t('No model')}`,
        tooltip: vscode.l10n.t('CPT Writer: no model selected. Click to choose one.'),
      };
    case 'unloaded':
      if (s.unloaded) {
        const why =
          s.unloaded === 'idle'
            ? vscode.l10n.t(
                'CPT Writer: {0}\nUnloaded after a while without use (cptWriter.unloadAfterMinutes) to free its ' +
                  'memory; the next rewrite loads it again.\nClick to change the model.',
                s.spec,
              )
            : vscode.l10n.t(
                'CPT Writer: {0}\nUnloaded (CPT Writer: Unload Model) to free its memory; the next rewrite loads ' +
                  'it again.\nClick to change the model.',
                s.spec,
              );
        return { text: `$(circle-outline) ${vscode.l10n.t('{0} (unloaded)', s.name)}`, tooltip: why };
      }
      return {
        text: `$(circle-large-outline) ${s.name}`,
        tooltip: vscode.l10n.t(
          'CPT Writer: {0}\nNot loaded yet: it loads on the first rewrite. Click to change.',
          s.spec,
        ),
      };
    case 'loading': {
      const percent = Math.round(s.fraction * 100);
      return s.phase === 'download'
        ? {
            text: `$(loading~spin) ${vscode.l10n.t('Downloading {0}%', percent)}`,
            tooltip: vscode.l10n.t('CPT Writer: downloading {0} ({1}%)', s.spec, percent),
          }
        : {
            text: `$(loading~spin) ${vscode.l10n.t('Loading {0}%', percent)}`,
            tooltip: vscode.l10n.t('CPT Writer: loading {0} ({1}%)', s.spec, percent),
          };
    }
    case 'ready': {
      if (s.endpoint) return endpointPresentation(s.endpoint, s.model.cptTuned);
      // A random-weight model (the one npm start generates, or one made by make-test-model) has one name
      // everywhere the writer reads it: the terminal, this item and its warnings call it the demo model.
      const shown = s.testModel ? vscode.l10n.t('Demo model (random weights)') : s.model.name;
      const lines = [vscode.l10n.t('CPT Writer runs {0} on the {1}.', shown, backendLabel(s.backend)), s.model.file];
      if (s.backend !== 'cpu') {
        const mib = (b: number) => `${Math.round(b / 2 ** 20)} MiB`;
        lines.push(
          s.vram
            ? vscode.l10n.t(
                '{0} of {1} layers are on the GPU; {2} of its {3} of memory are in use.',
                s.gpuLayers,
                s.totalLayers,
                mib(s.vram.usedBytes),
                mib(s.vram.totalBytes),
              )
            : vscode.l10n.t('{0} of {1} layers are on the GPU.', s.gpuLayers, s.totalLayers),
        );
      }
      if (s.model.cptTuned) lines.push(vscode.l10n.t('CPT-tuned: styles are given as short directives.'));
      for (const a of s.adapters ?? [])
        lines.push(vscode.l10n.t('The LoRA adapter {0} is applied at scale {1} ({2}).', a.name, a.scale, a.path));
      if (s.gpuFallback) lines.push(vscode.l10n.t('GPU fallback: {0}', sentence(s.gpuFallback)));
      if (s.cpuReason) lines.push(sentence(s.cpuReason));
      // One sentence a backend; what the CPU reason already said is not said twice.
      for (const line of backendLines(s.backends ?? [], s.backend, vscode.l10n.t))
        if (!s.cpuReason?.includes(line)) lines.push(line);
      lines.push(
        s.promptCache
          ? vscode.l10n.t('The prompt cache is on ({0}, up to {1} MB).', s.promptCache.directory, s.promptCache.maxMB)
          : vscode.l10n.t('The prompt cache is off.'),
      );
      if (s.testModel)
        lines.push(
          vscode.l10n.t('Warning: this is the demo model, with random weights, so its rewrites are gibberish.'),
        );
      lines.push(vscode.l10n.t('Click to change the model.'));
      const lora = s.adapters?.length ? ' +LoRA' : '';
      return {
        text: `${s.testModel ? '$(warning)' : '$(check)'} ${shown}${lora} · ${s.backend}`,
        tooltip: lines.join('\n'),
        background: s.testModel ? 'statusBarItem.warningBackground' : undefined,
      };
    }
    case 'error':
      return {
        text: `$(error) ${s.name}`,
        tooltip: vscode.l10n.t('CPT Writer: {0}\nClick to choose another model.', s.message),
        background: 'statusBarItem.errorBackground',
      };
  }
}

/** A message as a tooltip line: a sentence, capitalised and ending in a full stop. */
function sentence(text: string): string {
  const t = text.trim();
  const capital = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?)]$/.test(capital) ? capital : `${capital}.`;
}

/** A served model: the server (redacted) and the model, and what does not apply to a server. */
function endpointPresentation(
  e: { server: string; model: string },
  cptTuned: boolean,
): { text: string; tooltip: string } {
  const lines = [vscode.l10n.t('CPT Writer rewrites with {0}, served by {1}.', e.model, e.server)];
  if (cptTuned) lines.push(vscode.l10n.t('CPT-tuned: styles are given as short directives.'));
  lines.push(
    vscode.l10n.t('No prewarm and no prompt cache here: the server keeps its own.'),
    vscode.l10n.t('Click to change the model.'),
  );
  let host = e.server;
  try {
    host = new URL(e.server).host;
  } catch {
    /* shown as it is */
  }
  return { text: `$(cloud) ${e.model} · ${host}`, tooltip: lines.join('\n') };
}
