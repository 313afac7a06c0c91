// The CPT Writer sidebar. Renders the host's SidebarState and turns the writer's input into
// WebviewToHost messages. The page is destroyed whenever the view is hidden, so it first paints from
// vscode.getState() (no flash of an empty view), then says 'ready' and repaints from the host's state.
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import type { VscodeCollapsible } from '@vscode-elements/elements/dist/vscode-collapsible/vscode-collapsible.js';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js';
import {
  isHostToWebview,
  isSidebarState,
  type HistoryEntry,
  type RubricView,
  type SidebarState,
  type StyleChoice,
} from '../src/shared/protocol';
import type { Level } from '../src/core/rubrics/types';
import { loadPersisted, savePersisted, send, type PersistedState } from './api';
import { byId, h, icon, setAttrs } from './dom';
import { t } from './l10n';
import { applyHostMessage, awaitingDecision } from './state';

/** Quiet time after the last slider movement before the style is sent (each send prewarms the engine). */
const LEVEL_DEBOUNCE_MS = 250;
/** How long a sent style may go unconfirmed before host updates are shown again. */
const ECHO_TIMEOUT_MS = 2000;
const LEVELS: Level[] = [1, 2, 3, 4, 5];

let state: SidebarState | undefined;
let ui: PersistedState['ui'] = { criteriaOpen: false, historyOpen: true };
/** The writer's one-off note for the next rewrite, as typed in the note field (kept across hide/show). */
let note = '';
/** The style the writer has chosen here but the host has not echoed back yet. */
let unconfirmed: { style: StyleChoice; until: number } | undefined;
let levelTimer: ReturnType<typeof setTimeout> | undefined;

// ---------------------------------------------------------------------------------------------
// Skeleton: built once; render() only updates it, so focus and the slider's drag survive updates.

function buildSkeleton(root: HTMLElement): void {
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

// ---------------------------------------------------------------------------------------------
// Rendering

function currentRubric(s: SidebarState): RubricView | undefined {
  return s.rubrics.find((r) => r.id === s.style.rubricId);
}

function levelName(r: RubricView | undefined, level: Level): string {
  return r?.levels[level - 1] ?? t('Level {0}', level);
}

function render(): void {
  const root = byId('app');
  if (!state) {
    root.setAttribute('aria-busy', 'true');
    return;
  }
  root.removeAttribute('aria-busy');
  renderStyle(state);
  renderModel(state);
  renderRewrite(state);
  renderHistory(state);
  renderProblems(state);
}

function renderStyle(s: SidebarState): void {
  const select = byId<VscodeSingleSelect>('rubric');
  const ids = s.rubrics.map((r) => `${r.id}\u0000${r.title}\u0000${r.summary}`).join('\u0001');
  if (select.dataset.ids !== ids) {
    select.dataset.ids = ids;
    select.replaceChildren(
      ...s.rubrics.map((r) => h('vscode-option', { value: r.id, description: r.summary }, r.title)),
    );
  }
  const rubric = currentRubric(s);
  if (select.value !== s.style.rubricId && rubric) select.value = s.style.rubricId;
  setAttrs(select, { disabled: s.rubrics.length === 0 });

  byId('rubric-summary').textContent = rubric
    ? rubric.summary
    : !s.rubrics.length
      ? t('No rubrics are loaded.')
      : s.style.rubricId
        ? t('The rubric "{0}" is not loaded; pick another.', s.style.rubricId)
        : t('Pick a rubric.');

  const criteria = byId<VscodeCollapsible>('criteria');
  criteria.open = ui.criteriaOpen;
  criteria.description = rubric ? `${rubric.criteria.length}` : '';
  byId('criteria-list').replaceChildren(
    ...(rubric?.criteria ?? []).map((c) =>
      h(
        'li',
        {},
        h('span', { class: 'criterion-name' }, c.name),
        h('span', { class: 'criterion-weight' }, `${c.weight}%`),
        weightBar(c.weight),
      ),
    ),
  );

  const slider = byId<HTMLInputElement>('level');
  // While the writer is moving the slider, their level wins over what the host last said.
  const level =
    unconfirmed && unconfirmed.style.rubricId === s.style.rubricId ? unconfirmed.style.level : s.style.level;
  if (document.activeElement !== slider || slider.value !== String(level)) slider.value = String(level);
  setAttrs(slider, { disabled: !rubric });
  renderLevel(rubric, level);
}

function weightBar(weight: number): HTMLElement {
  const bar = h('span', { class: 'weight-bar', 'aria-hidden': 'true' }, h('span', { class: 'weight-fill' }));
  // CSSOM writes are allowed under the CSP (inline style attributes are not).
  (bar.firstElementChild as HTMLElement).style.width = `${Math.max(0, Math.min(100, weight))}%`;
  return bar;
}

/** The parts that follow the slider at once, before the debounced send. */
function renderLevel(rubric: RubricView | undefined, level: Level): void {
  const name = levelName(rubric, level);
  const slider = byId<HTMLInputElement>('level');
  setAttrs(slider, { 'aria-valuetext': t('{0} of 5: {1}', level, name) });
  slider.style.setProperty('--fill', `${((level - 1) / 4) * 100}%`);
  byId('level-name').textContent = `${level} · ${name}`;

  const ticks = byId('level-ticks-labels');
  ticks.replaceChildren(
    ...LEVELS.map((l) =>
      h(
        'span',
        { class: l === level ? 'tick current' : 'tick', 'data-level': l, title: levelName(rubric, l) },
        levelName(rubric, l),
      ),
    ),
  );
  const datalist = byId('level-ticks');
  datalist.querySelectorAll('option').forEach((o, i) => o.setAttribute('label', levelName(rubric, LEVELS[i])));

  byId('level-meaning-heading').textContent = rubric ? t('At “{0}”', name) : '';
  const items: HTMLElement[] = (rubric?.criteria ?? []).map((c) =>
    h(
      'li',
      {},
      h('strong', {}, c.name),
      ' ',
      h('span', { class: 'muted' }, `(${c.weight}%)`),
      h('br'),
      c.levels[level - 1] ?? '',
    ),
  );
  const directive = rubric?.directives[String(level) as '1'];
  if (directive && state?.promptMode === 'directive') {
    items.push(h('li', { class: 'directive' }, h('strong', {}, t('Directive')), h('br'), directive));
  }
  byId('level-meaning').replaceChildren(...items);
}

function renderModel(s: SidebarState): void {
  const m = s.model;
  const el = byId('model-status');
  const parts: (Node | string)[] = [];
  switch (m.state) {
    case 'none':
      // A chosen model that is not loaded yet, or was unloaded to free memory, has a name; either loads on the next rewrite.
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
  byId('prompt-mode').textContent = t('Prompt: {0}', s.promptMode);
  byId('prompt-mode').title =
    s.promptMode === 'directive'
      ? t('A short CPT directive naming the style and level (for CPT-tuned models)')
      : t('The full rubric with a target score');
}

function renderRewrite(s: SidebarState): void {
  const r = s.rewrite;
  const streaming = r?.phase === 'streaming';
  setAttrs(byId('rewrite'), { disabled: streaming });
  byId('cancel').hidden = !streaming;

  const status = byId('rewrite-status');
  const out = byId('rewrite-output');
  out.hidden = !r || (!r.text && r.phase !== 'streaming');
  setAttrs(out, { 'aria-busy': streaming ? 'true' : undefined });
  if (out.textContent !== (r?.text ?? '')) out.textContent = r?.text ?? '';
  out.classList.toggle('streaming', streaming);

  const rubric = r ? s.rubrics.find((x) => x.id === r.rubricId) : undefined;
  const styleText = r ? `${rubric?.title ?? r.rubricId} · ${levelName(rubric, r.level)}` : '';
  status.classList.remove('err');
  status.removeAttribute('role');
  status.setAttribute('role', 'status');
  if (!r) {
    status.textContent = t(
      'Select text in an editor (or put the cursor in a paragraph), then press Rewrite Selection.',
    );
  } else if (r.phase === 'streaming') {
    status.replaceChildren(
      h('vscode-progress-ring', { class: 'ring', 'aria-label': t('Rewriting') }),
      ` ${t('Rewriting ({0})…', styleText)}`,
    );
  } else if (r.phase === 'done') {
    const st = r.stats;
    const restored = st?.restoredPromptTokens
      ? ` · ${t('{0} prompt tokens restored from cache', st.restoredPromptTokens)}`
      : '';
    status.textContent = `${styleText}${st ? ` · ${t('{0} tokens · {1} tok/s', st.outputTokens, st.tokensPerSecond.toFixed(1))}${restored}` : ''}`;
  } else if (r.phase === 'cancelled') {
    status.textContent = t('Cancelled ({0}).', styleText);
  } else {
    status.classList.add('err');
    status.setAttribute('role', 'alert');
    status.replaceChildren(icon('error'), ` ${r.error ?? t('The rewrite failed.')}`);
  }

  renderWarnings(r);

  const decide = awaitingDecision(s);
  byId('decision').hidden = !decide;
  // Best-of-N: the judged score against the target, and stepping through the candidates.
  const c = r?.phase === 'done' ? r.candidate : undefined;
  byId('candidates').hidden = !c;
  byId('candidate-score').textContent = c
    ? t('{0} → target {1} · {2} of {3}', c.score, c.target, c.index + 1, c.count)
    : '';
  byId('candidate-score').title = c?.critique ?? '';
  setAttrs(byId('previous-candidate'), { disabled: !decide || !c || c.count < 2 });
  setAttrs(byId('next-candidate'), { disabled: !decide || !c || c.count < 2 });
  const entry = r ? s.history.find((x) => x.id === r.id) : undefined;
  if (r?.phase === 'done' && entry && entry.decision !== 'pending') {
    status.append(` · ${DECISION_LABEL[entry.decision]()}`);
  }
}

/** What the writer must know before deciding: markup the proposal lost, a cut-off, and the note it was made with. */
function renderWarnings(r: SidebarState['rewrite']): void {
  const el = byId('rewrite-warnings');
  const items: HTMLElement[] = [];
  if (r?.phase === 'done' && r.markupLost?.length) {
    items.push(
      h('div', { class: 'warn' }, icon('warning'), ` ${t('Markup the proposal lost or changed (Accept asks first):')}`),
      h('ul', { class: 'markup-lost' }, ...r.markupLost.map((item) => h('li', {}, item))),
    );
  }
  if (r?.phase === 'done' && r.cutOff) items.push(h('div', { class: 'warn' }, icon('warning'), ` ${r.cutOff}`));
  if (r?.note && (r.phase === 'streaming' || r.phase === 'done'))
    items.push(h('div', { class: 'muted' }, icon('note'), ` ${t('Note: {0}', r.note)}`));
  el.hidden = items.length === 0;
  el.replaceChildren(...items);
}

// Functions, so each label is looked up after the bundle is configured.
const DECISION_LABEL: Record<HistoryEntry['decision'], () => string> = {
  pending: () => t('Pending'),
  accepted: () => t('Accepted'),
  rejected: () => t('Rejected'),
  edited: () => t('Edited'),
};

const DECISION_ICON: Record<HistoryEntry['decision'], string> = {
  pending: 'circle-large-outline',
  accepted: 'check',
  rejected: 'close',
  edited: 'edit',
};

function renderHistory(s: SidebarState): void {
  const coll = byId<VscodeCollapsible>('history');
  coll.open = ui.historyOpen;
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

function snippet(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 120 ? `${one.slice(0, 119)}…` : one;
}

function renderProblems(s: SidebarState): void {
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

// ---------------------------------------------------------------------------------------------
// Input

function persist(): void {
  savePersisted({ state, ui, note });
}

function chooseStyle(style: StyleChoice, immediate: boolean): void {
  unconfirmed = { style, until: Date.now() + ECHO_TIMEOUT_MS + (immediate ? 0 : LEVEL_DEBOUNCE_MS) };
  if (levelTimer) clearTimeout(levelTimer);
  levelTimer = undefined;
  const post = () => {
    levelTimer = undefined;
    if (unconfirmed) unconfirmed.until = Date.now() + ECHO_TIMEOUT_MS;
    send({ type: 'setStyle', style });
  };
  if (immediate) post();
  else levelTimer = setTimeout(post, LEVEL_DEBOUNCE_MS);
}

function sliderLevel(): Level {
  const v = Number(byId<HTMLInputElement>('level').value);
  return (LEVELS.includes(v as Level) ? v : 3) as Level;
}

function wireInput(): void {
  const slider = byId<HTMLInputElement>('level');
  const onSlide = () => {
    if (!state) return;
    const level = sliderLevel();
    chooseStyle({ rubricId: state.style.rubricId, level }, false);
    renderLevel(currentRubric(state), level);
  };
  slider.addEventListener('input', onSlide);
  slider.addEventListener('change', onSlide);

  byId('level-ticks-labels').addEventListener('click', (ev) => {
    const level = Number((ev.target as HTMLElement).closest<HTMLElement>('[data-level]')?.dataset.level);
    if (!state || !LEVELS.includes(level as Level)) return;
    slider.value = String(level);
    onSlide();
  });

  byId<VscodeSingleSelect>('rubric').addEventListener('change', (ev) => {
    const rubricId = (ev.target as VscodeSingleSelect).value;
    if (!state || !rubricId || rubricId === state.style.rubricId) return;
    const style: StyleChoice = { rubricId, level: sliderLevel() };
    state = { ...state, style };
    chooseStyle(style, true);
    render();
    persist();
  });

  const toggle = (id: string, key: keyof PersistedState['ui']) =>
    byId(id).addEventListener('vsc-collapsible-toggle', (ev) => {
      if (ev.target !== byId(id)) return;
      ui = { ...ui, [key]: (ev as CustomEvent<{ open: boolean }>).detail.open };
      persist();
    });
  toggle('criteria', 'criteriaOpen');
  toggle('history', 'historyOpen');

  const click = (id: string, fn: () => void) => {
    const el = byId(id);
    el.addEventListener('click', () => {
      if (!el.hasAttribute('disabled')) fn();
    });
  };
  const noteField = byId<VscodeTextfield>('note');
  noteField.value = note;
  noteField.addEventListener('input', () => {
    note = noteField.value;
    persist();
  });
  click('rewrite', () => {
    const trimmed = note.trim();
    send(trimmed ? { type: 'rewrite', note: trimmed } : { type: 'rewrite' });
  });
  click('cancel', () => send({ type: 'cancel' }));
  click('accept', () => {
    if (state?.rewrite) send({ type: 'accept', id: state.rewrite.id });
  });
  click('reject', () => {
    if (state?.rewrite) send({ type: 'reject', id: state.rewrite.id });
  });
  click('previous-candidate', () => {
    if (state?.rewrite) send({ type: 'stepCandidate', id: state.rewrite.id, step: -1 });
  });
  click('next-candidate', () => {
    if (state?.rewrite) send({ type: 'stepCandidate', id: state.rewrite.id, step: 1 });
  });
  click('select-model', () => send({ type: 'selectModel' }));
  click('new-rubric', () => send({ type: 'newRubric' }));
  byId('problems').addEventListener('click', (ev) => {
    const index = Number((ev.target as HTMLElement).closest<HTMLElement>('[data-problem]')?.dataset.problem);
    if (Number.isInteger(index) && index >= 0) send({ type: 'openProblem', index });
  });

  // A pending slider move must not be lost when the view is hidden (the page is destroyed).
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden' && levelTimer && unconfirmed) chooseStyle(unconfirmed.style, true);
  });
}

function onHostMessage(ev: MessageEvent): void {
  const m: unknown = ev.data;
  if (!isHostToWebview(m)) {
    // Not ours or malformed; the host never sends these, so it is worth a console line.
    console.warn('cpt-writer sidebar: ignored a malformed or unknown message');
    return;
  }
  if ((m.type === 'style' || m.type === 'state') && unconfirmed) {
    const s = m.type === 'style' ? m.style : m.state.style;
    const same = s.rubricId === unconfirmed.style.rubricId && s.level === unconfirmed.style.level;
    if (same || (!levelTimer && Date.now() > unconfirmed.until)) unconfirmed = undefined;
  }
  state = applyHostMessage(state, m);
  if (state && unconfirmed) state = { ...state, style: unconfirmed.style };
  render();
  // A rewrite started from anywhere (palette, keybinding) brings its output into view.
  if (m.type === 'rewrite' && m.event.type === 'started')
    byId('rewrite-heading').parentElement?.scrollIntoView({ block: 'nearest' });
  if (m.type === 'rewrite' && m.event.type === 'token') {
    const out = byId('rewrite-output');
    out.scrollTop = out.scrollHeight;
  }
  persist();
}

function start(): void {
  buildSkeleton(byId('app'));
  const saved = loadPersisted() as Partial<PersistedState> | undefined;
  if (saved && typeof saved === 'object') {
    if (saved.ui && typeof saved.ui.criteriaOpen === 'boolean' && typeof saved.ui.historyOpen === 'boolean')
      ui = saved.ui;
    if (isSidebarState(saved.state)) state = saved.state;
    if (typeof saved.note === 'string') note = saved.note.slice(0, 500);
  }
  wireInput();
  render();
  window.addEventListener('message', onHostMessage);
  send({ type: 'ready' });
}

start();
