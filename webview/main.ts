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
  type RubricView,
  type SidebarState,
  type StyleChoice,
} from '../src/shared/protocol';
import type { Level } from '../src/core/rubrics/types';
import { loadPersisted, savePersisted, send, type PersistedState } from './api';
import { byId, h, setAttrs } from './dom';
import { t } from './l10n';
import { applyHostMessage } from './state';
import { buildSkeleton, LEVELS } from './skeleton';
import { renderModel } from './render-model';
import { renderRewrite } from './render-rewrite';
import { levelName, renderHistory, renderProblems } from './render-lists';
import { renderStyleCheck } from './render-check';

/** Quiet time after the last slider movement before the style is sent (each send prewarms the engine). */
const LEVEL_DEBOUNCE_MS = 250;
/** How long a sent style may go unconfirmed before host updates are shown again. */
const ECHO_TIMEOUT_MS = 2000;

let state: SidebarState | undefined;
let ui: PersistedState['ui'] = { criteriaOpen: false, historyOpen: true };
/** The writer's one-off note for the next rewrite, as typed in the note field (kept across hide/show). */
let note = '';
/** The style the writer has chosen here but the host has not echoed back yet. */
let unconfirmed: { style: StyleChoice; until: number } | undefined;
let levelTimer: ReturnType<typeof setTimeout> | undefined;

// ---------------------------------------------------------------------------------------------
// Rendering

function currentRubric(s: SidebarState): RubricView | undefined {
  return s.rubrics.find((r) => r.id === s.style.rubricId);
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
  renderStyleCheck(state);
  renderHistory(state, ui.historyOpen);
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
  byId('check-histogram').addEventListener('click', (ev) => {
    const bar = (ev.target as HTMLElement).closest<HTMLElement>('[data-level]');
    const level = Number(bar?.dataset.level);
    if (bar && !bar.hasAttribute('disabled') && LEVELS.includes(level as Level))
      send({ type: 'revealLevel', level: level as Level });
  });
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
  const before = state?.rewrite;
  state = applyHostMessage(state, m);
  if (state && unconfirmed) state = { ...state, style: unconfirmed.style };
  render();
  // A rewrite started from anywhere (palette, keybinding) brings its output into view, and follows its text.
  if (m.type === 'rewrite' && m.rewrite.phase === 'streaming') {
    if (before?.id !== m.rewrite.id) byId('rewrite-heading').parentElement?.scrollIntoView({ block: 'nearest' });
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
