// The sidebar's rewrite section: the streamed or finished text, its status, the decision buttons and warnings.
import type { SidebarState } from '../src/shared/protocol';
import { byId, h, icon, setAttrs } from './dom';
import { t } from './l10n';
import { awaitingDecision } from './state';
import { DECISION_LABEL, levelName } from './render-lists';

export function renderRewrite(s: SidebarState): void {
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
    const speed = st ? ` · ${t('{0} tokens · {1} tok/s', st.outputTokens, st.tokensPerSecond.toFixed(1))}` : '';
    status.textContent = `${styleText}${st ? `${speed}${restored}` : ''}`;
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
export function renderWarnings(r: SidebarState['rewrite']): void {
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
