// The status bar item that says which model is in use and whether it is ready; a click selects a model.
import * as vscode from 'vscode';
import type { ModelService, ModelStatus } from './model-service';

export function createModelStatusBar(models: ModelService): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('cptWriter.model', vscode.StatusBarAlignment.Right, 100);
  item.name = 'CPT Writer Model';
  item.command = 'cptWriter.selectModel';
  const render = (s: ModelStatus) => {
    const view = statusView(s);
    item.text = view.text;
    item.tooltip = view.tooltip;
    item.backgroundColor = view.background ? new vscode.ThemeColor(view.background) : undefined;
  };
  render(models.status);
  item.show();
  const sub = models.onDidChange(render);
  return vscode.Disposable.from(item, sub);
}

export function statusView(s: ModelStatus): { text: string; tooltip: string; background?: string } {
  switch (s.state) {
    case 'none':
      return { text: '$(circle-slash) No model', tooltip: 'CPT Writer: no model selected. Click to choose one.' };
    case 'unloaded':
      return { text: `$(circle-large-outline) ${s.name}`, tooltip: `CPT Writer: ${s.spec}\nNot loaded yet: it loads on the first rewrite. Click to change.` };
    case 'loading': {
      const percent = Math.round(s.fraction * 100);
      const verb = s.phase === 'download' ? 'Downloading' : 'Loading';
      return { text: `$(loading~spin) ${verb} ${percent}%`, tooltip: `CPT Writer: ${verb.toLowerCase()} ${s.spec} (${percent}%)` };
    }
    case 'ready': {
      const lines = [`CPT Writer: ${s.model.name} on ${s.backend}`, s.model.file];
      if (s.backend !== 'cpu') {
        const mib = (b: number) => `${Math.round(b / 2 ** 20)} MiB`;
        lines.push(`${s.gpuLayers}/${s.totalLayers} layers on the GPU${s.vram ? `, VRAM ${mib(s.vram.usedBytes)} of ${mib(s.vram.totalBytes)} in use` : ''}`);
      }
      if (s.model.cptTuned) lines.push('CPT-tuned: styles are given as short directives.');
      if (s.gpuFallback) lines.push(`GPU fallback: ${s.gpuFallback}`);
      if (s.testModel) lines.push('Warning: this is a random-weight test model; its output is gibberish.');
      lines.push('Click to change the model.');
      return {
        text: `${s.testModel ? '$(warning)' : '$(check)'} ${s.model.name} · ${s.backend}`,
        tooltip: lines.join('\n'),
        background: s.testModel ? 'statusBarItem.warningBackground' : undefined,
      };
    }
    case 'error':
      return { text: `$(error) ${s.name}`, tooltip: `CPT Writer: ${s.message}\nClick to choose another model.`, background: 'statusBarItem.errorBackground' };
  }
}
