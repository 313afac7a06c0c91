// The lightbulb (Ctrl+.) on a selection: "Rewrite with Current Style (Formality · Professional)" and
// "Rewrite as…". Both are Refactor › Rewrite actions that run the same commands as the palette, so the
// rewrite itself (the selection, the preview, the one undo) behaves exactly as from any other entry point.
import * as vscode from 'vscode';
import type { RubricService } from '../rubrics/rubric-service';
import type { CurrentStyle } from '../style/current-style';
import { styleLabel } from '../style/status-bar';

export interface QuickAccessDeps {
  rubrics: RubricService;
  style: CurrentStyle;
  /** True while a rewrite streams or a preview waits for a decision: a second one would be refused. */
  rewriteActive(): boolean;
}

let kind: vscode.CodeActionKind | undefined;
/** Refactor › Rewrite › cptWriter; made on first use, so importing the module touches no VS Code API. */
export function rewriteKind(): vscode.CodeActionKind {
  return (kind ??= vscode.CodeActionKind.RefactorRewrite.append('cptWriter'));
}

/** Documents a writer edits; not our own proposal documents, output channels or other virtual ones. */
export const QUICK_ACCESS_SELECTOR: vscode.DocumentSelector = [
  { scheme: 'file' },
  { scheme: 'untitled' },
  { scheme: 'vscode-remote' },
];

export class RewriteCodeActions implements vscode.CodeActionProvider {
  static metadata(): vscode.CodeActionProviderMetadata {
    return { providedCodeActionKinds: [rewriteKind()] };
  }

  constructor(private readonly deps: QuickAccessDeps) {}

  async provideCodeActions(
    document: vscode.TextDocument,
    range: vscode.Range | vscode.Selection,
    context: vscode.CodeActionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.CodeAction[]> {
    // Only on a selection: an empty range is every cursor move, and the lightbulb would follow the writer around.
    if (range.isEmpty || this.deps.rewriteActive()) return [];
    if (context.only && !context.only.intersects(rewriteKind())) return [];
    // The commands rewrite the active editor's selection; a request for another range (a quick fix on a
    // diagnostic, a code action on save) is not one the writer aimed at their selection.
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document !== document || !editor.selection.isEqual(range)) return [];
    const current = this.deps.style.get();
    const rubric = await this.deps.rubrics.get(current.rubricId).catch(() => undefined);
    if (token.isCancellationRequested) return [];

    const withCurrent = new vscode.CodeAction(
      vscode.l10n.t('Rewrite with Current Style ({0})', styleLabel(rubric, current)),
      rewriteKind(),
    );
    withCurrent.command = { command: 'cptWriter.rewriteSelectionWithCurrentStyle', title: withCurrent.title };
    const pick = new vscode.CodeAction(vscode.l10n.t('Rewrite as…'), rewriteKind());
    pick.command = { command: 'cptWriter.rewriteSelection', title: pick.title };
    return [withCurrent, pick];
  }
}

export function registerQuickAccess(deps: QuickAccessDeps): vscode.Disposable {
  return vscode.languages.registerCodeActionsProvider(
    QUICK_ACCESS_SELECTOR,
    new RewriteCodeActions(deps),
    RewriteCodeActions.metadata(),
  );
}
