// Why inline decorations + CodeLens rather than a diff editor: prose is reviewed in place, in its
// paragraph, and the writer keeps their editor, scroll position and focus. The original stays in the
// document untouched (struck through and dimmed) and the proposal streams in as decoration text after
// it, so while generating or previewing nothing is written to the document: reject, cancel or an
// error cannot leave a trace, and accept is one ordinary edit that one undo reverts. A diff editor would
// need a second document, a focus change per rewrite and its own close handling.
// Decoration text is a single line, so line breaks in the proposal show as ⏎; the hover shows it in full.
import * as vscode from 'vscode';

const MAX_INLINE_CHARS = 4000;

export class PreviewDecorations implements vscode.Disposable {
  private readonly original = vscode.window.createTextEditorDecorationType({
    textDecoration: 'line-through',
    opacity: '0.6',
    backgroundColor: new vscode.ThemeColor('diffEditor.removedTextBackground'),
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly proposal = vscode.window.createTextEditorDecorationType({
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private shown: { doc: vscode.TextDocument; range: vscode.Range; text: string; streaming: boolean } | undefined;
  private readonly sub = vscode.window.onDidChangeVisibleTextEditors(() => this.render());

  show(doc: vscode.TextDocument, range: vscode.Range, text: string, streaming: boolean): void {
    this.shown = { doc, range, text, streaming };
    this.render();
  }

  clear(): void {
    const doc = this.shown?.doc;
    this.shown = undefined;
    for (const editor of vscode.window.visibleTextEditors) {
      if (!doc || editor.document === doc) {
        editor.setDecorations(this.original, []);
        editor.setDecorations(this.proposal, []);
      }
    }
  }

  private render(): void {
    const s = this.shown;
    if (!s) return;
    const inline = s.text.replace(/\r?\n/g, ' ⏎ ');
    const contentText = (inline.length > MAX_INLINE_CHARS ? `${inline.slice(0, MAX_INLINE_CHARS)}…` : inline) + (s.streaming ? ' ▍' : '');
    const hover = new vscode.MarkdownString();
    hover.appendMarkdown(s.streaming ? '**CPT Writer proposal (generating…)**\n\n' : '**CPT Writer proposal**\n\n');
    hover.appendCodeblock(s.text, 'text');
    const end = new vscode.Range(s.range.end, s.range.end);
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document !== s.doc) continue;
      editor.setDecorations(this.original, [{ range: s.range, hoverMessage: hover }]);
      editor.setDecorations(this.proposal, [{
        range: end,
        hoverMessage: hover,
        renderOptions: {
          after: {
            contentText: contentText || (s.streaming ? '…' : ''),
            backgroundColor: new vscode.ThemeColor('diffEditor.insertedTextBackground'),
            margin: '0 0 0 0.6em',
            fontStyle: 'normal',
          },
        },
      }]);
    }
  }

  dispose(): void {
    this.clear();
    this.sub.dispose();
    this.original.dispose();
    this.proposal.dispose();
  }
}
