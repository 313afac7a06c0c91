// The sidebar's style-check histogram: how many paragraphs of the active document read at each level, one
// bar per level; a click asks the host to reveal the next paragraph at that level (the host answers by
// moving the editor's cursor, so repeated clicks walk through them).
import type { SidebarState } from '../src/shared/protocol';
import type { Level } from '../src/core/rubrics/types';
import { byId, h } from './dom';
import { t } from './l10n';
import { LEVELS } from './skeleton';

export function renderStyleCheck(s: SidebarState): void {
  const c = s.styleCheck;
  byId('check-empty').hidden = !!c;
  byId('check-summary').textContent = c
    ? c.target === undefined
      ? t('{0} · {1}', c.document, c.rubricTitle)
      : t('{0} · {1}, target level {2}: {3} paragraphs off target', c.document, c.rubricTitle, c.target, c.offTarget)
    : '';
  const bars = byId('check-histogram');
  bars.hidden = !c;
  if (!c) {
    bars.replaceChildren();
    return;
  }
  const most = Math.max(1, ...c.counts);
  bars.replaceChildren(
    ...LEVELS.map((level: Level) => {
      const n = c.counts[level - 1];
      const name = c.levels[level - 1];
      const fill = h('span', { class: 'level-bar-fill' });
      // CSSOM writes are allowed under the CSP (inline style attributes are not).
      fill.style.height = `${(n / most) * 100}%`;
      const label =
        n === 1
          ? t('Level {0} ({1}): 1 paragraph. Go to it.', level, name)
          : n === 0
            ? t('Level {0} ({1}): no paragraphs.', level, name)
            : t('Level {0} ({1}): {2} paragraphs. Go to the next one.', level, name, n);
      return h(
        'button',
        {
          type: 'button',
          class: level === c.target ? 'level-bar target' : 'level-bar',
          'data-level': level,
          title: label,
          'aria-label': label,
          disabled: n === 0,
        },
        h('span', { class: 'level-bar-count' }, String(n)),
        h('span', { class: 'level-bar-track', 'aria-hidden': 'true' }, fill),
        h('span', { class: 'level-bar-level', 'aria-hidden': 'true' }, String(level)),
      );
    }),
  );
}
