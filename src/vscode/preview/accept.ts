// Accept: writes the shown proposal, as the writer mixed it (the changes left put back), as one edit with
// undo stops on both sides, so a single undo restores the original. A proposal taken whole is recorded as
// accepted; a mix as edited, with the mix as the writer's final text (pairs: chosen = what was kept).
// Writes nothing when the target changed since the preview was made (a conflict). A text that lost markup
// is written only after the writer confirms it in a modal question.
import * as vscode from 'vscode';
import { markupLost } from '../../core/markup';
import { shownMix, type Proposal, type SessionState } from '../../core/rewrite/session';
import { errorMessage } from '../common/log';
import { inDocumentEol, mixedProposal } from './proposals';
import { targetRange } from './presenter';
import type { RewriteRunResult } from './session';
import type { RewriteController } from './rewrite-controller';
import type { OpenSession } from './session';
import { localizeMarkupLines } from '../../core/markup/compare';

export async function acceptProposal(
  c: RewriteController,
  s: OpenSession,
  p: Proposal,
  stillShown: () => boolean,
): Promise<RewriteRunResult> {
  const mix = toWrite(s.state, p, s.doc.languageId);
  const taken = s.state.taken;
  const lost = mix.proposal.markupLost;
  if (lost.length) {
    if (s.state.confirming)
      return { outcome: 'cancelled', message: vscode.l10n.t('Already asking whether to accept.') };
    c.dispatch(s, { type: 'confirming', value: true });
    // Made here, not at import: l10n is only ready once the extension runs (and `npm run bench` imports this).
    const acceptAnyway = vscode.l10n.t('Accept Anyway');
    // A modal's first button is its default (Enter, Ctrl+Enter): going back must be, so that a key
    // pressed by habit never writes a proposal that lost a citation; Accept Anyway is a deliberate choice.
    const back = vscode.l10n.t('Back to Preview');
    let answer: string | undefined;
    try {
      answer = await c.deps.notifier.ask(
        'warning',
        vscode.l10n.t('The proposal lost markup from your text. Accept it anyway?'),
        `${localizeMarkupLines(lost, vscode.l10n.t).join('\n')}\n\n${howToUndo()}`,
        back,
        acceptAnyway,
      );
    } finally {
      c.dispatch(s, { type: 'confirming', value: false });
    }
    if (answer !== acceptAnyway)
      return { outcome: 'cancelled', message: vscode.l10n.t('Not accepted: the preview stays open.') };
    if (!stillShown() || s.state.taken !== taken)
      return {
        outcome: 'cancelled',
        message: vscode.l10n.t('The preview changed while you were asked, so nothing was accepted.'),
      };
  }
  const range = targetRange(s.doc, s.state);
  if (s.doc.getText(range) !== s.state.original) {
    c.dispatch(s, { type: 'conflict' });
    return c.endedResult(s);
  }
  const editor =
    vscode.window.visibleTextEditors.find((e) => e.document === s.doc) ??
    (await vscode.window.showTextDocument(s.doc, { preserveFocus: false }));
  // Our own edit must not be taken for the writer's: stop watching before applying it.
  s.tracking?.dispose();
  s.tracking = undefined;
  const written = inDocumentEol(mix.proposal, s.doc.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n');
  const parts = mix.whole ? written.parts : written.parts.map((part) => ({ ...part, mixed: true }));
  c.dispatch(s, { type: 'accepted', text: written.text, parts });
  let applied = false;
  try {
    applied = await editor.edit((b) => b.replace(range, written.text), { undoStopBefore: true, undoStopAfter: true });
  } catch (err) {
    c.deps.logger.error(`applying the rewrite failed: ${errorMessage(err)}`);
  }
  if (!applied) {
    const message = vscode.l10n.t(
      'CPT Writer could not apply the rewrite (the editor refused the edit). Your text is unchanged.',
    );
    c.deps.notifier.error(message, copyAction(mix.proposal.text));
    return { outcome: 'error', message };
  }
  if (mix.whole) c.decisions.decided(p, 'accepted');
  else c.decisions.mixed(mix.proposal);
  return { outcome: 'accepted' };
}

/** The proposal as Accept writes it: whole, or the writer's mix with its own markup check. */
function toWrite(state: SessionState, p: Proposal, languageId: string): { proposal: Proposal; whole: boolean } {
  const mix = shownMix(state);
  if (!mix || mix.whole) return { proposal: p, whole: true };
  const proposal = mixedProposal(p, mix.text, state.taken);
  return { proposal: { ...proposal, markupLost: markupLost(state.original, mix.text, languageId) }, whole: false };
}

function howToUndo(): string {
  return vscode.l10n.t('Accepting replaces your text with the proposal as it is; one undo brings the original back.');
}

/** A notification action that puts the proposal on the clipboard. */
export function copyAction(proposal: string) {
  return { title: vscode.l10n.t('Copy Proposal'), run: () => vscode.env.clipboard.writeText(proposal) };
}
