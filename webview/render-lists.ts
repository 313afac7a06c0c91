// The sidebar's lists: recent rewrites with their decisions, and problems in rubric files.
import type { VscodeCollapsible } from '@vscode-elements/elements/dist/vscode-collapsible/vscode-collapsible.js';
import { type HistoryEntry, type RubricView, type SidebarState } from '../src/shared/protocol';
import type { Level } from '../src/core/rubrics/types';
import { byId, h, icon } from './dom';
import { t } from './l10n';

/** The name of `level` on `r`'s scale, or "Level N". */
export function levelName(r: RubricView | undefined, level: Level): string {
  return r?.levels[level - 1] ?? t('Level {0}', level);
}

// Functions, so each label is looked up after the bundle is configured.
export const DECISION_LABEL: Record<HistoryEntry['decision'], () => string> = {
  pending: () => t('Pending'),
  cancelled: () => t('Cancelled'),
  accepted: () => t('Accepted'),
  rejected: () => t('Rejected'),
  edited: () => t('Edited'),
};

const DECISION_ICON: Record<HistoryEntry['decision'], string> = {
  pending: 'circle-large-outline',
  cancelled: 'circle-slash',
  accepted: 'check',
  rejected: 'close',
  edited: 'edit',
};

export function renderHistory(s: SidebarState, historyOpen: boolean): void {
  const coll = byId<VscodeCollapsible>('history');
  coll.open = historyOpen;
  byId('history-count').textContent = String(s.history.length);
  byId('history-empty').hidden = s.history.length > 0;
  byId('history-list').replaceChildren(
    ...s.history.map((e) => {
      const rubric = s.rubrics.find((r) => r.id === e.rubricId);
      const time = new Date(e.time);
      const when = Number.isNaN(time.getTime())
        ? ''
        : time.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
      return h(
        'li',
        { class: `history-item decision-${e.decision}`, title: e.output },
        h(
          'div',
          { class: 'history-head' },
          icon(DECISION_ICON[e.decision]),
          h('span', { class: 'history-decision' }, DECISION_LABEL[e.decision]()),
          when && h('time', { class: 'muted history-time', datetime: e.time }, when),
        ),
        h('div', { class: 'history-style' }, `${rubric?.title ?? e.rubricId} · ${levelName(rubric, e.level)}`),
        h('div', { class: 'history-text' }, snippet(e.output || e.original)),
      );
    }),
  );
}

export function snippet(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 120 ? `${one.slice(0, 119)}…` : one;
}

export function renderProblems(s: SidebarState): void {
  const el = byId('problems');
  if (s.problems.length === 0) {
    el.replaceChildren(h('p', { class: 'muted' }, t('All rubric files are valid.')));
    return;
  }
  el.replaceChildren(
    h(
      'ul',
      { class: 'problem-list' },
      ...s.problems.map((p, index) =>
        h(
          'li',
          { class: `problem ${p.severity}` },
          h(
            'div',
            { class: 'problem-head' },
            icon(p.severity === 'warning' ? 'warning' : 'error'),
            h(
              'button',
              {
                class: 'link-button problem-location',
                type: 'button',
                'data-problem': index,
                title: t('Open {0} at line {1}', p.file, p.line),
              },
              `${p.file}:${p.line}:${p.col}`,
            ),
          ),
          h('div', { class: 'problem-message' }, p.message),
        ),
      ),
    ),
  );
}
