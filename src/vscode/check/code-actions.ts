// The quick fix on an off-target paragraph: "Rewrite to level N" opens the normal rewrite preview for that
// paragraph at the check's target level (the writer still accepts or rejects it there).
import * as vscode from 'vscode';
import { QUICK_ACCESS_SELECTOR } from '../quick-access/code-actions';
import { DIAGNOSTIC_CODE, DIAGNOSTIC_SOURCE, type StyleCheckPresenter } from './presenter';

export const REWRITE_PARAGRAPH_COMMAND = 'cptWriter.rewriteParagraphToLevel';

/** The fixes for the check's diagnostics that touch `range` in `doc`. */
export function styleCheckFixes(
  presenter: StyleCheckPresenter,
  doc: vscode.TextDocument,
  range: vscode.Range,
): vscode.CodeAction[] {
  const shown = presenter.get(doc.uri);
  const target = shown?.report.target;
  // After an edit the paragraphs' offsets are stale until the re-check: no fix that could hit other text.
  if (!shown || target === undefined || shown.version !== doc.version) return [];
  // Our own diagnostics, not the context's: those reach the workbench asynchronously, and a fix asked
  // for right after a check must not depend on that round trip.
  return (presenter.diagnostics.get(doc.uri) ?? [])
    .filter((d) => d.source === DIAGNOSTIC_SOURCE && d.code === DIAGNOSTIC_CODE && d.range.intersection(range))
    .map((d) => {
      const action = new vscode.CodeAction(
        vscode.l10n.t('Rewrite to level {0}', target),
        vscode.CodeActionKind.QuickFix,
      );
      action.diagnostics = [d];
      action.command = {
        command: REWRITE_PARAGRAPH_COMMAND,
        title: action.title,
        arguments: [
          doc.uri.toString(),
          doc.offsetAt(d.range.start),
          doc.offsetAt(d.range.end),
          shown.rubric.id,
          target,
        ],
      };
      return action;
    });
}

/** Served on the same documents as the rewrite's own code actions (remote hosts included). */
export function registerStyleCheckCodeActions(presenter: StyleCheckPresenter): vscode.Disposable {
  return vscode.languages.registerCodeActionsProvider(
    QUICK_ACCESS_SELECTOR,
    { provideCodeActions: (doc, range) => styleCheckFixes(presenter, doc, range) },
    { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
  );
}
