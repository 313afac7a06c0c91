// The status bar item that says which model is in use and whether it is ready; a click selects a model.
import * as vscode from 'vscode';
import { backendLines } from './backend-summary';
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
      if (s.unloaded) {
        const why = s.unloaded === 'idle' ? 'Unloaded after a while without use (cptWriter.unloadAfterMinutes) to free its memory' : 'Unloaded (CPT Writer: Unload Model) to free its memory';
        return { text: `$(circle-outline) ${s.name} (unloaded)`, tooltip: `CPT Writer: ${s.spec}\n${why}; the next rewrite loads it again.\nClick to change the model.` };
      }
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
      for (const a of s.adapters ?? []) lines.push(`LoRA adapter: ${a.name} (scale ${a.scale}) — ${a.path}`);
      for (const e of s.adapterErrors ?? []) lines.push(`Not applied: ${e.message}`);
      if (s.gpuFallback) lines.push(`GPU fallback: ${s.gpuFallback}`);
      if (s.cpuReason) lines.push(capitalised(s.cpuReason));
      if (s.backends?.length) lines.push(`Backends: ${backendLines(s.backends, s.backend).join(' · ')}`);
      lines.push(s.promptCache ? `Prompt cache: on (${s.promptCache.directory}, up to ${s.promptCache.maxMB} MB)` : 'Prompt cache: off');
      if (s.testModel) lines.push('Warning: this is a random-weight test model; its output is gibberish.');
      lines.push('Click to change the model.');
      const lora = s.adapters?.length ? ' +LoRA' : '';
      return {
        text: `${s.testModel ? '$(warning)' : '$(check)'} ${s.model.name}${lora} · ${s.backend}`,
        tooltip: lines.join('\n'),
        background: s.testModel ? 'statusBarItem.warningBackground' : undefined,
      };
    }
    case 'error':
      return { text: `$(error) ${s.name}`, tooltip: `CPT Writer: ${s.message}\nClick to choose another model.`, background: 'statusBarItem.errorBackground' };
  }
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
