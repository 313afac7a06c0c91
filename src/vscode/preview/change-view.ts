// Per-change accept as the preview shows it: the proposal's text as the writer mixed it (each change
// taken or left, the one the keys act on marked), a line saying where the focus is, the words the
// document marks as going, and the actions that take or leave changes. The state is the session's
// (core/rewrite/session.ts: taken, changeFocus); the text of the mix is core/rewrite/changes.ts's.
// No `vscode` import: unit-tested in plain Node.
import { mixSegments, type MixSegment } from '../../core/rewrite/changes';
import { shownProposal, type SessionState } from '../../core/rewrite/session';
import type { TextRange } from '../../core/rewrite/word-diff';
import { english, type Translate } from '../common/translate';
import { keyLabel } from './key-labels';
import type { ActionContext } from './preview-actions';
import type { PreviewAction } from './preview-body';

export interface ChangesView {
  /** The mixed text in stretches; undefined while every change is taken and none is in focus (plain marks). */
  segments?: MixSegment[];
  /** The change the keys act on, or -1. */
  focus: number;
  /** "2 of 3 changes taken" once the writer left one; undefined while all are taken. */
  summary?: string;
  /** "Change 2 of 3: left" while a change is in focus. */
  status?: string;
}

/** What the preview shows of per-change accept; undefined when the proposal shown has no changes. */
export function changesView(s: SessionState, t: Translate = english): ChangesView | undefined {
  const p = shownProposal(s);
  const changes = p?.changes;
  if (!p || !changes?.length) return undefined;
  const taken = changes.filter((_, k) => s.taken[k] !== false).length;
  const engaged = s.changeFocus >= 0 || taken < changes.length;
  const focusTaken = s.taken[s.changeFocus] !== false;
  return {
    focus: s.changeFocus,
    ...(engaged ? { segments: mixSegments(s.original, p.text, changes, s.taken) } : {}),
    ...(taken < changes.length ? { summary: t('{0} of {1} changes taken', taken, changes.length) } : {}),
    ...(s.changeFocus >= 0
      ? {
          status: focusTaken
            ? t('Change {0} of {1}: taken', s.changeFocus + 1, changes.length)
            : t('Change {0} of {1}: left (your words kept)', s.changeFocus + 1, changes.length),
        }
      : {}),
  };
}

/** The original's ranges the document marks as going: the proposal's removals, less those of left changes. */
export function keptRemoved(s: SessionState): TextRange[] {
  const p = shownProposal(s);
  const removed = p?.diff?.removed ?? [];
  const left = (p?.changes ?? []).filter((_, k) => s.taken[k] === false).map((c) => c.original);
  return removed.filter((r) => !left.some((l) => l.start <= r.start && r.end <= l.end));
}

/** The per-change actions, for a preview whose proposal has changes. */
export function changeActions(ctx: ActionContext, t: Translate = english): PreviewAction[] {
  const args = ctx.previewId ? [ctx.previewId] : [];
  const action = (title: string, command: string, tooltip: string): PreviewAction => ({
    title,
    command,
    args,
    key: keyLabel(command, ctx.keybindings, ctx.platform),
    tooltip,
  });
  return [
    action(t('Next Change'), 'cptWriter.nextChange', t('Move to the next change. Nothing is recorded.')),
    action(
      t('Take or Leave'),
      'cptWriter.toggleChange',
      t('Take the change in focus, or leave it and keep your words there. Nothing is recorded until Accept.'),
    ),
    action(t('Take All'), 'cptWriter.takeAllChanges', t('Take every change. Nothing is recorded until Accept.')),
    action(
      t('Leave All'),
      'cptWriter.leaveAllChanges',
      t('Leave every change and keep your words. Nothing is recorded until Accept.'),
    ),
  ];
}
