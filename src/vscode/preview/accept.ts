// Accept: writes the shown proposal as one edit with undo stops on both sides, so a single undo restores
// the original. Writes nothing when the target changed since the preview was made (a conflict). A
// proposal that lost markup is written only after the writer confirms it in a modal question.
import * as vscode from 'vscode';
import type { Proposal } from '../../core/rewrite/session';
import { errorMessage } from '../common/log';
import { inDocumentEol } from './proposals';
import { targetRange } from './presenter';
import type { RewriteRunResult } from './session';
import { copyAction, type RewriteController } from './rewrite-controller';
import type { OpenSession } from './session';
import { localizeMarkupLines } from '../../core/markup/compare';

export async function acceptProposal(
  c: RewriteController,
  s: OpenSession,
  p: Proposal,
  stillShown: () => boolean,
): Promise<RewriteRunResult> {
  if (p.markupLost.length) {
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
        `${localizeMarkupLines(p.markupLost, vscode.l10n.t).join('\n')}\n\n${howToUndo()}`,
        back,
        acceptAnyway,
      );
    } finally {
      c.dispatch(s, { type: 'confirming', value: false });
    }
    if (answer !== acceptAnyway)
      return { outcome: 'cancelled', message: vscode.l10n.t('Not accepted: the preview stays open.') };
    if (!stillShown())
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
  const written = inDocumentEol(p, s.doc.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n');
  c.dispatch(s, { type: 'accepted', text: written.text, parts: written.parts });
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
    c.deps.notifier.error(message, copyAction(p.text));
    return { outcome: 'error', message };
  }
  c.decisions.decided(p, 'accepted');
  return { outcome: 'accepted' };
}

function howToUndo(): string {
  return vscode.l10n.t('Accepting replaces your text with the proposal as it is; one undo brings the original back.');
}
