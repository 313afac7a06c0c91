// The sidebar's model line: which model is loaded, loading or failed, and the prompt mode.
import type { SidebarState } from '../src/shared/protocol';
import { byId, h, icon } from './dom';
import { t } from './l10n';

export function renderModel(s: SidebarState): void {
  const m = s.model;
  const el = byId('model-status');
  const parts: (Node | string)[] = [];
  switch (m.state) {
    case 'none':
      // A chosen model that is not loaded yet, or was unloaded to free memory, has a name; either loads on
      // the next rewrite.
      if (m.name && m.unloaded)
        parts.push(
          icon('circle-outline'),
          h(
            'span',
            { class: 'model-name' },
            m.name,
            ' ',
            h('span', { class: 'muted' }, t('(unloaded; reloads on the next rewrite)')),
          ),
        );
      else if (m.name)
        parts.push(
          icon('circle-large-outline'),
          h('span', { class: 'model-name' }, m.name, ' ', h('span', { class: 'muted' }, t('(loads on first rewrite)'))),
        );
      else parts.push(icon('circle-slash'), h('span', {}, t('No model selected')));
      break;
    case 'loading': {
      const pct = m.percent === undefined ? '' : ` ${Math.round(m.percent)}%`;
      parts.push(
        h('vscode-progress-ring', { class: 'ring', 'aria-label': t('Loading model') }),
        h(
          'span',
          { class: 'model-name' },
          m.name ? t('Loading {0}…{1}', m.name, pct) : t('Loading the model…{0}', pct),
        ),
      );
      break;
    }
    case 'ready':
      parts.push(icon('pass', 'ok'), h('span', { class: 'model-name' }, m.name ?? t('Model')));
      break;
    case 'error':
      parts.push(
        icon('error', 'err'),
        h('span', { class: 'model-name err' }, `${m.name ? `${m.name}: ` : ''}${m.error ?? t('failed to load')}`),
      );
      break;
  }
  const line = h('div', { class: `model-line state-${m.state}` }, ...parts);
  const details: HTMLElement[] = [];
  if (m.state === 'ready' && m.backend) {
    const layers =
      m.backend === 'cpu'
        ? t('CPU only')
        : t('{0} GPU layers', `${m.gpuLayers ?? '?'}${m.totalLayers !== undefined ? `/${m.totalLayers}` : ''}`);
    details.push(
      h(
        'div',
        { class: 'model-backend' },
        h('vscode-badge', { variant: 'default' }, m.backend.toUpperCase()),
        ' ',
        h('span', { class: 'muted' }, layers),
      ),
    );
  }
  if (m.state === 'ready' && m.adapters?.length) {
    details.push(
      h(
        'div',
        { class: 'model-adapters' },
        icon('layers'),
        ' ',
        h('span', { class: 'muted' }, t('LoRA: {0}', m.adapters.join(', '))),
      ),
    );
  }
  if (m.warning) details.push(h('div', { class: 'warn' }, icon('warning'), ' ', m.warning));
  el.replaceChildren(line, ...details);
  // The mode's name in the writer's language (the setting's values stay the English ids).
  const mode = s.promptMode === 'directive' ? t('directive') : s.promptMode === 'rubric' ? t('rubric') : t('plain');
  byId('prompt-mode').textContent = t('Prompt: {0}', mode);
  byId('prompt-mode').title =
    s.promptMode === 'directive'
      ? t('A short CPT directive naming the style and level (for CPT-tuned models)')
      : t('The full rubric with a target score');
}
