// The sidebar's page skeleton, built once; the render functions only update it, so focus and the
// slider's drag survive updates.
import type { Level } from '../src/core/rubrics/types';
import { h } from './dom';
import { t } from './l10n';

export const LEVELS: Level[] = [1, 2, 3, 4, 5];

export function buildSkeleton(root: HTMLElement): void {
  const ticks = h('datalist', { id: 'level-ticks' }, ...LEVELS.map((l) => h('option', { value: l })));
  root.replaceChildren(
    h(
      'section',
      { class: 'section', 'aria-labelledby': 'style-heading' },
      h('h2', { id: 'style-heading', class: 'section-title' }, t('Style')),
      h('label', { for: 'rubric', class: 'field-label', id: 'rubric-label' }, t('Rubric')),
      h('vscode-single-select', { id: 'rubric', label: t('Rubric') }),
      h('p', { id: 'rubric-summary', class: 'summary' }),
      h(
        'vscode-collapsible',
        { id: 'criteria', title: t('Criteria and weights'), class: 'criteria' },
        h('ul', { id: 'criteria-list', class: 'criteria-list' }),
      ),
      h(
        'div',
        { class: 'level-header' },
        h('label', { for: 'level', class: 'field-label' }, t('Level')),
        h('output', { id: 'level-name', for: 'level', class: 'level-name' }),
      ),
      h('input', {
        id: 'level',
        class: 'level-slider',
        type: 'range',
        min: 1,
        max: 5,
        step: 1,
        value: 3,
        list: 'level-ticks',
        'aria-describedby': 'level-meaning',
      }),
      ticks,
      h('div', { id: 'level-ticks-labels', class: 'level-ticks', 'aria-hidden': 'true' }),
      h('h3', { id: 'level-meaning-heading', class: 'meaning-title' }),
      h('ul', { id: 'level-meaning', class: 'meaning' }),
    ),
    h(
      'section',
      { class: 'section', 'aria-labelledby': 'rewrite-heading' },
      h('h2', { id: 'rewrite-heading', class: 'section-title' }, t('Rewrite')),
      h('label', { for: 'note', class: 'field-label' }, t('Note for this rewrite (optional)')),
      h('vscode-textfield', {
        id: 'note',
        class: 'note-field',
        placeholder: t('e.g. keep it under 50 words'),
        maxlength: 500,
        'aria-describedby': 'note-help',
      }),
      h(
        'p',
        { id: 'note-help', class: 'muted field-help' },
        t('Sent with each rewrite from this view while it is filled in.'),
      ),
      h(
        'div',
        { class: 'actions' },
        h('vscode-button', { id: 'rewrite', icon: 'sparkle' }, t('Rewrite Selection')),
        h('vscode-button', { id: 'cancel', secondary: true, icon: 'debug-stop', hidden: true }, t('Cancel')),
      ),
      h('div', { id: 'rewrite-status', class: 'rewrite-status', role: 'status', 'aria-live': 'polite' }),
      h('div', {
        id: 'rewrite-output',
        class: 'rewrite-output',
        'aria-live': 'polite',
        'aria-label': t('Rewrite output'),
        tabindex: 0,
        hidden: true,
      }),
      h(
        'div',
        { id: 'candidates', class: 'actions candidates', hidden: true },
        h(
          'vscode-button',
          { id: 'previous-candidate', secondary: true, icon: 'chevron-left', title: t('Previous candidate (Alt+[)') },
          t('Previous'),
        ),
        h('span', { id: 'candidate-score', class: 'candidate-score', role: 'status' }),
        h(
          'vscode-button',
          { id: 'next-candidate', secondary: true, icon: 'chevron-right', title: t('Next candidate (Alt+])') },
          t('Next'),
        ),
      ),
      h('div', { id: 'rewrite-warnings', class: 'rewrite-warnings', role: 'alert', hidden: true }),
      h(
        'div',
        { id: 'decision', class: 'actions', hidden: true },
        h('vscode-button', { id: 'accept', icon: 'check' }, t('Accept')),
        h('vscode-button', { id: 'reject', secondary: true, icon: 'close' }, t('Reject')),
      ),
    ),
    h(
      'section',
      { class: 'section', 'aria-labelledby': 'model-heading' },
      h('h2', { id: 'model-heading', class: 'section-title' }, t('Model')),
      h('div', { id: 'model-status', class: 'model-status', role: 'status' }),
      h(
        'div',
        { class: 'model-meta' },
        h('span', { id: 'prompt-mode', class: 'prompt-mode' }),
        h('button', { id: 'select-model', class: 'link-button', type: 'button' }, t('Select Model…')),
      ),
    ),
    h(
      'section',
      { class: 'section', 'aria-labelledby': 'check-heading' },
      h('h2', { id: 'check-heading', class: 'section-title' }, t('Style check')),
      h(
        'p',
        { id: 'check-empty', class: 'muted' },
        t('Check Style of Document shows here how the paragraphs of the active document spread over the levels.'),
      ),
      h('p', { id: 'check-summary', class: 'summary' }),
      h('div', {
        id: 'check-histogram',
        class: 'level-histogram',
        role: 'group',
        'aria-label': t('Paragraphs per level'),
        hidden: true,
      }),
    ),
    h(
      'vscode-collapsible',
      { id: 'history', title: t('Recent rewrites'), class: 'section history' },
      h('vscode-badge', { id: 'history-count', slot: 'decorations', variant: 'counter' }, '0'),
      h('p', { id: 'history-empty', class: 'muted' }, t('No rewrites in this window yet.')),
      h('ol', { id: 'history-list', class: 'history-list' }),
    ),
    h(
      'section',
      { class: 'section', 'aria-labelledby': 'rubric-files-heading' },
      h('h2', { id: 'rubric-files-heading', class: 'section-title' }, t('Rubric files')),
      h('vscode-button', { id: 'new-rubric', secondary: true, icon: 'new-file' }, t('New Rubric…')),
      h('div', { id: 'problems', class: 'problems', role: 'region', 'aria-label': t('Rubric file problems') }),
    ),
  );
}
