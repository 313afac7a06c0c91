// The original's side of the preview, drawn over the document without changing it: the text being
// rewritten is tinted, and once the proposal is complete the words it drops or changes are marked (the
// proposal's new words are marked in the preview zone below, see thread.ts). Decorations are not part
// of the document, so the text, its undo history and its dirty state stay exactly as they were.
import * as vscode from 'vscode';

export class PreviewDecorations implements vscode.Disposable {
  private readonly target = vscode.window.createTextEditorDecorationType({
    backgroundColor: new vscode.ThemeColor('diffEditor.removedLineBackground'),
    overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.deletedForeground'),
    overviewRulerLane: vscode.OverviewRulerLane.Left,
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly removed = vscode.window.createTextEditorDecorationType({
    backgroundColor: new vscode.ThemeColor('diffEditor.removedTextBackground'),
    textDecoration: 'line-through',
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private shown: { doc: vscode.TextDocument; range: vscode.Range; removed: vscode.Range[] } | undefined;
  private readonly sub = vscode.window.onDidChangeVisibleTextEditors(() => this.render());

  /** Tints `range` of `doc` and marks `removed` (ranges of the document) inside it. */
  show(doc: vscode.TextDocument, range: vscode.Range, removed: vscode.Range[] = []): void {
    this.shown = { doc, range, removed };
    this.render();
  }

  clear(): void {
    const doc = this.shown?.doc;
    this.shown = undefined;
    for (const editor of vscode.window.visibleTextEditors) {
      if (!doc || editor.document === doc) {
        editor.setDecorations(this.target, []);
        editor.setDecorations(this.removed, []);
      }
    }
  }

  private render(): void {
    const s = this.shown;
    if (!s) return;
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document !== s.doc) continue;
      editor.setDecorations(this.target, [s.range]);
      editor.setDecorations(this.removed, s.removed);
    }
  }

  dispose(): void {
    this.clear();
    this.sub.dispose();
    this.target.dispose();
    this.removed.dispose();
  }
}
