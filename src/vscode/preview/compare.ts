// "Compare": the whole document beside itself with the proposal in place, in VS Code's diff editor.
// The inline preview cannot wrap decoration text, so a long paragraph's proposal can run past the right
// edge; the diff editor wraps and marks word-level changes. It is read-only: Accept / Reject still act
// on the original document, which is the diff's left side and stays untouched until Accept.
import * as path from 'node:path';
import * as vscode from 'vscode';

export const PROPOSAL_SCHEME = 'cpt-writer-proposal';

export class ProposalDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly texts = new Map<string, string>();

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  /** Opens the diff of `doc` against `doc` with `range` replaced by `proposal`. */
  async open(doc: vscode.TextDocument, range: vscode.Range, proposal: string): Promise<vscode.Uri> {
    const text = doc.getText();
    const withProposal = text.slice(0, doc.offsetAt(range.start)) + proposal + text.slice(doc.offsetAt(range.end));
    // One virtual document per source document: a second Compare refreshes it instead of stacking tabs.
    const uri = vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: doc.uri.path, query: doc.uri.toString() });
    this.texts.set(uri.toString(), withProposal);
    this.changed.fire(uri);
    const name = path.basename(doc.uri.path) || vscode.l10n.t('Untitled');
    const title = vscode.l10n.t('{0} ↔ CPT Writer proposal', name);
    // VS Code's own diff command (not one of ours): opens the diff editor for the writer.
    await vscode.commands.executeCommand('vscode.diff', doc.uri, uri, title, { preview: true });
    return uri;
  }

  dispose(): void {
    this.changed.dispose();
    this.texts.clear();
  }
}
