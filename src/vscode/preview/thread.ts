// The preview zone: one comment thread, through VS Code's public Comments API, anchored below the text
// being rewritten, whose one comment is the proposal (Markdown, see preview-body.ts). VS Code draws a
// thread as a zone between the editor's lines that wraps its text at the editor's width, so the whole
// proposal is readable next to the original; the document itself is never touched (see README, "Why a
// comment thread"). The thread cannot be replied to; its title bar carries the preview's actions
// (package.json, menus "comments/commentThread/title"), whose tooltips show the key for the writer's
// platform. Its label, in the zone's title bar, carries the status a long proposal must not scroll away.
// VS Code opens the Comments panel the first time a file with a thread shows (comments.openView
// 'firstFile'); the manifest's configurationDefaults make it 'firstFileUnresolved', and this thread has no
// state, so a preview never opens the panel while other extensions' unresolved threads still do.
import * as vscode from 'vscode';
import { previewMarkdown } from './preview-body';
import type { PreviewBodyView } from './preview-body';

/** The comment controller's id; the `commentController` context key in the thread menus' `when` clauses. */
export const PREVIEW_COMMENT_CONTROLLER = 'cptWriter.preview';

/** The commands a preview's links may run (a command link runs only when listed here). */
const LINK_COMMANDS = [
  'cptWriter.acceptRewrite',
  'cptWriter.rejectRewrite',
  'cptWriter.regenerateRewrite',
  'cptWriter.compareRewrite',
  'cptWriter.cancelRewrite',
  'cptWriter.nextChange',
  'cptWriter.toggleChange',
  'cptWriter.takeAllChanges',
  'cptWriter.leaveAllChanges',
];

export interface ThreadView extends PreviewBodyView {
  /** The style, shown as the comment's author ("Concision · Telegraphic"). */
  styleLabel: string;
  /** Beside the author: "proposal" or "rewriting…". */
  status: string;
  /** The zone's title, beside its actions: the status a long proposal must not scroll away (cut off, …). */
  label?: string;
}

export interface ShownPreview {
  markdown: string;
  author: string;
  status: string;
  /** The zone's title bar text. */
  label: string;
  line: number;
  /** The thread's resolved / unresolved state: none, so that showing it never opens the Comments panel. */
  state?: vscode.CommentThreadState;
}

export class PreviewThread implements vscode.Disposable {
  private readonly controller = vscode.comments.createCommentController(PREVIEW_COMMENT_CONTROLLER, 'CPT Writer');
  private thread: vscode.CommentThread | undefined;
  private doc: vscode.TextDocument | undefined;
  private lastBody = '';
  private shown: ShownPreview | undefined;

  /** Shows (or updates) the preview of `doc` at `range`. */
  show(doc: vscode.TextDocument, range: vscode.Range, view: ThreadView): void {
    if (this.thread && this.doc !== doc) this.clear();
    const anchor = anchorRange(doc, range);
    if (!this.thread) {
      this.thread = this.controller.createCommentThread(doc.uri, anchor, []);
      this.thread.canReply = false;
      this.thread.contextValue = 'cptWriter.preview';
      this.doc = doc;
      this.lastBody = '';
    } else if (!this.thread.range?.isEqual(anchor)) {
      this.thread.range = anchor;
    }
    this.thread.collapsibleState = vscode.CommentThreadCollapsibleState.Expanded;
    const label = view.label ? vscode.l10n.t('CPT Writer: {0}', view.label) : vscode.l10n.t('CPT Writer proposal');
    if (this.thread.label !== label) this.thread.label = label;
    const markdown = previewMarkdown(view, vscode.l10n.t);
    const key = `${view.styleLabel}\u0000${view.status}\u0000${markdown}`;
    if (this.shown) this.shown.label = label;
    if (key === this.lastBody) return;
    this.lastBody = key;
    this.shown = { markdown, author: view.styleLabel, status: view.status, label, line: anchor.end.line };
    const body = new vscode.MarkdownString(markdown);
    body.supportHtml = true;
    body.isTrusted = { enabledCommands: LINK_COMMANDS };
    this.thread.comments = [
      {
        body,
        mode: vscode.CommentMode.Preview,
        author: { name: view.styleLabel },
        label: view.status,
        contextValue: 'cptWriter.proposal',
      },
    ];
  }

  /** What the zone shows now (tests): the comment's Markdown, author and status, and the line it hangs below. */
  current(): ShownPreview | undefined {
    return this.thread && this.shown ? { ...this.shown, state: this.thread.state } : undefined;
  }

  /** Whether `value` (a command's argument from the thread's title bar) is the thread shown now. */
  owns(value: unknown): boolean {
    return !!this.thread && value === this.thread;
  }

  /** Whether `value` looks like a comment thread at all (a title-bar action's argument). */
  static isThread(value: unknown): boolean {
    return !!value && typeof value === 'object' && 'uri' in value && 'comments' in value && 'collapsibleState' in value;
  }

  clear(): void {
    this.thread?.dispose();
    this.thread = undefined;
    this.doc = undefined;
    this.lastBody = '';
    this.shown = undefined;
  }

  dispose(): void {
    this.clear();
    this.controller.dispose();
  }
}

/**
 * The range the thread hangs from: the last character of the rewritten text (less a final line break: a
 * selection of whole lines ends at column 0 of the next line). VS Code opens a thread's zone below the
 * screen line that holds the middle of a one-line range, or the first screen line of the last line of a
 * longer one; for a wrapped paragraph either would put the zone inside the paragraph, and the last
 * character puts it right below the paragraph's last screen line.
 */
function anchorRange(doc: vscode.TextDocument, range: vscode.Range): vscode.Range {
  let end = range.end;
  if (end.character === 0 && end.line > range.start.line) end = doc.lineAt(end.line - 1).range.end;
  return new vscode.Range(end.translate(0, end.character > 0 ? -1 : 0), end);
}
